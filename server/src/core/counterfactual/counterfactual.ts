/**
 * Counterfactual explanations for one row: a few small, diverse changes of raw feature values that
 * make the model predict the target class (Wachter et al. 2017; diversity as in DiCE, Mothilal et
 * al. 2020), each re-encoded from its raw values and re-evaluated through `predict`.
 *
 * - Distance: MAD-scaled L1 over numeric features plus 1 per changed categorical (space.ts).
 * - Search: gradient (proximal, gradient.ts) where the model is differentiable, pooled with the
 *   model-agnostic beam search (search.ts), which alone serves tree ensembles; then sparsified and
 *   shortened (refine.ts). Diversity: at most one counterfactual per changed-feature subset.
 * - Ranking: among twice as many valid, diverse candidates as asked, in-distribution ones (OOD
 *   p-value ≥ `oodAlpha`) come first, each group cheapest first.
 * - Plausibility: mean distance to the k nearest training rows of the target class (label, or the
 *   model's prediction when the data has no labels) and the calibrated OOD p-value of drift/ood.ts.
 * - A data-backed alternative: the nearest training row the model predicts as the target class
 *   (and labelled so, when labels exist) that respects the immutable features, directions and
 *   bounds.
 * - Nothing found: each constraint is relaxed alone to name the ones that bind.
 * - Regression models: the goal is an interval of the predicted value (`targetValue`, e.g.
 *   ≥ 50000); "the target class" above reads "rows whose label (else prediction) is in it".
 */
import { compileEncoder, type Encoding } from '../data/encoding';
import { fitOod, scoreOod, type OodDetector, type OodOptions } from '../drift/ood';
import { GlassboxError, throwIfAborted } from '../errors';
import { formatNumber } from '../analyses/shared';
import { predict, type ModelHandle } from '../model/model';
import { allowedInterval, RELAXATIONS, resolveConstraints, type ConstraintNames, type CounterfactualConstraints, type ResolvedConstraints } from './constraints';
import { gradientCounterfactuals } from './gradient';
import { evaluateGoal, intervalScore, type Evaluation, type Goal } from './objective';
import { decode, refine, type Candidate, type RefineContext, type SearchMethod } from './refine';
import { searchCounterfactuals } from './search';
import { displayValue, fitFeatureSpace, type FeatureSpace } from './space';

export interface CounterfactualModel {
  model: ModelHandle;
  encoding: Encoding;
  space: FeatureSpace;
  /** The OOD detector for plausibility, fitted on first use (validation errors come first). */
  readonly ood: OodDetector;
  /** Model's class for every training row (regression: -1). */
  trainPredicted: Int32Array;
  /** n x K class probabilities of the training rows (regression: empty). */
  trainProbabilities: Float32Array;
  /** Regression: the model's value for every training row. */
  trainValues?: Float32Array;
  /** Training labels (class index or regression value, NaN when missing), when the data has them. */
  trainLabels?: Float32Array;
  classLabels: string[];
}

/** Fits what every request on this model shares (feature space, OOD detector, training predictions). */
export function prepareCounterfactuals(
  model: ModelHandle,
  encoding: Encoding,
  train: { X: Float32Array; n: number; y?: Float32Array },
  options: { ood?: OodOptions; classLabels?: string[]; signal?: AbortSignal } = {},
): CounterfactualModel {
  const space = fitFeatureSpace(encoding, train);
  let ood: OodDetector | undefined;
  const fit = () => (ood ??= fitOod(model, encoding, train, { ...options.ood, ...(options.signal ? { signal: options.signal } : {}) }));
  const p = predict(model, train.X, train.n, options.signal);
  const regression = !p.predicted;
  const classLabels = regression ? [] : (options.classLabels ?? encoding.label?.classes ?? Array.from({ length: model.classes }, (_, k) => String(k)));
  const out: CounterfactualModel = {
    model,
    encoding,
    space,
    get ood() {
      return fit();
    },
    trainPredicted: p.predicted ?? new Int32Array(train.n).fill(-1),
    trainProbabilities: p.probabilities ?? new Float32Array(0),
    classLabels,
  };
  if (regression) out.trainValues = Float32Array.from({ length: train.n }, (_, i) => p.logits[i * p.classes]!);
  if (train.y) out.trainLabels = train.y;
  return out;
}

