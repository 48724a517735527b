/**
 * The `glassbox.*` settings, read once into a typed object. How to add a setting: declare it in
 * package.json `contributes.configuration` (with a `scope`), add it to `GlassboxConfig` and
 * `readConfig`; the unit test checks the two lists match. A setting the daemon applies also goes
 * into `GlassboxSettings` (server/src/protocol/settings.ts), `daemonSettings` and
 * `DAEMON_SETTING_KEYS`: it is sent as `initializationOptions` and on every change.
 */
import type { GlassboxSettings } from '../../server/src/protocol/settings';

export interface GlassboxConfig {
  /** `glassbox.daemon.autoRestart` (window): restart the daemon when it crashes. */
  autoRestart: boolean;
  /** `glassbox.explain.method` (resource): attribution method for Explain This Row; empty = daemon default. */
  explainMethod: string | undefined;
  /** `glassbox.diagnostics.suspectRows` (window): suspect-row diagnostics in the training CSV. */
  suspectRows: number;
}

/** What `vscode.WorkspaceConfiguration.get` offers; a plain function so tests need no VS Code. */
export type ConfigGet = <T>(key: string) => T | undefined;

/**
 * Every `glassbox.*` setting of package.json. `trace.server` is read by vscode-languageclient itself
 * (the client's id is `glassbox`), so it has no field here.
 */
export const SETTING_KEYS = ['trace.server', 'daemon.autoRestart', 'explain.method', 'diagnostics.suspectRows'] as const;

export function readConfig(get: ConfigGet): GlassboxConfig {
  const method = get<string>('explain.method')?.trim();
  return {
    autoRestart: get<boolean>('daemon.autoRestart') ?? true,
    explainMethod: method ? method : undefined,
    suspectRows: Math.max(0, Math.floor(get<number>('diagnostics.suspectRows') ?? 20)),
  };
}

/** The settings the daemon applies (without a restart): a change of any of them is sent to it. */
export const DAEMON_SETTING_KEYS = ['explain.method', 'diagnostics.suspectRows'] as const satisfies ReadonlyArray<(typeof SETTING_KEYS)[number]>;

/** The daemon's part of the settings (`initializationOptions`, `workspace/didChangeConfiguration`). */
export function daemonSettings(config: GlassboxConfig): GlassboxSettings {
  return { suspectRows: config.suspectRows, ...(config.explainMethod ? { explainMethod: config.explainMethod } : {}) };
}

/** Whether a configuration change (`ConfigurationChangeEvent.affectsConfiguration`) touches a daemon setting. */
export function affectsDaemon(affects: (section: string) => boolean): boolean {
  return DAEMON_SETTING_KEYS.some((k) => affects(`glassbox.${k}`));
}
