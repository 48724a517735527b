/**
 * Every message between a Glassbox webview and its host (the extension's panel, or the browser
 * dashboard's bridge over the daemon's WebSocket): one discriminated union per direction, posted
 * with `postMessage`. Payloads are the plain JSON states of panels.ts. Documented in
 * docs/protocol.md ("Webview messages").
 */
import type { CompareState, DashboardState, ExplainState } from './panels';

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
  | { type: 'theme'; kind: 'light' | 'dark' | 'highContrast' | 'highContrastLight' };

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
  return t === 'dashboard' || t === 'explain' || t === 'explainMethods' || t === 'compare' || t === 'loading' || t === 'error' || t === 'theme';
}

/** Messages that replace what the panel shows (and are kept to show it again); `loading` and `theme` are not. */
export function isState(m: ToWebview): boolean {
  return m.type !== 'loading' && m.type !== 'theme';
}