export interface CounterfactualRequest {
  /** Class index to reach; default: any class other than the predicted one. */
  target?: number;
  /** Minimum probability of the target class (needs `target`). */
  probability?: number;
  /**
   * Regression models: the interval the predicted value must reach (inclusive; one end may be
   * open), or a value to reach: at least it when the row's prediction is below, at most it when above.
   */
  targetValue?: { min?: number; max?: number } | number;
  /** Counterfactuals to return (default 3). */
  count?: number;
  constraints?: CounterfactualConstraints;
  /** How constraint arguments are named in messages. */
  names?: ConstraintNames;
  /** `auto`: gradient and model-agnostic search pooled for differentiable models, else search. */
  method?: 'auto' | 'gradient' | 'search';
  /** Nearest training rows of the target class averaged for plausibility (default 5). */
  neighbours?: number;
  /** OOD p-value below which a counterfactual is flagged out of distribution (default 0.05). */
  oodAlpha?: number;
  signal?: AbortSignal;
}

export type RawValue = string | number | null;

export interface Change {
  feature: string;
  from: RawValue;
  to: RawValue;
}

/** A model's answer. Regression: `class` -1, `label` the value as text, no probabilities, `value`. */
export interface ClassPrediction {
  class: number;
  label: string;
  probabilities: number[];
  value?: number;
}

export interface CounterfactualExample {
  changes: Change[];
  /** The whole counterfactual row in raw values. */
  values: Record<string, RawValue>;
  /** Re-encoded from `values` and re-evaluated through `predict`. */
  prediction: ClassPrediction;
  distance: number;
  /** Number of features changed. */
  sparsity: number;
  plausibility: { nearestTargetDistance: number; oodPValue: number; outOfDistribution: boolean };
  method: SearchMethod;
}

export interface NearestTrainingRow {
  /** 0-based row of the training data. */
  row: number;
  distance: number;
  sparsity: number;
  changes: Change[];
  prediction: ClassPrediction;
}

export interface RowCounterfactuals {
  prediction: ClassPrediction;
  goal: { target: number | null; targetLabel: string | null; probability: number | null; interval: { min: number; max: number } | null };
  /** found: at least one; none: no counterfactual within the constraints; already: the row meets the goal. */
  status: 'found' | 'none' | 'already';
  counterfactuals: CounterfactualExample[];
  nearestTrainingRow: NearestTrainingRow | null;
  /** For `none`: why, naming the constraints that bind. */
  message?: string;
  binding?: string[];
}

/** Validates the request against the model once (targets, probabilities, constraint names). */
export function checkRequest(cf: CounterfactualModel, req: CounterfactualRequest): ResolvedConstraints {
  const K = cf.model.classes;
  if (cf.trainValues) {
    if (req.target !== undefined || req.probability !== undefined) throw new GlassboxError('usage', 'this is a regression model: give the value to reach (a target value or interval), not a class or probability');
    const t = typeof req.targetValue === 'number' ? { min: req.targetValue } : req.targetValue;
    if (!t || (t.min === undefined && t.max === undefined)) throw new GlassboxError('usage', 'counterfactuals of a regression model need a target value or interval to reach (e.g. >= 50000)');
    for (const v of [t.min, t.max]) if (v !== undefined && !Number.isFinite(v)) throw new GlassboxError('usage', `the target value must be a finite number, got ${v}`);
    if (t.min !== undefined && t.max !== undefined && t.min > t.max) throw new GlassboxError('usage', `the target interval is empty: ${t.min} > ${t.max}`);
    const lo = cf.trainValues.reduce((m, v) => Math.min(m, v), Infinity);
    const hi = cf.trainValues.reduce((m, v) => Math.max(m, v), -Infinity);
    // Beyond every training prediction: no counterfactual within the data's range can get there.
    if ((t.min !== undefined && t.min > hi + (hi - lo)) || (t.max !== undefined && t.max < lo - (hi - lo))) {
      throw new GlassboxError('usage', `the target ${intervalText({ min: t.min ?? -Infinity, max: t.max ?? Infinity })} is out of reach: the model predicts ${formatNumber(lo)}..${formatNumber(hi)} on the training data`);
    }
  } else if (req.targetValue !== undefined) {
    throw new GlassboxError('usage', 'a target value applies to regression models; this model is a classifier (give a target class)');
  }
  if (req.target !== undefined && !(Number.isInteger(req.target) && req.target >= 0 && req.target < K)) {
    throw new GlassboxError('usage', `target class ${req.target} does not exist; the classes are ${cf.classLabels.map((l, k) => `${k} (${l})`).join(', ')}`);
  }
  if (req.probability !== undefined) {
    if (req.target === undefined) throw new GlassboxError('usage', 'a target probability needs a target class');
    if (!(req.probability > 0 && req.probability < 1)) throw new GlassboxError('usage', `the target probability must be between 0 and 1 (exclusive), got ${req.probability}`);
  }
  if (req.count !== undefined && !(Number.isInteger(req.count) && req.count >= 1)) throw new GlassboxError('usage', `the number of counterfactuals must be a positive integer, got ${req.count}`);
  return resolveConstraints(cf.space, req.constraints, req.names);
}

