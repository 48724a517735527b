/**
 * Minimal perturbation that flips a prediction, per row, in the encoded input space (numeric
 * columns standardised, so one unit is one training standard deviation), under the L2 or L∞ norm.
 *
 * - Linear models (`kind: 'linear'`, coefficients in `native`): exact, the distance to the nearest
 *   decision boundary, min over k ≠ c of (z_c − z_k) / ‖(w_c − w_k)_S‖_* with ‖·‖_* the dual norm
 *   (L2 for L2, L1 for L∞) over the perturbed columns S (Szegedy et al. 2014; DeepFool,
 *   Moosavi-Dezfooli et al. 2016, is exact here).
 * - Differentiable models: projected gradient descent (Madry et al. 2018), a targeted attack toward
 *   each other class k maximising z_k − z_c within a ball of radius ε, with ε found by bisection; the radius
 *   reported is the norm of the perturbation found, an upper bound of the true minimum.
 * - Other models (tree ensembles): bisection along random directions (Gaussian for L2, uniform in
 *   the cube for L∞, each scaled to unit norm), the smallest flip found; also an upper bound.
 * Every flip is confirmed by `predict` on the perturbed row. Rows not flipped within `maxRadius`
 * get radius Infinity.
 */
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import type { Encoding } from '../data/encoding';
import { predict, type ModelHandle } from '../model/model';
import type { LinearNative } from '../model/formats/linear';
import { createRng } from '../util/random';

export type Norm = 'l2' | 'linf';
export type FlipMethod = 'closed-form' | 'pgd' | 'random-directions';

export interface FlipOptions {
  norm: Norm;
  /** Perturb only numeric features' columns (default) or every encoded column. */
  columns?: 'numeric' | 'all';
  /** Largest radius searched (default 8 for L2, 3 for L∞). */
  maxRadius?: number;
  /** PGD steps per radius (default 20). */
  steps?: number;
  /** Bisection steps on the radius (default 12). */
  bisections?: number;
  /** Random directions per row for models without gradients (default 64). */
  directions?: number;
  /** Force a method (tests compare PGD with the closed form on linear models). */
  method?: FlipMethod;
  seed?: number;
  batchSize?: number;
  signal?: AbortSignal;
}

export interface FlipResult {
  norm: Norm;
  method: FlipMethod;
  /** The radius is the true minimum (closed form) rather than an upper bound. */
  exact: boolean;
  maxRadius: number;
  radius: Float64Array;
  /** The class each row is predicted as. */
  predicted: Int32Array;
  /** The class after the flip found (-1: none). */
  flippedTo: Int32Array;
}

/** Mask of the perturbed encoded columns. */
export function perturbedColumns(encoding: Encoding, columns: 'numeric' | 'all' = 'numeric'): Float32Array {
  const mask = new Float32Array(encoding.width);
  for (const f of encoding.features) if (columns === 'all' || f.type === 'numeric') mask.fill(1, f.columns[0], f.columns[1]);
  return mask;
}

export function minimalFlip(model: ModelHandle, encoding: Encoding, X: Float32Array, n: number, options: FlipOptions): FlipResult {
  if (model.task === 'regression') throw new GlassboxError('usage', 'robustness to prediction flips needs a classifier; this model is a regression model');
  if (options.norm !== 'l2' && options.norm !== 'linf') throw new GlassboxError('usage', `the norm must be l2 or linf, got '${String(options.norm)}'`);
  const mask = perturbedColumns(encoding, options.columns);
  if (!mask.some((v) => v > 0)) throw new GlassboxError('usage', 'the model has no numeric features to perturb (use all columns)');
  const maxRadius = options.maxRadius ?? (options.norm === 'l2' ? 8 : 3);
  if (!(maxRadius > 0)) throw new GlassboxError('usage', `the largest radius must be positive, got ${maxRadius}`);
  const native = model.kind === 'linear' ? (model.native as LinearNative | undefined) : undefined;
  const method: FlipMethod = options.method ?? (native ? 'closed-form' : model.differentiable ? 'pgd' : 'random-directions');
  if (method === 'closed-form' && !native) throw new GlassboxError('usage', 'the closed form needs a linear model');
  if (method === 'pgd' && !model.differentiable) throw new GlassboxError('usage', 'PGD needs gradients; tree ensembles have none (random directions are used for them)');
  const base = predict(model, X, n, options.signal);
  const predicted = base.predicted!;
  const out: FlipResult = { norm: options.norm, method, exact: method === 'closed-form', maxRadius, radius: new Float64Array(n).fill(Infinity), predicted, flippedTo: new Int32Array(n).fill(-1) };
  if (method === 'closed-form') closedForm(native!, X, n, encoding.width, mask, options.norm, out);
  else if (method === 'pgd') pgd(model, X, n, encoding.width, mask, options, maxRadius, out);
  else randomDirections(model, X, n, encoding.width, mask, options, maxRadius, out);
  return out;
}

