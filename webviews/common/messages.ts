/**
 * Every message between a Glassbox webview and the extension: one discriminated union per direction.
 * Payloads are the plain JSON states of server/src/protocol/panels.ts.
 */
import type { CompareState, DashboardState, ExplainState } from '../../server/src/protocol/panels';

/** extension -> webview */
export type ToWebview =
  | { type: 'dashboard'; state: DashboardState }
  | { type: 'explain'; state: ExplainState }
  | { type: 'compare'; state: CompareState }
  /** The daemon is busy computing the panel's state. */
  | { type: 'loading'; message: string }
  /** The state could not be fetched (daemon not running, request failed). */
  | { type: 'error'; message: string };

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
  | { type: 'compare'; a: string; b: string }
  | { type: 'runChecks' };

export function isToWebview(data: unknown): data is ToWebview {
  const t = (data as { type?: unknown } | null)?.type;
  return t === 'dashboard' || t === 'explain' || t === 'compare' || t === 'loading' || t === 'error';
}
