/**
 * Every custom message between the extension, the daemon and other LSP clients. Each is typed
 * here once and documented in docs/protocol.md; a new message means editing both together.
 * Messages carry plain JSON only.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { ProjectParams } from './panels';

// The panels' states and requests (`glassbox/dashboard`, `glassbox/explainRow`, ...).
export * from './panels';
// Settings the client passes (`initializationOptions`, `workspace/didChangeConfiguration`).
export * from './settings';
// Counterfactuals and what-if editing (`glassbox/counterfactual`, `glassbox/whatIf`).
export * from './counterfactual';

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

export interface ImportanceResponse {
  /** The project's glassbox.json. */
  project: string;
  checkpoint: string;
  method: string;
  /** Rows explained (a seeded sample of the training file, in file order) and that file. */
  rows: number;
  file: string;
  features: string[];
  /** Mean |attribution| per feature (model output units). */
  meanAbs: number[];
  /** meanAbs / sum(meanAbs): shares of the total, summing to 1 (uniform when all are 0). */
  share: number[];
}

/** client -> daemon: global importance of the project's newest analysed checkpoint (null before any). */
export namespace ImportanceRequest {
  export const method = 'glassbox/importance';
  export const type = new RequestType<ProjectParams, ImportanceResponse | null, void>(method);
}

export interface TimelineEntry {
  checkpoint: string;
  hash: string;
  order: number;
  metrics: Record<string, number>;
  /** Importance share per feature, when computed for that checkpoint. */
  importance: Record<string, number> | null;
}

/** client -> daemon: every checkpoint of the project's current run, in series order, with metrics and importance shares. */
export namespace TimelineRequest {
  export const method = 'glassbox/timeline';
  export const type = new RequestType<ProjectParams, TimelineEntry[], void>(method);
}

/**
 * `workspace/executeCommand` ids the daemon implements (arguments in docs/protocol.md). They live in
 * the `glassbox.server.*` namespace: vscode-languageclient registers each as a VS Code command, and
 * VS Code refuses an id the extension already registered (`glassbox.explainRow` is the extension's).
 */
export const DaemonCommands = {
  /** [uri: string, line: number (0-based), method?: string] -> ExplainState */
  explainRow: 'glassbox.server.explainRow',
  /** [] -> null; re-runs every step for the newest checkpoint. */
  analyze: 'glassbox.server.analyze',
} as const;