function closedForm(native: LinearNative, X: Float32Array, n: number, d: number, mask: Float32Array, norm: Norm, out: FlipResult): void {
  // One logistic output z is the class-1 logit against a class-0 logit of 0.
  const coef = native.coef.length === 1 ? [new Array<number>(d).fill(0), native.coef[0]!] : native.coef;
  const intercept = native.coef.length === 1 ? [0, native.intercept[0] ?? 0] : native.intercept;
  const K = coef.length;
  const dual = (a: number[], b: number[]) => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      if (!mask[j]) continue;
      const v = Math.abs(a[j]! - b[j]!);
      s += norm === 'l2' ? v * v : v;
    }
    return norm === 'l2' ? Math.sqrt(s) : s;
  };
  const norms = coef.map((a) => coef.map((b) => dual(a, b)));
  for (let i = 0; i < n; i++) {
    const z = coef.map((w, k) => w.reduce((s, v, j) => s + v * X[i * d + j]!, intercept[k] ?? 0));
    const c = out.predicted[i]!;
    for (let k = 0; k < K; k++) {
      if (k === c || norms[c]![k] === 0) continue;
      const r = (z[c]! - z[k]!) / norms[c]![k]!;
      if (r < out.radius[i]!) {
        out.radius[i] = r;
        out.flippedTo[i] = k;
      }
    }
  }
}

/**
 * PGD per (row, other class) pair: a targeted attack toward each class k ≠ c maximising z_k − z_c
 * (with more than two classes the nearest boundary need not be the one of the class that is
 * closest in logits, so every class is tried and the smallest flip kept).
 */
function pgd(model: ModelHandle, X: Float32Array, n: number, d: number, mask: Float32Array, options: FlipOptions, maxRadius: number, out: FlipResult): void {
  const steps = options.steps ?? 20;
  const bisections = options.bisections ?? 12;
  const K = model.classes;
  const perRow = K - 1;
  const bs = Math.max(1, Math.floor((options.batchSize ?? 512) / perRow));
  for (let start = 0; start < n; start += bs) {
    const end = Math.min(n, start + bs);
    const m = (end - start) * perRow;
    // Replica q: row start + floor(q / perRow), target the (q % perRow)-th class other than its own.
    const rowOf = (q: number) => start + Math.floor(q / perRow);
    const Xb = new Float32Array(m * d);
    const dir = new Float32Array(m * K);
    for (let q = 0; q < m; q++) {
      const i = rowOf(q);
      Xb.set(X.subarray(i * d, (i + 1) * d), q * d);
      const c = out.predicted[i]!;
      const k = q % perRow < c ? q % perRow : (q % perRow) + 1;
      dir[q * K + k] = 1;
      dir[q * K + c] = -1;
    }
    // Attack at radius eps[q] per replica; returns the perturbation (m x d).
    const attack = (eps: Float64Array): Float32Array => {
      const result = tf.tidy(() => {
        const x = tf.tensor2d(Xb, [m, d]);
        const dirT = tf.tensor2d(dir, [m, K]);
        const maskT = tf.tensor2d(mask, [1, d]);
        const epsT = tf.tensor2d(Float32Array.from(eps), [m, 1]);
        const alpha = tf.mul(epsT, 2.5 / steps);
        const grad = tf.grad((delta: tf.Tensor) => tf.sum(tf.mul(model.logits(tf.add(x, delta) as tf.Tensor2D), dirT)));
        let delta: tf.Tensor2D = tf.zeros([m, d]);
        for (let t = 0; t < steps; t++) {
          const next = tf.tidy(() => {
            const g = tf.mul(grad(delta), maskT) as tf.Tensor2D;
            if (options.norm === 'linf') {
              const moved = tf.add(delta, tf.mul(tf.sign(g), alpha));
              return tf.minimum(tf.maximum(moved, tf.neg(epsT)), epsT) as tf.Tensor2D;
            }
            const gn = tf.add(tf.norm(g, 'euclidean', 1, true), 1e-12);
            const moved = tf.add(delta, tf.mul(tf.div(g, gn), alpha));
            const dn = tf.add(tf.norm(moved, 'euclidean', 1, true), 1e-12);
            return tf.mul(moved, tf.minimum(1, tf.div(epsT, dn))) as tf.Tensor2D;
          });
          delta.dispose();
          delta = next;
        }
        return delta;
      });
      const values = result.dataSync() as Float32Array;
      result.dispose();
      return values;
    };
    const lo = new Float64Array(m);
    const hi = new Float64Array(m).fill(maxRadius);
    const alive = new Uint8Array(m).fill(1);
    const check = (delta: Float32Array, eps: Float64Array, first: boolean) => {
      const P = Float32Array.from(Xb, (v, q) => v + delta[q]!);
      const p = predict(model, P, m, options.signal).predicted!;
      for (let q = 0; q < m; q++) {
        if (!alive[q]) continue;
        const r = rowOf(q);
        if (p[q] !== out.predicted[r]) {
          const size = normOf(delta.subarray(q * d, (q + 1) * d), options.norm);
          if (size < out.radius[r]!) {
            out.radius[r] = size;
            out.flippedTo[r] = p[q]!;
          }
          hi[q] = Math.min(eps[q]!, size);
        } else if (first) alive[q] = 0;
        else lo[q] = eps[q]!;
      }
    };
    throwIfAborted(options.signal);
    check(attack(hi), hi, true);
    for (let b = 0; b < bisections; b++) {
      throwIfAborted(options.signal);
      const mid = Float64Array.from(lo, (l, q) => (alive[q] ? (l + hi[q]!) / 2 : 0));
      check(attack(mid), mid, false);
    }
  }
}