/** Counterfactuals for one encoded row `x0` (width = encoding width). */
export function counterfactualsForRow(cf: CounterfactualModel, x0: Float32Array, req: CounterfactualRequest = {}): RowCounterfactuals {
  const constraints = checkRequest(cf, req);
  const { model, space } = cf;
  const count = req.count ?? 3;
  const goal = goalOf(cf, x0, req);
  const before = evaluateGoal(model, goal, x0, 1, req.signal);
  const from = goal.from;
  const prediction = predictionAt(cf, before, 0);
  const raw0 = decode(space, x0);
  const result: RowCounterfactuals = {
    prediction,
    goal: { target: req.target ?? null, targetLabel: req.target !== undefined ? cf.classLabels[req.target]! : null, probability: req.probability ?? null, interval: goal.interval ?? null },
    status: 'found',
    counterfactuals: [],
    nearestTrainingRow: null,
  };
  if (before.score[0]! > 0) {
    result.status = 'already';
    result.message = goal.interval
      ? `the row's prediction ${formatNumber(prediction.value!)} is already ${intervalText(goal.interval)}`
      : req.target !== undefined
        ? `the row is already predicted as ${cf.classLabels[req.target]}${req.probability !== undefined ? ` with probability ≥ ${req.probability}` : ''}`
        : 'the row already meets the goal';
    return result;
  }
  const ctx: RefineContext = { model, space, goal, constraints, x0, raw0, ...(req.signal ? { signal: req.signal } : {}) };
  const candidates = findCandidates(ctx, req.method ?? 'auto', count);
  // Twice as many as asked, so in-distribution ones can be preferred (finalize ranks and cuts).
  const chosen = diverse(candidates, PLAUSIBLE_POOL * count);
  result.counterfactuals = finalize(cf, ctx, chosen, req, count);
  result.nearestTrainingRow = nearestTrainingRow(cf, ctx, from);
  if (result.counterfactuals.length === 0) {
    result.status = 'none';
    const why = bindingConstraints(cf, ctx, req);
    result.binding = why.binding;
    result.message = why.message;
  }
  return result;
}

/** Candidates kept per returned counterfactual before ranking by plausibility. */
const PLAUSIBLE_POOL = 2;

function findCandidates(ctx: RefineContext, method: 'auto' | 'gradient' | 'search', count: number): Candidate[] {
  const pool: Candidate[] = [];
  const useGradient = method === 'gradient' || (method === 'auto' && ctx.model.differentiable);
  if (method === 'gradient' && !ctx.model.differentiable) {
    throw new GlassboxError('usage', `gradient search needs a differentiable model; ${ctx.model.kind === 'trees' ? 'tree ensembles have no gradients' : 'this model has none'} (use the model-agnostic search)`);
  }
  const want = Math.max(PLAUSIBLE_POOL * count, 6);
  if (useGradient) pool.push(...gradientCounterfactuals(ctx));
  // The search's deeper levels (two and three features changed) are the slow tail; it goes there
  // only while the gradient's distinct feature subsets fall short of what is wanted.
  if (method !== 'gradient') pool.push(...searchCounterfactuals(ctx, { want, have: new Set(pool.filter((c) => c.score > 0).map((c) => c.changed.join(','))).size }));
  throwIfAborted(ctx.signal);
  // Refining costs forward passes per candidate: only the cheapest of each subset, and the
  // cheapest few overall, are worth it.
  return refine(ctx, diverse(pool.filter((c) => c.score > 0), REFINED * want));
}

/** Candidates refined per wanted one (the rest are dearer duplicates of a subset). */
const REFINED = 2;

/** Cheapest first, one per changed-feature subset; identical rows once. */
function diverse(cands: Candidate[], count: number): Candidate[] {
  const sorted = cands.slice().sort((a, b) => a.distance - b.distance || a.changed.length - b.changed.length);
  const subsets = new Set<string>();
  const out: Candidate[] = [];
  for (const c of sorted) {
    const key = c.changed.join(',');
    if (subsets.has(key)) continue;
    subsets.add(key);
    out.push(c);
    if (out.length === count) break;
  }
  return out;
}

