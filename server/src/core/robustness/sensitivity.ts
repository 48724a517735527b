/**
 * Local sensitivity: how much the probability of a row's predicted class can change within a small
 * neighbourhood (radius r in standardised units, default 0.1 of a training standard deviation),
 * per numeric feature (the larger of x ± r·e_j) and jointly (the L∞ ball of radius r over every
 * numeric column: 10 signed-gradient ascent steps each way for differentiable models, Madry et al.
 * 2018; 64 random corners of the ball otherwise). A row whose joint
 * change reaches `threshold` (default 0.1) is flagged unstable. Categorical features are not
 * perturbed: no category lies within a small distance of another.
 */
import { tf } from '../engine/tf';
import { throwIfAborted } from '../errors';
import type { Encoding } from '../data/encoding';
import { predict, type ModelHandle } from '../model/model';
import { createRng } from '../util/random';

export interface SensitivityOptions {
  radius?: number;
  threshold?: number;
  steps?: number;
  corners?: number;
  seed?: number;
  batchSize?: number;
  signal?: AbortSignal;
}

export interface SensitivityResult {
  radius: number;
  threshold: number;
  /** Numeric features, in encoding order. */
  features: string[];
  /** n x features: largest |Δp| moving that feature alone by ±r. */
  perFeature: Float64Array;
  /** Largest |Δp| found within the L∞ ball (at least the per-feature maximum). */
  joint: Float64Array;
  /** Rows with joint ≥ threshold, most sensitive first. */
  unstable: number[];
  method: 'gradient' | 'corners';
}

export function localSensitivity(model: ModelHandle, encoding: Encoding, X: Float32Array, n: number, options: SensitivityOptions = {}): SensitivityResult {
  const r = options.radius ?? 0.1;
  const threshold = options.threshold ?? 0.1;
  const d = encoding.width;
  const K = model.classes;
  const numeric = encoding.features.filter((f) => f.type === 'numeric');
  const cols = numeric.map((f) => f.columns[0]);
  const F = cols.length;
  const base = predict(model, X, n, options.signal);
  const cls = base.predicted!;
  const p0 = Float64Array.from({ length: n }, (_, i) => base.probabilities![i * K + cls[i]!]!);
  const perFeature = new Float64Array(n * F);
  const joint = new Float64Array(n);
  // Per feature: 2F shifted copies of each row, batched.
  const bs = Math.max(1, Math.floor((options.batchSize ?? 8192) / Math.max(1, 2 * F)));
  for (let start = 0; start < n; start += bs) {
    throwIfAborted(options.signal);
    const end = Math.min(n, start + bs);
    const rows = (end - start) * 2 * F;
    if (rows === 0) break;
    const P = new Float32Array(rows * d);
    for (let i = start; i < end; i++) {
      for (let f = 0; f < F; f++) {
        for (const s of [0, 1]) {
          const q = ((i - start) * F + f) * 2 + s;
          P.set(X.subarray(i * d, (i + 1) * d), q * d);
          P[q * d + cols[f]!]! += s ? r : -r;
        }
      }
    }
    const p = predict(model, P, rows, options.signal).probabilities!;
    for (let i = start; i < end; i++) {
      for (let f = 0; f < F; f++) {
        const q = ((i - start) * F + f) * 2;
        const change = Math.max(Math.abs(p[q * K + cls[i]!]! - p0[i]!), Math.abs(p[(q + 1) * K + cls[i]!]! - p0[i]!));
        perFeature[i * F + f] = change;
        joint[i] = Math.max(joint[i]!, change);
      }
    }
  }
  const mask = new Float32Array(d);
  for (const c of cols) mask[c] = 1;
  const method = model.differentiable ? 'gradient' : 'corners';
  if (F > 0) {
    if (model.differentiable) jointGradient(model, X, n, d, K, mask, cls, p0, r, options, joint);
    else jointCorners(model, X, n, d, K, cols, cls, p0, r, options, joint);
  }
  const unstable = Array.from({ length: n }, (_, i) => i)
    .filter((i) => joint[i]! >= threshold)
    .sort((a, b) => joint[b]! - joint[a]!);
  return { radius: r, threshold, features: numeric.map((f) => f.name), perFeature, joint, unstable, method };
}

function jointGradient(model: ModelHandle, X: Float32Array, n: number, d: number, K: number, mask: Float32Array, cls: Int32Array, p0: Float64Array, r: number, options: SensitivityOptions, joint: Float64Array): void {
  const steps = options.steps ?? 10;
  const bs = options.batchSize ?? 1024;
  for (let start = 0; start < n; start += bs) {
    throwIfAborted(options.signal);
    const end = Math.min(n, start + bs);
    const m = end - start;
    const own = Float32Array.from({ length: m * K }, (_, q) => (cls[start + Math.floor(q / K)] === q % K ? 1 : 0));
    for (const sign of [1, -1]) {
      const delta = tf.tidy(() => {
        const x = tf.tensor2d(X.subarray(start * d, end * d), [m, d]);
        const ownT = tf.tensor2d(own, [m, K]);
        const maskT = tf.tensor2d(mask, [1, d]);
        const objective = (dl: tf.Tensor) => tf.mul(tf.sum(tf.mul(tf.softmax(model.logits(tf.add(x, dl) as tf.Tensor2D)), ownT)), sign);
        const grad = tf.grad(objective);
        let dl: tf.Tensor2D = tf.zeros([m, d]);
        for (let t = 0; t < steps; t++) {
          const next = tf.tidy(() => tf.clipByValue(tf.add(dl, tf.mul(tf.sign(tf.mul(grad(dl), maskT)), (2.5 * r) / steps)), -r, r) as tf.Tensor2D);
          dl.dispose();
          dl = next;
        }
        return dl;
      });
      const D = delta.dataSync() as Float32Array;
      delta.dispose();
      const P = Float32Array.from(X.subarray(start * d, end * d), (v, q) => v + D[q]!);
      const p = predict(model, P, m, options.signal).probabilities!;
      for (let i = 0; i < m; i++) joint[start + i] = Math.max(joint[start + i]!, Math.abs(p[i * K + cls[start + i]!]! - p0[start + i]!));
    }
  }
}

function jointCorners(model: ModelHandle, X: Float32Array, n: number, d: number, K: number, cols: number[], cls: Int32Array, p0: Float64Array, r: number, options: SensitivityOptions, joint: Float64Array): void {
  const C = options.corners ?? 64;
  const F = cols.length;
  const rng = createRng(options.seed ?? 0);
  const bs = Math.max(1, Math.floor((options.batchSize ?? 8192) / C));
  for (let start = 0; start < n; start += bs) {
    throwIfAborted(options.signal);
    const end = Math.min(n, start + bs);
    const rows = (end - start) * C;
    const P = new Float32Array(rows * d);
    for (let i = start; i < end; i++) {
      for (let c = 0; c < C; c++) {
        const q = (i - start) * C + c;
        P.set(X.subarray(i * d, (i + 1) * d), q * d);
        for (let f = 0; f < F; f++) P[q * d + cols[f]!]! += (rng.next() < 0.5 ? -1 : 1) * r;
      }
    }
    const p = predict(model, P, rows, options.signal).probabilities!;
    for (let i = start; i < end; i++) {
      for (let c = 0; c < C; c++) {
        const q = (i - start) * C + c;
        joint[i] = Math.max(joint[i]!, Math.abs(p[q * K + cls[i]!]! - p0[i]!));
      }
    }
  }
}
