/**
 * Gradient counterfactual search for differentiable models (Wachter et al. 2017 with an L1
 * proximal step, as in Dhurandhar et al. 2018's elastic-net formulation): in the encoded space,
 * minimise  Σ relu(κ − score(x0 + δ)) + λ Σ_j w_j |δ_j|  by proximal gradient descent, several λ
 * at once (one batch row each), where w_j is the raw-distance cost of one encoded unit (scale/MAD
 * for numeric columns, 1/2 per one-hot column so a category switch costs 1). The L1 prox
 * (soft-thresholding) sets most δ_j exactly to zero, so solutions are sparse. Each δ stays in the
 * box the constraints allow (immutable: 0; numeric: the allowed interval; one-hot: [0, 1] over
 * training categories). The relaxed solutions are projected to valid raw values (argmax category,
 * integers rounded away from the original, interval clamped, at most `maxChanges` features) at a
 * few scales of δ, and kept when `predict` says they meet the goal.
 */
import { tf } from '../engine/tf';
import { throwIfAborted } from '../errors';
import { allowedInterval } from './constraints';
import { evaluateGoal, goalScoreTensor } from './objective';
import { makeCandidate, type Candidate, type RefineContext } from './refine';
import { setRaw, stepCost } from './space';

export interface GradientOptions {
  /** Penalty weights, one start each (default 0.02, 0.1, 0.4). */
  lambdas?: number[];
  /** Proximal steps (default 10: enough on tabular MLPs, see the benchmark). */
  steps?: number;
  /** Score margin the hinge aims past the boundary (logits; default 0.2). */
  kappa?: number;
}

const DEFAULT_LAMBDAS = [0.02, 0.1, 0.4];
const SCALES = [1, 1.3, 1.8, 2.6];
const EAGER = 0.1;

export function gradientCounterfactuals(ctx: RefineContext, options: GradientOptions = {}): Candidate[] {
  const { model, space, x0, raw0, constraints, goal } = ctx;
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;
  const steps = options.steps ?? 10;
  const kappa = options.kappa ?? goal.margin ?? 0.2;
  const d = x0.length;
  const S = lambdas.length;
  const w = new Float32Array(d);
  const lo = new Float32Array(d);
  const hi = new Float32Array(d);
  space.dims.forEach((dim, f) => {
    if (!constraints.mutable[f]) return;
    if (dim.kind === 'numeric') {
      const [a, b] = allowedInterval(constraints, f, raw0[f]!);
      if (!(a <= b) || dim.scale === 0) return;
      const c = dim.column;
      w[c] = dim.scale / dim.mad;
      lo[c] = Math.min(0, (a - dim.offset) / dim.scale - x0[c]!);
      hi[c] = Math.max(0, (b - dim.offset) / dim.scale - x0[c]!);
    } else if (dim.ordinal) {
      const c = dim.columns[0];
      w[c] = 1;
      lo[c] = Math.min(...dim.observed) - x0[c]!;
      hi[c] = Math.max(...dim.observed) - x0[c]!;
    } else {
      const [s, e] = dim.columns;
      for (let c = s; c < e; c++) {
        w[c] = 0.5;
        const allowed = dim.observed.includes(c - s);
        lo[c] = -x0[c]!;
        hi[c] = allowed ? 1 - x0[c]! : 0;
      }
    }
  });
  const relaxed = tf.tidy(() => {
    const xb = tf.tile(tf.tensor2d(x0, [1, d]), [S, 1]);
    const thrBase = tf.mul(tf.tensor2d(lambdas, [S, 1]), tf.tensor2d(w, [1, d]));
    const loT = tf.tensor2d(lo, [1, d]);
    const hiT = tf.tensor2d(hi, [1, d]);
    const K = model.classes;
    const k = goal.target ?? goal.from;
    // Regression goals read the value column and need no class mask.
    const mask = goal.interval ? undefined : tf.tensor2d(Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)), [1, K]);
    const loss = (delta: tf.Tensor2D) => tf.sum(tf.relu(tf.sub(kappa, goalScoreTensor(model.logits(tf.add(xb, delta) as tf.Tensor2D), goal, mask))));
    const grad = tf.grad(loss as (x: tf.Tensor) => tf.Tensor);
    let delta: tf.Tensor2D = tf.zeros([S, d]);
    for (let t = 0; t < steps; t++) {
      throwIfAborted(ctx.signal);
      const alpha = 0.3 * (1 - t / steps) + 0.02;
      const next = tf.tidy(() => {
        const g = grad(delta) as tf.Tensor2D;
        const norm = tf.add(tf.norm(g, 'euclidean', 1, true), 1e-12);
        const moved = tf.sub(delta, tf.mul(tf.div(g, norm), alpha));
        const shrunk = tf.mul(tf.sign(moved), tf.relu(tf.sub(tf.abs(moved), tf.mul(thrBase, alpha))));
        return tf.minimum(tf.maximum(shrunk, loT), hiT) as tf.Tensor2D;
      });
      delta.dispose();
      delta = next;
    }
    return delta;
  });
  const deltas = relaxed.dataSync() as Float32Array;
  relaxed.dispose();

  // Project each relaxed row at a few scales of δ (the hinge stops right at the boundary, where
  // rounding can fall back across it).
  const rows: Float32Array[] = [];
  const seen = new Set<string>();
  for (let s = 0; s < S; s++) {
    for (const k of SCALES) for (const eager of [false, true]) {
      const x = project(ctx, deltas.subarray(s * d, (s + 1) * d), k, eager);
      if (!x) continue;
      const key = x.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(x);
    }
  }
  if (rows.length === 0) return [];
  const X = new Float32Array(rows.length * d);
  rows.forEach((r, i) => X.set(r, i * d));
  const scores = evaluateGoal(model, goal, X, rows.length, ctx.signal).score;
  return rows.flatMap((x, i) => (scores[i]! > 0 ? [makeCandidate(space, raw0, x, scores[i]!, 'gradient')] : []));
}