/**
 * Re-encodes each candidate from the raw values it reports (the path a user re-running them takes)
 * and keeps those `predict` confirms; adds predictions and plausibility.
 */
function finalize(cf: CounterfactualModel, ctx: RefineContext, chosen: Candidate[], req: CounterfactualRequest, count: number): CounterfactualExample[] {
  if (chosen.length === 0) return [];
  const { space, model, encoding } = cf;
  const names = space.dims.map((d) => d.name);
  const encoder = compileEncoder(encoding, names);
  const d = encoding.width;
  const X = new Float32Array(chosen.length * d);
  const values = chosen.map((c, i) => {
    const row = space.dims.map((dim, f) => displayValue(dim, c.raw[f]!));
    encoder.encode(row.map((v) => (v === null ? '' : String(v))), X, i * d);
    return row;
  });
  const ev = evaluateGoal(model, ctx.goal, X, chosen.length, ctx.signal);
  const ood = scoreOod(cf.ood, model, encoding, X, chosen.length);
  const alpha = req.oodAlpha ?? 0.05;
  const k = req.neighbours ?? 5;
  // Plausible first: in-distribution counterfactuals (cheapest first), then the flagged ones.
  // `chosen` is sorted by distance, and the sort is stable.
  const ranked = chosen
    .map((c, i) => ({ c, i }))
    .filter(({ i }) => ev.score[i]! > 0)
    .sort((a, b) => Number(ood.pValue[a.i]! < alpha) - Number(ood.pValue[b.i]! < alpha))
    .slice(0, count);
  return ranked.map(({ c, i }) => {
    const cls = ev.predicted[i]!;
    return {
      changes: describeChanges(space, ctx.raw0, c.raw),
      values: Object.fromEntries(names.map((n, f) => [n, values[i]![f]!])),
      prediction: predictionAt(cf, ev, i),
      distance: c.distance,
      sparsity: c.changed.length,
      plausibility: { nearestTargetDistance: nearestOfClass(cf, c.raw, ctx.goal, cls, k), oodPValue: ood.pValue[i]!, outOfDistribution: ood.pValue[i]! < alpha },
      method: c.method,
    };
  });
}

function describeChanges(space: FeatureSpace, raw0: Float64Array, raw: Float64Array): Change[] {
  return space.dims.flatMap((dim, f) => (raw[f] !== raw0[f] ? [{ feature: dim.name, from: displayValue(dim, raw0[f]!), to: displayValue(dim, raw[f]!) }] : []));
}

function classPrediction(cf: CounterfactualModel, cls: number, probabilities: ArrayLike<number>): ClassPrediction {
  return { class: cls, label: cf.classLabels[cls] ?? String(cls), probabilities: Array.from(probabilities).slice(0, cf.model.classes) };
}

function valuePrediction(v: number): ClassPrediction {
  return { class: -1, label: formatNumber(v), probabilities: [], value: v };
}

/** The prediction for row i of an evaluation. */
function predictionAt(cf: CounterfactualModel, ev: Evaluation, i: number): ClassPrediction {
  if (ev.values) return valuePrediction(ev.values[i]!);
  const K = cf.model.classes;
  return classPrediction(cf, ev.predicted[i]!, ev.probabilities.subarray(i * K, (i + 1) * K));
}

function intervalText(t: { min: number; max: number }): string {
  if (!Number.isFinite(t.max)) return `≥ ${formatNumber(t.min)}`;
  if (!Number.isFinite(t.min)) return `≤ ${formatNumber(t.max)}`;
  return t.min === t.max ? `= ${formatNumber(t.min)}` : `in ${formatNumber(t.min)}..${formatNumber(t.max)}`;
}

/**
 * The request's goal for a row. Regression: the target interval, and the gradient's margin past
 * its end: 5 % of the training predictions' standard deviation, at most a quarter of the interval.
 */
