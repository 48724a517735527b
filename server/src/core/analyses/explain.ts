/**
 * Explain rows: the model's prediction for each row and its attribution per raw feature, with the
 * method the caller names or the default explanation method (`defaultExplainMethod`: always an
 * additive one, linear-shap for linear models, tree-shap for tree ensembles, KernelSHAP for
 * networks and ONNX graphs, so a row's attributions sum from a base value to the model's output).
 * One code path for `glassbox explain`, the daemon's row explanation (hovers, the Explain panel):
 * same rows, method, parameters and seed give the same numbers everywhere. Background rows follow
 * shared.ts `backgroundFor`.
 *
 * Units: attributions are in the target's units (the logit of the explained class, the regression
 * value, or the loss), per raw feature (one-hot groups summed; gradient-type methods take the
 * row's own category column).
 */
import { columnNames, featureNames } from '../data/encoding';
import type { Dataset } from '../data/dataset';
import { takeRows } from '../data/dataset';
import { getMethod, type MethodId } from '../methods/registry';
import { resolveParams } from '../methods/params';
import { targetValues } from '../methods/batching';
import type { AttributionInput, AttributionResult, Target } from '../methods/types';
import { predict, type ModelHandle, type Predictions } from '../model/model';
import type { CheckpointInfo } from '../model/checkpoints';
import type { Project } from '../project';
import { backgroundFor, checkpointRef, classNamesOf, DEFAULT_SEED, type CheckpointRef } from './shared';

/**
 * The method a row explanation uses when none is named: additive for every model (attributions sum
 * from the base value to the output, what a waterfall shows), exact where the model's structure
 * allows. Gradient saliency, the registry's cheap `defaultRowMethod`, is signed sensitivity, not
 * a contribution: it stays the checks' and comparisons' per-row default, never the explanation's.
 */
export function defaultExplainMethod(model: ModelHandle): MethodId {
  return model.kind === 'linear' ? 'linear-shap' : model.kind === 'trees' ? 'tree-shap' : 'kernel-shap';
}

/**
 * How a method's attributions relate to the model's output (protocol `MethodKind`): `additive`
 * methods sum (exactly, or approximately for the path integrals) from a base value to the output;
 * `local-surrogate` gives a local linear model's coefficients; the rest (gradients, noise-averaged
 * gradients, ablations) are signed local effects that do not add up to the output.
 */
export function methodKind(id: string): 'additive' | 'gradient' | 'local-surrogate' {
  if (['kernel-shap', 'shapley-exact', 'linear-shap', 'tree-shap', 'integrated-gradients', 'expected-gradients'].includes(id)) return 'additive';
  if (id === 'lime') return 'local-surrogate';
  return 'gradient';
}