function randomDirections(model: ModelHandle, X: Float32Array, n: number, d: number, mask: Float32Array, options: FlipOptions, maxRadius: number, out: FlipResult): void {
  const D = options.directions ?? 64;
  const bisections = options.bisections ?? 12;
  const rng = createRng(options.seed ?? 0);
  const bs = Math.max(1, Math.floor((options.batchSize ?? 8192) / D));
  for (let start = 0; start < n; start += bs) {
    const end = Math.min(n, start + bs);
    const m = end - start;
    const rows = m * D;
    // Unit directions (in the chosen norm) over the perturbed columns.
    const U = new Float32Array(rows * d);
    for (let q = 0; q < rows; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        if (!mask[j]) continue;
        const v = options.norm === 'l2' ? rng.normal() : 2 * rng.next() - 1;
        U[q * d + j] = v;
        s = options.norm === 'l2' ? s + v * v : Math.max(s, Math.abs(v));
      }
      const scale = options.norm === 'l2' ? Math.sqrt(s) : s;
      for (let j = 0; j < d; j++) U[q * d + j]! /= scale;
    }
    const lo = new Float64Array(rows);
    const hi = new Float64Array(rows).fill(maxRadius);
    const alive = new Uint8Array(rows).fill(1);
    const at = (t: Float64Array) => {
      const P = new Float32Array(rows * d);
      for (let q = 0; q < rows; q++) {
        const i = start + Math.floor(q / D);
        for (let j = 0; j < d; j++) P[q * d + j] = X[i * d + j]! + t[q]! * U[q * d + j]!;
      }
      return predict(model, P, rows, options.signal).predicted!;
    };
    const first = at(hi);
    for (let q = 0; q < rows; q++) if (first[q] === out.predicted[start + Math.floor(q / D)]) alive[q] = 0;
    const to = Int32Array.from(first);
    for (let b = 0; b < bisections; b++) {
      throwIfAborted(options.signal);
      const mid = Float64Array.from(lo, (l, q) => (l + hi[q]!) / 2);
      const p = at(mid);
      for (let q = 0; q < rows; q++) {
        if (!alive[q]) continue;
        if (p[q] !== out.predicted[start + Math.floor(q / D)]) {
          hi[q] = mid[q]!;
          to[q] = p[q]!;
        } else lo[q] = mid[q]!;
      }
    }
    for (let q = 0; q < rows; q++) {
      const r = start + Math.floor(q / D);
      if (alive[q] && hi[q]! < out.radius[r]!) {
        out.radius[r] = hi[q]!;
        out.flippedTo[r] = to[q]!;
      }
    }
  }
}

function normOf(v: ArrayLike<number>, norm: Norm): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s = norm === 'l2' ? s + v[j]! * v[j]! : Math.max(s, Math.abs(v[j]!));
  return norm === 'l2' ? Math.sqrt(s) : s;
}
