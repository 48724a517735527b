/**
 * Every message between a Glassbox webview and its host (the extension's panel, or the browser
 * dashboard's bridge over the daemon's WebSocket): one discriminated union per direction, posted
 * with `postMessage`. Payloads are the plain JSON states of panels.ts. Documented in
 * docs/protocol.md ("Webview messages").
 */
import type { CounterfactualResult, WhatIfResult } from './counterfactual';
import type { CompareState, DashboardState, ExplainState, RawValue } from './panels';

export type ExportFormat = 'csv' | 'json' | 'png';

/** extension -> webview */
export type ToWebview =
  | { type: 'dashboard'; state: DashboardState }
  | { type: 'explain'; state: ExplainState }
  /** The same row explained by several methods, side by side (answer to `explainMethods`). */
  | { type: 'explainMethods'; states: ExplainState[] }
  | { type: 'compare'; state: CompareState }
  /** The daemon is busy computing the panel's state. */
  | { type: 'loading'; message: string }
  /** The state could not be fetched (daemon not running, request failed). */
  | { type: 'error'; message: string }
  /** The colour theme changed: charts re-read the theme's colours. Not a state: the panel keeps showing what it showed. */
  | { type: 'theme'; kind: 'light' | 'dark' | 'highContrast' | 'highContrastLight' }
  /** Explain panel: the answer to the what-if edit `id` (an answer to an older id is dropped). */
  | { type: 'whatIf'; id: number; result: WhatIfResult }
  | { type: 'whatIf'; id: number; error: string }
  /** Explain panel: counterfactuals of the shown row: being searched, found (or why none), or the request failed. */
  | { type: 'counterfactuals'; status: 'searching' }
  | { type: 'counterfactuals'; status: 'done'; result: CounterfactualResult }
  | { type: 'counterfactuals'; status: 'error'; message: string };

/** webview -> extension */
export type FromWebview =
  /** The app has mounted and listens: send it the current state. */
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Open a file at a 1-based line. */
  | { type: 'openLocation'; file: string; line: number }
  /** Open the Explain panel for the row at a 1-based line of a file. */
  | { type: 'explainRow'; file: string; line: number }
  | { type: 'selectMethod'; method: string }
  /** Explain the shown row with each of these methods (side by side). */
  | { type: 'explainMethods'; methods: string[] }
  | { type: 'compare'; a: string; b: string }
  | { type: 'runChecks' }
  /**
   * Side panel: show every section for this checkpoint (`null`: follow the newest). The host asks
   * the daemon for that checkpoint's state now and on every later update until another pick.
   */
  | { type: 'selectCheckpoint'; checkpoint: string | null }
  /** Side panel: show this project (a glassbox.json path of `DashboardState.projects`), following its newest checkpoint. */
  | { type: 'selectProject'; project: string }
  /**
   * Explain panel: the shown row with these raw values changed (strings as typed, numbers, null =
   * missing), explained again. `id` increases with every edit; the host cancels the request of an
   * older one still running.
   */
  | { type: 'whatIf'; id: number; values: Record<string, RawValue> }
  /** Explain panel: counterfactuals of the shown row (`target`: a class label, default any other; `maxChanges`: features one may change). */
  | { type: 'counterfactuals'; target?: string; maxChanges?: number }
  /** Save the shareable report (what `glassbox report` writes) as HTML or Markdown. */
  | { type: 'exportReport'; format: 'html' | 'md' }
  /** Explain panel: `false` = follow the cursor in CSV files; `true` = stay on the shown row. */
  | { type: 'pin'; pinned: boolean }
  /**
   * Copy or save what a panel shows. `content`: the CSV or JSON text, or for `png` a
   * `data:image/png;base64,` URL. `filename`: a suggested base name (the user picks where).
   */
  | { type: 'export'; action: 'copy' | 'save'; format: ExportFormat; filename: string; content: string };

export function isToWebview(data: unknown): data is ToWebview {
  const t = (data as { type?: unknown } | null)?.type;
  return t === 'dashboard' || t === 'explain' || t === 'explainMethods' || t === 'compare' || t === 'loading' || t === 'error' || t === 'theme' || t === 'whatIf' || t === 'counterfactuals';
}

/**
 * Messages that replace what the panel shows (and are kept to show it again); `loading`, `theme`
 * and the Explain panel's answers about its row (`whatIf`, `counterfactuals`, kept by the panel) are not.
 */
export function isState(m: ToWebview): boolean {
  return m.type !== 'loading' && m.type !== 'theme' && m.type !== 'whatIf' && m.type !== 'counterfactuals';
}