export interface AttributeOptions {
  /** Method id; default `defaultExplainMethod(model)`. */
  method?: string;
  /** Method parameters (strings are parsed as the method declares); unnamed ones take defaults. */
  params?: Record<string, unknown>;
  /** Default: the predicted class. */
  target?: Target;
  /** True labels per row (the `loss` target needs them). */
  labels?: Float32Array;
  /** Seed of stochastic methods (and of their background samples); default 0. */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Attribution {
  method: string;
  params: Record<string, unknown>;
  /** The seed used, for stochastic methods. */
  seed: number | undefined;
  target: Target;
  result: AttributionResult;
  predictions: Predictions;
}

/** Attributes n encoded rows of `model`: the core of every row explanation (no row bookkeeping). */
export async function attributeRows(project: Project, model: ModelHandle, X: Float32Array, n: number, options: AttributeOptions = {}): Promise<Attribution> {
  const method = getMethod(options.method ?? defaultExplainMethod(model));
  const params = resolveParams(method.id, method.params, options.params ?? {});
  const { encoding } = await project.schema();
  const target = options.target ?? { kind: 'predicted' };
  const seed = options.seed ?? DEFAULT_SEED;
  const input: AttributionInput = { model, encoding, X, n, target, seed, ...(await backgroundFor(project, method)) };
  if (options.labels) input.labels = options.labels;
  if (options.signal) input.signal = options.signal;
  if (options.onProgress) input.onProgress = options.onProgress;
  const result = await method.attribute(input, params);
  return { method: method.id, params, seed: method.capabilities.stochastic ? seed : undefined, target, result, predictions: predict(model, X, n, options.signal) };
}

export interface ExplainOptions extends Omit<AttributeOptions, 'labels'> {
  checkpoint: CheckpointInfo;
  dataset: Dataset;
  /** Row indices into `dataset`. */
  rows: readonly number[];
  /** Also return per-encoded-column attributions. */
  encoded?: boolean;
}

export interface ExplainedRow {
  /** Index into the data set (0-based, header excluded) and the 1-based line it starts on. */
  row: number;
  line: number;
  /** The row's raw cells by feature, when the data set kept them. */
  values: Record<string, string | undefined> | undefined;
  /** The class explained (-1 for regression). */
  targetClass: number | undefined;
  /** Classification: predicted class index and its probability; regression: the predicted value. */
  prediction: { class?: number; probability?: number; value?: number };
  /** True class index or value, when the file has one for the row. */
  label?: number;
  /**
   * The model output explained (what an additive method's attributions sum to from its base value):
   * the target class's logit (log-odds for one-output binary models), the negated loss for the
   * `loss` target, the predicted value for regression.
   */
  output: number;
  /** Per raw feature. */
  attributions: Record<string, number>;
  encoded?: Record<string, number>;
}

export interface RowsExplanation {
  checkpoint: CheckpointRef;
  method: string;
  params: Record<string, unknown>;
  /** Present for stochastic methods. */
  seed?: number;
  target: Target;
  file: string;
  features: string[];
  classes: string[] | null;
  rows: ExplainedRow[];
  extras: Record<string, unknown>;
}

/** Explains rows of a data set at a checkpoint. */
export async function explainRows(project: Project, options: ExplainOptions): Promise<RowsExplanation> {
  const { dataset: ds, rows } = options;
  const model = await project.model(options.checkpoint);
  const { encoding } = await project.schema();
  const X = takeRows(ds, rows);
  const labels = ds.y ? Float32Array.from(rows, (i) => ds.y![i]!) : undefined;
  const a = await attributeRows(project, model, X, rows.length, { ...options, ...(labels ? { labels } : {}) });
  const names = featureNames(encoding);
  const F = names.length;
  const cols = columnNames(encoding);
  const p = a.predictions;
  // The explained scalar per row, as the methods define it (methods/target.ts `targetScalar`).
  const outputs = targetValues(model, X, rows.length, Int32Array.from(a.result.targetClass, (k) => Math.max(k, 0)), a.target, 4096);
  const out = rows.map((row, i): ExplainedRow => {
    const y = ds.y?.[row];
    return {
      row,
      line: ds.lines[row]!,
      values: ds.raw ? Object.fromEntries(encoding.features.map((f) => [f.name, ds.raw![row]![ds.header.indexOf(f.name)]])) : undefined,
      targetClass: a.result.targetClass[i],
      prediction: p.predicted ? { class: p.predicted[i]!, probability: p.probabilities![i * p.classes + p.predicted[i]!]! } : { value: p.logits[i * p.classes]! },
      ...(y !== undefined && !Number.isNaN(y) ? { label: y } : {}),
      output: outputs[i]!,
      attributions: Object.fromEntries(names.map((nm, f) => [nm, a.result.grouped[i * F + f]!])),
      ...(options.encoded ? { encoded: Object.fromEntries(cols.map((c, j) => [c, a.result.encoded[i * encoding.width + j]!])) } : {}),
    };
  });
  return {
    checkpoint: checkpointRef(options.checkpoint),
    method: a.method,
    params: a.params,
    ...(a.seed !== undefined ? { seed: a.seed } : {}),
    target: a.target,
    file: ds.file,
    features: names,
    classes: classNamesOf(project, encoding),
    rows: out,
    extras: a.result.extras,
  };
}
