/**
 * The states the editor's panels render and the requests that fetch them. Every state is plain JSON
 * and every analysis section is optional: a panel shows "not available yet" for a section the daemon
 * has not computed (or does not implement yet) instead of failing. Fields marked "always set" are
 * filled in every answer of this daemon (a test checks a real state against the panels' fixtures);
 * they are optional in the type so states of older daemons still type-check in the panels.
 * Documented in docs/protocol.md.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

/**
 * Names the project a request is about: its glassbox.json path or its folder (absolute paths; a
 * folder-relative name is matched against the folder names too). Optional while the workspace has
 * one project; with several, a request that names none (and has no file to resolve it from) fails
 * with a message listing them.
 */
export interface ProjectParams {
  project?: string;
}

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
  /** How many of the scheduled steps (`stepsTotal`) have a result for this checkpoint, and which (step ids, priority order). */
  stepsDone?: number;
  stepsTotal?: number;
  stepsReady?: string[];
}

/**
 * Global importance per raw feature: `importance` is the mean |attribution| over `rows` rows of
 * `file` (model output units); `share` is that feature's fraction of the sum over all features
 * (shares sum to 1; uniform when every attribution is 0): what the header hover, the checks and
 * the timeline call "share".
 */
export interface GlobalImportance {
  checkpoint: string;
  method: string;
  /** How many rows were explained (a seeded sample in file order), and of which file (absolute path). */
  rows?: number;
  file?: string;
  classes: string[];
  features: { feature: string; importance: number; share?: number; /** one value per class, same order as `classes` */ perClass?: number[] }[];
}

/** Drift-weighted importance: how much each feature's shift between train and reference matters. */
export interface DriftImportance {
  checkpoint: string;
  /** `importance`: global importance; `drift`: a 0..1 distribution distance; `impact`: their product. */
  features: { feature: string; importance: number; drift: number; impact: number }[];
}

/**
 * What ranks the suspect rows: `combined` (last-layer self-influence with the loss on the row's
 * label, TracIn), `self-influence` / `self-influence-last` (TracIn alone), `aum` (area under the
 * margin over the checkpoints, models without gradients), `loss` (regression without gradients).
 */
export type SuspectScoreKind = 'combined' | 'self-influence' | 'self-influence-last' | 'aum' | 'loss';

export interface SuspectRow {
  /** Absolute path of the CSV file. */
  file: string;
  /** 1-based line in the file. */
  line: number;
  row: number;
  /** Why the row is suspect (`possible mislabel`, `high self-influence`, ...). */
  reason: string;
  /** Larger = more suspect; its meaning is `scoreKind`'s. */
  score: number;
  scoreKind?: SuspectScoreKind;
  label?: string;
  /** The class the section's checkpoint predicts for the row (classifiers). */
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
  /** The project's glassbox.json (absolute path): what a request's `project` names. Absent without a project. */
  project?: string;
  /** The project's folder name, for titles. */
  projectName?: string;
  /** Every project of the workspace (glassbox.json paths), for a project picker. */
  projects?: string[];
  /**
   * The checkpoint whose results the sections show: the one asked for (`DashboardParams.checkpoint`),
   * else the newest analysed. Absent before any analysis.
   */
  checkpoint?: string;
  /** One line on the analysis, e.g. `analysing epoch-5: influence (40%) — importance, drift ready`. */
  status?: string;
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
  /** Per section (`importance`, `drift`, `suspects`, `checks`): where its numbers come from (the picked checkpoint when one is asked for). */
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

/**
 * How a method's attributions relate to the output: `additive` (they sum from `baseline` to
 * `output`: Shapley values, integrated gradients approximately), `gradient` (local sensitivities,
 * signed; no waterfall), `local-surrogate` (coefficients of a local model, e.g. LIME).
 */
export type MethodKind = 'additive' | 'gradient' | 'local-surrogate';

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
  methodKind?: MethodKind;
  /** Per raw feature. */
  attributions: Record<string, number>;
  /** The model's output at the method's baseline, when the method has one (waterfall start). */
  baseline?: number;
  /**
   * The model output the attributions explain (waterfall end): the explained class's logit
   * (log-odds for one-unit heads), or the regression value; same units as `baseline`.
   */
  output?: number;
  /**
   * What `output` (and `baseline`) is: `logit` = the explained class's logit in a K-output head
   * (softmax over all K logits gives the probabilities, so p is not a function of this one number);
   * `log-odds` = log(p / (1 - p)) of the explained class, for one-output binary models (p = sigmoid of
   * it); `value` = the regression output.
   */
  outputKind?: 'logit' | 'log-odds' | 'value';
  influence?: { proponents: InfluentialRow[]; opponents: InfluentialRow[] };
  /**
   * Per raw feature: the kind of value the model takes, and for a categorical one the training
   * categories (what `glassbox/whatIf` accepts; the what-if editor offers exactly these).
   */
  columns?: Record<string, { type: 'number' | 'category'; categories?: string[] }>;
  nearestOpposite?: { file: string; line: number; row: number; label?: string; distance: number; values: Record<string, RawValue> };
}

/** The Compare panel: two checkpoints. */
export interface CompareState {
  a: string;
  b: string;
  checkpoints: string[];
  /** What the importance in `rankChanges` is (e.g. `mean |kernel-shap|`): the checks' importance shares. */
  method?: string;
  /** Rows both sides were evaluated on (`flipped` counts over them), and their file. */
  rows?: number;
  file?: string;
  /** `importanceA`/`importanceB`: the feature's share (sums to 1 per side); rank 1 = largest share. */
  rankChanges?: { feature: string; rankA: number; rankB: number; importanceA: number; importanceB: number }[];
  flipped?: { file: string; line: number; row: number; before: string; after: string; label?: string }[];
  /** Per feature: Spearman correlation of the row attributions between the two checkpoints. */
  disagreement?: { feature: string; spearman: number }[];
}

export interface DashboardParams extends ProjectParams {
  /** A ready checkpoint's name: every section shows its stored results (default: the newest analysed). */
  checkpoint?: string;
}

/** client -> daemon: the side panel's state. */
export namespace DashboardRequest {
  export const method = 'glassbox/dashboard';
  export const type = new RequestType<DashboardParams, DashboardState, void>(method);
}

/** daemon -> client: a project's side panel state changed (a checkpoint appeared or was analysed); one per project, `project` says which; sections of the newest analysed checkpoint. */
export namespace DashboardChangedNotification {
  export const method = 'glassbox/dashboardChanged';
  export const type = new NotificationType<DashboardState>(method);
}

export interface ExplainRowParams extends ProjectParams {
  /** URI of the CSV document (its project answers unless `project` names one). */
  uri: string;
  /** 0-based editor line (what `Position.line` holds). */
  line: number;
  /** Attribution method id (default: the `glassbox.explain.method` setting, else the model's row method: `kernel-shap` for networks, `tree-shap` / `linear-shap` for tree and linear models); one of `ExplainState.methods`. */
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

export interface CompareParams extends ProjectParams {
  /** Checkpoint names; default: the two newest ready ones. */
  a?: string;
  b?: string;
}

/** client -> daemon: compare two checkpoints. */
export namespace CompareRequest {
  export const method = 'glassbox/compareCheckpoints';
  export const type = new RequestType<CompareParams, CompareState, void>(method);
}

export interface ExportReportParams extends ProjectParams {
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
  export const type = new RequestType<ProjectParams, CheckResult[], void>(method);
}