function goalOf(cf: CounterfactualModel, x0: Float32Array, req: CounterfactualRequest): Goal {
  if (cf.trainValues) {
    let t = req.targetValue ?? {};
    if (typeof t === 'number') {
      const v0 = evaluateGoal(cf.model, { from: -1, interval: { min: -Infinity, max: Infinity } }, x0, 1, req.signal).values![0]!;
      t = v0 < t ? { min: t } : { max: t };
    }
    const interval = { min: t.min ?? -Infinity, max: t.max ?? Infinity };
    const v = cf.trainValues;
    let mean = 0;
    for (const x of v) mean += x / v.length;
    let varSum = 0;
    for (const x of v) varSum += (x - mean) ** 2;
    let margin = 0.05 * Math.sqrt(varSum / v.length);
    if (Number.isFinite(interval.max - interval.min)) margin = Math.min(margin, (interval.max - interval.min) / 4);
    return { from: -1, interval, margin };
  }
  const from = evaluateGoal(cf.model, { from: 0 }, x0, 1, req.signal).predicted[0]!;
  return { from, ...(req.target !== undefined ? { target: req.target } : {}), ...(req.probability !== undefined ? { probability: req.probability } : {}) };
}

/** Raw-space distance between a raw vector and training row i. */
function distanceToTrain(space: FeatureSpace, raw: Float64Array, i: number): number {
  const F = space.dims.length;
  let s = 0;
  for (let f = 0; f < F; f++) {
    const a = raw[f]!;
    const b = space.trainRaw[i * F + f]!;
    if (a === b) continue;
    const dim = space.dims[f]!;
    s += dim.kind === 'categorical' ? 1 : dim.mad > 0 ? Math.abs(a - b) / dim.mad : 0;
  }
  return s;
}

/** The class of training row i for plausibility: its label, else the model's prediction. */
function trainClass(cf: CounterfactualModel, i: number): number {
  const y = cf.trainLabels?.[i];
  return y === undefined || Number.isNaN(y) ? cf.trainPredicted[i]! : y;
}

/** Regression: whether training row i's label (else the model's value) lies in the goal's interval. */
function trainInInterval(cf: CounterfactualModel, i: number, interval: { min: number; max: number }): boolean {
  const y = cf.trainLabels?.[i];
  const v = y === undefined || Number.isNaN(y) ? cf.trainValues![i]! : y;
  return v >= interval.min && v <= interval.max;
}

/** Mean distance to the k nearest training rows of class `cls` (regression: with a value in the goal's interval). */
function nearestOfClass(cf: CounterfactualModel, raw: Float64Array, goal: Goal, cls: number, k: number): number {
  const best: number[] = [];
  for (let i = 0; i < cf.space.trainN; i++) {
    if (goal.interval ? !trainInInterval(cf, i, goal.interval) : trainClass(cf, i) !== cls) continue;
    const dist = distanceToTrain(cf.space, raw, i);
    if (best.length < k || dist < best[best.length - 1]!) {
      best.push(dist);
      best.sort((a, b) => a - b);
      if (best.length > k) best.pop();
    }
  }
  return best.length ? best.reduce((s, v) => s + v, 0) / best.length : NaN;
}

function nearestTrainingRow(cf: CounterfactualModel, ctx: RefineContext, from: number): NearestTrainingRow | null {
  const { space, raw0, constraints, goal } = ctx;
  const F = space.dims.length;
  const K = cf.model.classes;
  const meets = (cls: number, i: number) =>
    goal.target === undefined ? cls !== from : cls === goal.target && (goal.probability === undefined || cf.trainProbabilities[i * K + cls]! >= goal.probability);
  const interval = goal.interval;
  let bestI = -1;
  let bestD = Infinity;
  for (let i = 0; i < space.trainN; i++) {
    const cls = cf.trainPredicted[i]!;
    const y = cf.trainLabels?.[i];
    if (interval) {
      // The model's value reaches the goal, and so does the label when there is one.
      if (!(intervalScore(cf.trainValues![i]!, interval) > 0)) continue;
      if (y !== undefined && !Number.isNaN(y) && !(y >= interval.min && y <= interval.max)) continue;
    } else {
      if (!meets(cls, i)) continue;
      if (y !== undefined && !Number.isNaN(y) && y !== cls) continue;
    }
    let ok = true;
    for (let f = 0; f < F && ok; f++) {
      const v = space.trainRaw[i * F + f]!;
      if (v === raw0[f]) continue;
      if (!constraints.mutable[f]) ok = false;
      else if (space.dims[f]!.kind === 'numeric') {
        const [a, b] = allowedInterval(constraints, f, raw0[f]!);
        ok = v >= a && v <= b;
      }
    }
    if (!ok) continue;
    const dist = distanceToTrain(space, raw0, i);
    if (dist < bestD) {
      bestD = dist;
      bestI = i;
    }
  }
  if (bestI < 0) return null;
  const raw = space.trainRaw.slice(bestI * F, (bestI + 1) * F);
  const changes = describeChanges(space, raw0, raw);
  const cls = cf.trainPredicted[bestI]!;
  const prediction = cf.trainValues ? valuePrediction(cf.trainValues[bestI]!) : classPrediction(cf, cls, cf.trainProbabilities.subarray(bestI * K, (bestI + 1) * K));
  return { row: bestI, distance: bestD, sparsity: changes.length, changes, prediction };
}

