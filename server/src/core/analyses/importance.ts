/**
 * Global importance over rows: any attribution method's per-row values aggregated per raw feature
 * (importance/importance.ts: mean |attribution|, signed mean, shares summing to 1, per predicted
 * and per true class, a seeded beeswarm sample). The method is the caller's or the model's default
 * (`defaultImportance`: linear-shap, tree-shap, else KernelSHAP with 128 coalitions × 8 k-means
 * background rows), the target the predicted class, background rows as shared.ts states, seed 0.
 * One code path for `glassbox importance` and the daemon's importance step (header hovers, the
 * side panel, trends): same rows, method and seed give the same shares.
 *
 * "Share": a feature's importance score divided by the sum over features (mean |attribution| over
 * the rows; for signed metric drops such as permutation importance, max(0, mean)); uniform when
 * every attribution is 0.
 */
import type { Dataset } from '../data/dataset';
import { takeRows } from '../data/dataset';
import { defaultImportance, globalImportance as aggregateGlobal, type GlobalImportance } from '../importance/importance';
import { getMethod } from '../methods/registry';
import type { AttributionInput, Target } from '../methods/types';
import type { CheckpointInfo } from '../model/checkpoints';
import type { Project } from '../project';
import { backgroundFor, checkpointRef, classNamesOf, DEFAULT_SEED, type CheckpointRef } from './shared';

export interface ImportanceOptions {
  checkpoint: CheckpointInfo;
  dataset: Dataset;
  /** Row indices into `dataset` (the rows explained). */
  rows: readonly number[];
  /** Method id; default `defaultImportance(model)` with its parameters. */
  method?: string;
  /** Parameters; with no method named they override the default's. */
  params?: Record<string, unknown>;
  target?: Target;
  /** Seed of stochastic methods and of the beeswarm sample; default 0. */
  seed?: number;
  /** Rows kept in the beeswarm sample (default 1000). */
  sampleSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface RowsImportance extends GlobalImportance {
  checkpoint: CheckpointRef;
  target: Target;
  file: string;
  /** Rows explained. */
  rows: number;
  /** Display names of the classes (null for regression); `byPredictedClass[].label` uses them. */
  classes: string[] | null;
  /** The beeswarm sample, its rows as indices into the data set and their 1-based lines. */
  sample: { rows: number[]; lines: number[]; values: number[][] };
}

export async function importanceOver(project: Project, options: ImportanceOptions): Promise<RowsImportance> {
  const { dataset: ds, rows } = options;
  const model = await project.model(options.checkpoint);
  const { encoding } = await project.schema();
  const fallback = defaultImportance(model);
  const method = getMethod(options.method ?? fallback.method);
  const params = options.method === undefined ? { ...fallback.params, ...options.params } : { ...options.params };
  const target = options.target ?? { kind: 'predicted' };
  const input: AttributionInput = { model, encoding, X: takeRows(ds, rows), n: rows.length, target, seed: options.seed ?? DEFAULT_SEED, ...(await backgroundFor(project, method)) };
  if (ds.y) input.labels = Float32Array.from(rows, (i) => ds.y![i]!);
  if (options.signal) input.signal = options.signal;
  if (options.onProgress) input.onProgress = options.onProgress;
  const classes = classNamesOf(project, encoding);
  const g = await aggregateGlobal(method.id, params, input, { ...(options.sampleSize !== undefined ? { sampleSize: options.sampleSize } : {}), ...(classes ? { classLabels: classes } : {}) });
  return {
    checkpoint: checkpointRef(options.checkpoint),
    target,
    file: ds.file,
    rows: rows.length,
    classes,
    ...g,
    sample: { values: g.sample.values, rows: g.sample.rows.map((i) => rows[i]!), lines: g.sample.rows.map((i) => ds.lines[rows[i]!]!) },
  };
}
