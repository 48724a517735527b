/**
 * Every custom message between the extension, the daemon and other LSP clients. Each is typed
 * here once and documented in docs/protocol.md; a new message means editing both together.
 * Messages carry plain JSON only.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export type Health = 'ok' | 'warning' | 'error';

export interface ServerStatusParams {
  health: Health;
  /** True while an analysis is running. */
  busy: boolean;
  /** One line for the status bar / language status item. */
  message: string;
  /** Tensor backend in use (`wasm`, `tensorflow`, ...). */
  backend?: string;
  /** Why faster backends were skipped, one line each. */
  backendNotes?: string[];
  /** Name of the newest analysed checkpoint. */
  checkpoint?: string;
}

/** daemon -> client: the daemon's health, whenever it changes. */
export namespace ServerStatusNotification {
  export const method = 'glassbox/serverStatus';
  export const type = new NotificationType<ServerStatusParams>(method);
}

/** A data row of a CSV file: the document and its 0-based line (LSP positions). */
export interface RowParams {
  uri: string;
  line: number;
}

/** Per-row explanation (see server/src/daemon/steps/explain-row.ts). */
export interface RowExplanation {
  file: string;
  /** 1-based line of the row in its file. */
  line: number;
  /** 0-based row index in the data set. */
  row: number;
  method: string;
  classes: string[] | null;
  predicted: number;
  confidence: number | null;
  label: number | null;
  values: Record<string, string | number | null>;
  /** Every raw feature, largest |value| first. */
  attributions: Array<{ feature: string; value: number }>;
}

/** client -> daemon: explain one data row with the analysed checkpoint. */
export namespace ExplainRowRequest {
  export const method = 'glassbox/explainRow';
  export const type = new RequestType<RowParams, RowExplanation, void>(method);
}

export interface ImportanceResponse {
  checkpoint: string;
  method: string;
  rows: number;
  features: string[];
  meanAbs: number[];
  /** Shares of the total, summing to 1. */
  share: number[];
}

/** client -> daemon: global importance of the newest analysed checkpoint (null before any). */
export namespace ImportanceRequest {
  export const method = 'glassbox/importance';
  export const type = new RequestType0<ImportanceResponse | null, void>(method);
}

export interface TimelineEntry {
  checkpoint: string;
  hash: string;
  order: number;
  metrics: Record<string, number>;
  /** Importance share per feature, when computed for that checkpoint. */
  importance: Record<string, number> | null;
}

/** client -> daemon: every checkpoint seen, in series order, with metrics and importance shares. */
export namespace TimelineRequest {
  export const method = 'glassbox/timeline';
  export const type = new RequestType0<TimelineEntry[], void>(method);
}

/**
 * `workspace/executeCommand` ids the daemon implements (arguments in docs/protocol.md). They live in
 * the `glassbox.server.*` namespace: vscode-languageclient registers each as a VS Code command, and
 * VS Code refuses an id the extension already registered (`glassbox.explainRow` is the extension's).
 */
export const DaemonCommands = {
  /** [uri: string, line: number (0-based)] -> RowExplanation */
  explainRow: 'glassbox.server.explainRow',
  /** [] -> null; re-runs every step for the newest checkpoint. */
  analyze: 'glassbox.server.analyze',
} as const;
