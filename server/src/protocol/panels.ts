/**
 * The states the editor's panels render and the requests that fetch them. Every state is plain JSON
 * and every analysis section is optional: a panel shows "not available yet" for a section the daemon
 * has not computed (or does not implement yet) instead of failing. Documented in docs/protocol.md.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

/** Raw value of one feature in a CSV row, as read (numbers parsed, missing = null). */
export type RawValue = string | number | null;

/**
 * `pending`: not scheduled (not ready or not yet stable, or of another run); `queued`: waiting in the
 * daemon's queue; `running`: one of its steps is running now.
 */
export type AnalysisState = 'pending' | 'queued' | 'running' | 'done' | 'failed';

/** The step running now and how far it is. */
export interface RunningStep {
  checkpoint: string;
  step: string;
  title: string;
  /** 0..1 */
  fraction: number;
  message?: string;
}

/** Which checkpoint (and training run) a section's numbers come from. */
export interface Provenance {
  checkpoint: string;
  run: string;
  /** True while a newer checkpoint of the current run is being analysed. */
  stale: boolean;
}

export interface CheckpointSummary {
  name: string;
  /** Readiness of the checkpoint files (see `glassbox checkpoints`). */
  state: 'ready' | 'incomplete' | 'invalid';
  epoch?: number;
  step?: number;
  /** Training metrics recorded with the checkpoint (`loss`, `val_accuracy`, ...). */
  metrics?: Record<string, number>;
  /** Whether the daemon has analysed this checkpoint. */
  analysis: AnalysisState;
  analysisMessage?: string;
  /** The training run it belongs to (metadata run id, or one the daemon assigned). */
  run?: string;
  /** The step running on it now. */
  running?: RunningStep;
}

/** Global importance per raw feature: mean |attribution| over the reference rows. */
export interface GlobalImportance {
  checkpoint: string;
  method: string;
  classes: string[];
  features: { feature: string; importance: number; /** one value per class, same order as `classes` */ perClass?: number[] }[];
}

/** Drift-weighted importance: how much each feature's shift between train and reference matters. */
export interface DriftImportance {
  checkpoint: string;
  /** `importance`: global importance; `drift`: a 0..1 distribution distance; `impact`: their product. */
  features: { feature: string; importance: number; drift: number; impact: number }[];
}

export interface SuspectRow {
  /** Absolute path of the CSV file. */
  file: string;
  /** 1-based line in the file. */
  line: number;
  row: number;
  /** Why the row is suspect (`possible mislabel`, `high self-influence`, ...). */
  reason: string;
  score: number;
  label?: string;
  predicted?: string;
}

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  message: string;
  file?: string;
  line?: number;
}

/** The side panel. */
export interface DashboardState {
  project?: string;
  checkpoints: CheckpointSummary[];
  importance?: GlobalImportance;
  drift?: DriftImportance;
  suspects?: SuspectRow[];
  checks?: CheckResult[];
  /** The current training run; `checkpoints` lists only its checkpoints. */
  run?: string;
  /** The run before it, for side-by-side: its checkpoints and the importance of its newest analysed one. */
  previousRun?: { run: string; checkpoints: CheckpointSummary[]; importance?: GlobalImportance };
  /** The analysis step running now (any checkpoint). */
  running?: RunningStep;
  /** Per section (`importance`, `drift`, `suspects`, `checks`): where its numbers come from. */
  provenance?: Partial<Record<'importance' | 'drift' | 'suspects' | 'checks', Provenance>>;
}

export interface InfluentialRow {
  file: string;
  line: number;
  row: number;
  /** Signed influence on the explained row's loss: positive = proponent. */
  influence: number;
  values: Record<string, RawValue>;
  label?: string;
}

/** The Explain panel: one row. */
export interface ExplainState {
  file: string;
  line: number;
  row: number;
  checkpoint: string;
  classes: string[];
  values: Record<string, RawValue>;
  label?: string;
  prediction: { class: string; probability: number } | { value: number };
  /** Attribution methods the daemon offers, and the one used for `attributions`. */
  methods: string[];
  method: string;
  /** Per raw feature. */
  attributions: Record<string, number>;
  /** The model's output at the method's baseline, when the method has one (waterfall start). */
  baseline?: number;
  influence?: { proponents: InfluentialRow[]; opponents: InfluentialRow[] };
  nearestOpposite?: { file: string; line: number; row: number; label?: string; distance: number; values: Record<string, RawValue> };
}

/** The Compare panel: two checkpoints. */
export interface CompareState {
  a: string;
  b: string;
  checkpoints: string[];
  rankChanges?: { feature: string; rankA: number; rankB: number; importanceA: number; importanceB: number }[];
  flipped?: { file: string; line: number; row: number; before: string; after: string; label?: string }[];
  /** Per feature: Spearman correlation of the row attributions between the two checkpoints. */
  disagreement?: { feature: string; spearman: number }[];
}

/** client -> daemon: the side panel's state. */
export namespace DashboardRequest {
  export const method = 'glassbox/dashboard';
  export const type = new RequestType<Record<string, never>, DashboardState, void>(method);
}

/** daemon -> client: the side panel's state changed (a checkpoint appeared or was analysed). */
export namespace DashboardChangedNotification {
  export const method = 'glassbox/dashboardChanged';
  export const type = new NotificationType<DashboardState>(method);
}

export interface ExplainRowParams {
  /** URI of the CSV document. */
  uri: string;
  /** 0-based editor line (what `Position.line` holds). */
  line: number;
  /** Attribution method id (default: the model's row method, `saliency` for networks, `tree-shap` / `linear-shap` for tree and linear models); one of `ExplainState.methods`. */
  method?: string;
  /** Checkpoint name (default: the newest analysed one). */
  checkpoint?: string;
  /** Include influential training rows (default true). */
  influence?: boolean;
}

/** client -> daemon: explain the row at a line of a CSV file. */
export namespace ExplainRowRequest {
  export const method = 'glassbox/explainRow';
  export const type = new RequestType<ExplainRowParams, ExplainState, void>(method);
}

export interface CompareParams {
  /** Checkpoint names; default: the two newest ready ones. */
  a?: string;
  b?: string;
}

/** client -> daemon: compare two checkpoints. */
export namespace CompareRequest {
  export const method = 'glassbox/compareCheckpoints';
  export const type = new RequestType<CompareParams, CompareState, void>(method);
}

export interface ExportReportParams {
  /** `html` (default): one self-contained file; `md`: Markdown for a pull request or CI summary. */
  format?: 'html' | 'md';
}

export interface ExportReportResult {
  format: 'html' | 'md';
  /** The whole report; no raw data values (rows by file, line and index only). */
  text: string;
  checkpoint: string;
  /** The checkpoint it is compared with, null for a single checkpoint. */
  previous: string | null;
}

/** client -> daemon: the shareable report of the newest ready checkpoint (what `glassbox report` writes). */
export namespace ExportReportRequest {
  export const method = 'glassbox/exportReport';
  export const type = new RequestType<ExportReportParams, ExportReportResult, void>(method);
}

/** client -> daemon: run the model checks of glassbox.json now; findings also arrive as diagnostics. */
export namespace RunChecksRequest {
  export const method = 'glassbox/runChecks';
  export const type = new RequestType<Record<string, never>, CheckResult[], void>(method);
}
