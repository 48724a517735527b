/** The commands' and panels' view of the daemon connection, and the settings message it is sent. */
import { DidChangeConfigurationNotification, type DidChangeConfigurationParams, type RequestType } from 'vscode-languageserver-protocol';
import type { GlassboxSettings, GlassboxSettingsChange } from '../../server/src/protocol/settings';

export interface Daemon {
  readonly running: boolean;
  /** `signal` aborted: the request is cancelled on the daemon too (`$/cancelRequest`). */
  request<P, R>(type: RequestType<P, R, void>, params: P, signal?: AbortSignal): Promise<R>;
  restart(): Promise<void>;
}

/** JSON-RPC "method not found": the daemon does not implement a request (yet). */
const METHOD_NOT_FOUND = -32601;

/** One line a user can act on, for a failed daemon request. */
export function describeDaemonError(e: unknown, what: string): string {
  const err = e as { code?: number; message?: string } | undefined;
  if (err?.code === METHOD_NOT_FOUND) return `${what} is not available yet: this version of the Glassbox daemon does not provide it.`;
  return `${what} failed: ${err?.message ?? String(e)}`;
}

/**
 * The `workspace/didChangeConfiguration` that hands the daemon its settings: every daemon setting,
 * whole (the daemon takes an absent one as its default). The daemon applies them at once.
 */
export function settingsChange(settings: GlassboxSettings): { type: typeof DidChangeConfigurationNotification.type; params: DidChangeConfigurationParams & GlassboxSettingsChange } {
  return { type: DidChangeConfigurationNotification.type, params: { settings: { glassbox: settings } } };
}
