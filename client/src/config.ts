/**
 * The `glassbox.*` settings, read once into a typed object. How to add a setting: declare it in
 * package.json `contributes.configuration` (with a `scope`), add it to `GlassboxConfig` and
 * `readConfig`; the unit test checks the two lists match.
 */
export type Trace = 'off' | 'messages' | 'verbose';

export interface GlassboxConfig {
  /** `glassbox.trace.server` (window): JSON-RPC tracing of the daemon connection. */
  traceServer: Trace;
  /** `glassbox.daemon.autoRestart` (window): restart the daemon when it crashes. */
  autoRestart: boolean;
  /** `glassbox.explain.method` (resource): attribution method for Explain This Row; empty = daemon default. */
  explainMethod: string | undefined;
  /** `glassbox.diagnostics.suspectRows` (window): suspect-row diagnostics in the training CSV. */
  suspectRows: number;
}

/** What `vscode.WorkspaceConfiguration.get` offers; a plain function so tests need no VS Code. */
export type ConfigGet = <T>(key: string) => T | undefined;

export const SETTING_KEYS = ['trace.server', 'daemon.autoRestart', 'explain.method', 'diagnostics.suspectRows'] as const;

export function readConfig(get: ConfigGet): GlassboxConfig {
  const trace = get<string>('trace.server');
  const method = get<string>('explain.method')?.trim();
  return {
    traceServer: trace === 'messages' || trace === 'verbose' ? trace : 'off',
    autoRestart: get<boolean>('daemon.autoRestart') ?? true,
    explainMethod: method ? method : undefined,
    suspectRows: Math.max(0, Math.floor(get<number>('diagnostics.suspectRows') ?? 20)),
  };
}