/** Which constraints, relaxed alone, let the model-agnostic search find a counterfactual. */
function bindingConstraints(cf: CounterfactualModel, ctx: RefineContext, req: CounterfactualRequest): { binding: string[]; message: string } {
  const names = req.names ?? { immutable: 'immutable', directions: 'directions', bounds: 'bounds', maxChanges: 'maxChanges', outsideRange: 'outsideRange' };
  const given = ctx.constraints.given;
  const F = cf.space.dims.length;
  const feasible = (c: CounterfactualConstraints) => {
    const resolved = resolveConstraints(cf.space, c, names);
    return searchCounterfactuals({ ...ctx, constraints: resolved }, { want: 1 }).length > 0;
  };
  const binding: string[] = [];
  for (const r of RELAXATIONS) {
    const relaxed = r.apply(given, F);
    if (relaxed && feasible(relaxed)) binding.push(names[r.name]);
  }
  const goalText = ctx.goal.interval
    ? `brings the prediction ${intervalText(ctx.goal.interval)}`
    : ctx.goal.target !== undefined ? `reaches ${cf.classLabels[ctx.goal.target]}${ctx.goal.probability !== undefined ? ` with probability ≥ ${ctx.goal.probability}` : ''}` : `changes the prediction from ${cf.classLabels[ctx.goal.from]}`;
  if (binding.length) return { binding, message: `no counterfactual that ${goalText} within the constraints; relaxing ${binding.join(' or ')} would find one` };
  const all = RELAXATIONS.reduce((c, r) => r.apply(c, F) ?? c, given);
  if (feasible(all)) {
    const every = RELAXATIONS.filter((r) => r.apply(given, F)).map((r) => names[r.name]);
    return { binding: every, message: `no counterfactual that ${goalText} within the constraints; only relaxing ${every.join(', ')} together finds one` };
  }
  return { binding: [], message: `no counterfactual that ${goalText} even without constraints, with values from the training data's range` };
}


export interface AssessedRow extends Omit<CounterfactualExample, 'method'> {
  /** The row meets the goal (any class other than the original's, or the target). */
  valid: boolean;
}

/**
 * Scores counterfactual rows found elsewhere (another tool, a user's edit) by the same measures as
 * Glassbox's own: validity through `predict`, distance, sparsity, plausibility. `values` are raw
 * values by feature name, as a CSV row would hold them.
 */
export function assessRows(cf: CounterfactualModel, x0: Float32Array, values: Array<Record<string, RawValue>>, req: Pick<CounterfactualRequest, 'target' | 'probability' | 'targetValue' | 'neighbours' | 'oodAlpha'> = {}): AssessedRow[] {
  if (values.length === 0) return [];
  const { space, model, encoding } = cf;
  const names = space.dims.map((d) => d.name);
  const encoder = compileEncoder(encoding, names);
  const d = encoding.width;
  const X = new Float32Array(values.length * d);
  values.forEach((v, i) => encoder.encode(names.map((n) => (v[n] === null || v[n] === undefined ? '' : String(v[n]))), X, i * d));
  const goal = goalOf(cf, x0, req);
  const ev = evaluateGoal(model, goal, X, values.length);
  const ood = scoreOod(cf.ood, model, encoding, X, values.length);
  const raw0 = decode(space, x0);
  return values.map((v, i) => {
    const raw = decode(space, X, i * d);
    const changes = describeChanges(space, raw0, raw);
    let distance = 0;
    space.dims.forEach((dim, f) => {
      if (raw[f] === raw0[f]) return;
      distance += dim.kind === 'categorical' ? 1 : dim.mad > 0 ? Math.abs(raw[f]! - raw0[f]!) / dim.mad : 0;
    });
    const cls = ev.predicted[i]!;
    return {
      valid: ev.score[i]! > 0,
      changes,
      values: v,
      prediction: predictionAt(cf, ev, i),
      distance,
      sparsity: changes.length,
      plausibility: { nearestTargetDistance: nearestOfClass(cf, raw, goal, cls, req.neighbours ?? 5), oodPValue: ood.pValue[i]!, outOfDistribution: ood.pValue[i]! < (req.oodAlpha ?? 0.05) },
    };
  });
}
