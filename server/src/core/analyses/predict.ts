/**
 * Predict rows: the model's logits, probabilities and predicted class (or value) for rows of a
 * data set, and the metrics of its task where the rows have labels. One code path for
 * `glassbox predict` and the daemon's predictions step (hovers over data rows, the side panel).
 *
 * Metrics (over the labelled rows only; rows whose label is missing are left out):
 * - classification: accuracy (share predicted right) and log loss (mean -ln p(true class), the
 *   probability clipped to [eps, 1 - eps], eps = 2^-52, as scikit-learn 1.5's `log_loss` does);
 * - regression: RMSE, MAE and R² (1 - SSE / SST; null when every label is equal).
 */
import type { Dataset } from '../data/dataset';
import { takeRows } from '../data/dataset';
import { predict } from '../model/model';
import type { CheckpointInfo } from '../model/checkpoints';
import type { Task } from '../data/schema';
import type { Project } from '../project';
import { checkpointRef, classNamesOf, type CheckpointRef } from './shared';

export interface ClassificationMetrics {
  task: 'classification';
  /** Rows with a label. */
  labelled: number;
  accuracy: number | null;
  logLoss: number | null;
}

export interface RegressionMetrics {
  task: 'regression';
  labelled: number;
  rmse: number | null;
  mae: number | null;
  r2: number | null;
}

export type Metrics = ClassificationMetrics | RegressionMetrics;

export interface PredictOptions {
  checkpoint: CheckpointInfo;
  dataset: Dataset;
  /** Row indices into `dataset`; default every row. */
  rows?: readonly number[];
  signal?: AbortSignal;
}

export interface RowsPrediction {
  checkpoint: CheckpointRef;
  file: string;
  task: Task;
  outputKind: string;
  classes: string[] | null;
  /** Number of classes K (1 for regression). */
  width: number;
  /** The rows predicted (indices into the data set) and their 1-based lines. */
  rows: number[];
  lines: number[];
  /** rows x K, row-major. */
  logits: number[];
  /** rows x K (classification). */
  probabilities: number[] | null;
  /** Predicted class per row (classification). */
  predicted: number[] | null;
  /** Predicted value per row (regression). */
  values: number[] | null;
  /** True class or value per row, null where missing; null when the file has no labels. */
  labels: Array<number | null> | null;
  metrics: Metrics;
}

export async function predictRows(project: Project, options: PredictOptions): Promise<RowsPrediction> {
  const ds = options.dataset;
  const rows = options.rows ? [...options.rows] : Array.from({ length: ds.n }, (_, i) => i);
  const model = await project.model(options.checkpoint);
  const { encoding } = await project.schema();
  const all = rows.length === ds.n && rows.every((r, i) => r === i);
  const X = all ? ds.X : takeRows(ds, rows);
  const p = predict(model, X, rows.length, options.signal);
  const labels = ds.y ? rows.map((r) => (Number.isNaN(ds.y![r]!) ? null : ds.y![r]!)) : null;
  const K = p.classes;
  const probabilities = p.probabilities ? Array.from(p.probabilities) : null;
  const values = p.predicted ? null : rows.map((_, i) => p.logits[i * K]!);
  const metrics: Metrics = p.predicted ? classificationMetrics(probabilities!, Array.from(p.predicted), K, labels) : regressionMetrics(values!, labels);
  return {
    checkpoint: checkpointRef(options.checkpoint),
    file: ds.file,
    task: model.task,
    outputKind: model.outputKind,
    classes: classNamesOf(project, encoding),
    width: K,
    rows,
    lines: rows.map((r) => ds.lines[r]!),
    logits: Array.from(p.logits),
    probabilities,
    predicted: p.predicted ? Array.from(p.predicted) : null,
    values,
    labels,
    metrics,
  };
}

/** scikit-learn 1.5 `log_loss`: clip to the float64 machine epsilon. */
const CLIP = Number.EPSILON;

/** Accuracy and log loss over the rows with a label (`probabilities` is n x K, row-major). */
export function classificationMetrics(probabilities: ArrayLike<number>, predicted: ArrayLike<number>, K: number, labels: ReadonlyArray<number | null> | null): ClassificationMetrics {
  let seen = 0;
  let hit = 0;
  let loss = 0;
  for (let i = 0; i < predicted.length; i++) {
    const y = labels?.[i];
    if (y === null || y === undefined) continue;
    seen++;
    if (predicted[i] === y) hit++;
    const q = probabilities[i * K + y]!;
    loss -= Math.log(Math.min(1 - CLIP, Math.max(CLIP, q)));
  }
  return { task: 'classification', labelled: seen, accuracy: seen ? hit / seen : null, logLoss: seen ? loss / seen : null };
}

/** RMSE, MAE and R² over the rows with a label. */
export function regressionMetrics(values: ArrayLike<number>, labels: ReadonlyArray<number | null> | null): RegressionMetrics {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < values.length; i++) {
    const y = labels?.[i];
    if (y !== null && y !== undefined) pairs.push([values[i]!, y]);
  }
  const n = pairs.length;
  if (!n) return { task: 'regression', labelled: 0, rmse: null, mae: null, r2: null };
  const mean = pairs.reduce((a, [, y]) => a + y, 0) / n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (const [v, y] of pairs) {
    sse += (v - y) ** 2;
    sae += Math.abs(v - y);
    sst += (y - mean) ** 2;
  }
  return { task: 'regression', labelled: n, rmse: Math.sqrt(sse / n), mae: sae / n, r2: sst > 0 ? 1 - sse / sst : null };
}