/**
 * A valid raw row near x0 + k·δ, or undefined when it changes nothing. A one-hot group switches to
 * the training category whose relaxed column is highest when it beats the row's own; `eager` also
 * switches to the category that gained most once its column rose by EAGER (the relaxed optimum
 * often spreads a switch over several columns, none of which wins on its own).
 */
function project(ctx: RefineContext, delta: Float32Array, k: number, eager: boolean): Float32Array | undefined {
  const { space, x0, raw0, constraints } = ctx;
  const x = Float32Array.from(x0);
  const changes: Array<{ f: number; value: number; cost: number }> = [];
  space.dims.forEach((dim, f) => {
    if (!constraints.mutable[f]) return;
    const v0 = raw0[f]!;
    if (dim.kind === 'numeric') {
      const c = dim.column;
      if (delta[c] === 0) return;
      const [a, b] = allowedInterval(constraints, f, v0);
      let v = (x0[c]! + k * delta[c]!) * dim.scale + dim.offset;
      if (dim.integer) v = v > v0 ? Math.ceil(v - 1e-9) : Math.floor(v + 1e-9);
      v = Math.min(dim.integer ? Math.floor(b) : b, Math.max(dim.integer ? Math.ceil(a) : a, v));
      if (v !== v0) changes.push({ f, value: v, cost: stepCost(dim, v0, v) });
      return;
    }
    const [s, e] = dim.columns;
    let best = v0;
    if (dim.ordinal) {
      const r = Math.round(x0[s]! + k * delta[s]!);
      if (dim.observed.includes(r)) best = r;
    } else {
      // The training category whose relaxed column is highest, when it beats the row's own.
      const own = v0 >= 0 && v0 < e - s ? x0[s + v0]! + k * delta[s + v0]! : 1 + k * Math.min(0, ...Array.from(delta.subarray(s, e)));
      let bestValue = own;
      for (const cat of dim.observed) {
        if (cat === v0 || cat >= e - s) continue;
        const val = x0[s + cat]! + k * delta[s + cat]!;
        if (val > bestValue) {
          bestValue = val;
          best = cat;
        }
      }
      if (eager && best === v0) {
        let gain = EAGER;
        for (const cat of dim.observed) {
          if (cat === v0 || cat >= e - s || !(k * delta[s + cat]! > gain)) continue;
          gain = k * delta[s + cat]!;
          best = cat;
        }
      }
    }
    if (best !== v0) changes.push({ f, value: best, cost: 1 });
  });
  if (changes.length === 0) return undefined;
  // Too many features changed: keep the most expensive moves (the ones doing the work).
  changes.sort((p, q) => q.cost - p.cost);
  for (const c of changes.slice(0, constraints.maxChanges)) setRaw(space.dims[c.f]!, x, 0, c.value);
  return x;
}
