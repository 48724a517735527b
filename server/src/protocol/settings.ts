/**
 * The client settings the daemon applies: sent as `initializationOptions` when the daemon starts
 * and as `workspace/didChangeConfiguration` `{ settings: { glassbox: GlassboxSettings } }` whenever
 * they change, applied without a restart. The extension converts its `glassbox.*` settings into
 * this type once (client/src/config.ts `daemonSettings`); any other LSP client may send it too.
 * Documented in docs/protocol.md.
 */

export interface GlassboxSettings {
  /** `glassbox.diagnostics.suspectRows`: suspect-row diagnostics in the training CSV (integer >= 0; 0 = summary only). */
  suspectRows?: number;
  /**
   * `glassbox.explain.method`: the attribution method of row explanations (hovers, Explain This
   * Row) when a request names none; absent or empty: the model's default row method.
   */
  explainMethod?: string;
}

/** `workspace/didChangeConfiguration` params as the daemon reads them. */
export interface GlassboxSettingsChange {
  settings?: { glassbox?: GlassboxSettings } | null;
}

/**
 * The valid part of settings from the wire: a value of the wrong type is dropped (the daemon's
 * default applies), never an error, so an old or foreign client cannot stop the daemon.
 */
export function readSettings(value: unknown): GlassboxSettings {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const out: GlassboxSettings = {};
  if (typeof v.suspectRows === 'number' && Number.isInteger(v.suspectRows) && v.suspectRows >= 0) out.suspectRows = v.suspectRows;
  if (typeof v.explainMethod === 'string' && v.explainMethod.trim()) out.explainMethod = v.explainMethod.trim();
  return out;
}
