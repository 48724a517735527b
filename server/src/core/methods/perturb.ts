/**
 * What the perturbation methods (exact Shapley, KernelSHAP, LIME, feature ablation, random
 * ablation, permutation importance) share: coalitions of RAW features (a coalition keeps the row's
 * values on its features' encoded columns and takes a background row's values elsewhere, so `sex`
 * enters or leaves as a whole one-hot group), a seeded background (a sample or a k-means summary of
 * the training rows), and batched evaluation of the target on many perturbed rows at once.
 *
 * The value of a coalition S for row x is interventional: v(S) = Σ_b w_b f(x_S, b_{S̄}) over the
 * weighted background rows b (Janzing et al. 2020; Lundberg & Lee 2017 with independent features).
 */
import { kmeans } from 'ml-kmeans';
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import { requireBackground } from './batching';
import type { Encoding } from '../data/encoding';
import type { ModelHandle } from '../model/model';
import { createRng, sampleWithoutReplacement } from '../util/random';
import { targetScalar } from './target';
import { denseGame } from './coalition-dense';
import type { AttributionInput, Target } from './types';

/** Background rows with weights summing to 1. */
export interface Background {
  B: Float32Array;
  m: number;
  w: Float64Array;
}

/** Rows per forward pass; ~14 MB of float32 inputs at Adult's 108 columns. */
export const FORWARD_BATCH = 32768;

/**
 * The background to perturb with: all training rows when there are at most `size`, otherwise a
 * seeded uniform sample of `size` rows (`sample`), or `size` k-means clusters (k-means++ seeded,
 * on at most 2,000 sampled rows) each represented by its member nearest the centroid and weighted
 * by the cluster's share of rows (`kmeans`). Members rather than centroids keep one-hot groups
 * valid rows of the data.
 */
export function backgroundFrom(input: AttributionInput, methodId: string, size: number, summary: 'sample' | 'kmeans', seed: number): Background {
  const { background, backgroundN } = requireBackground(methodId, input, 'to replace features with');
  if (summary !== 'kmeans' || backgroundN <= size) return summarise(input, methodId, size, summary, seed);
  // The k-means takes a few hundred ms, and every row explanation of the same project asks for the
  // same summary of the same (cached, never mutated) training rows: computed once per array. A
  // deterministic function of its inputs, so a hit is the very answer a fresh run gives.
  const key = `${input.encoding.width}|${backgroundN}|${size}|${seed}`;
  let byKey = KMEANS_SUMMARIES.get(background);
  if (!byKey) KMEANS_SUMMARIES.set(background, (byKey = new Map()));
  let bg = byKey.get(key);
  if (!bg) byKey.set(key, (bg = summarise(input, methodId, size, summary, seed)));
  return bg;
}

/** k-means summaries by background array (weakly held: they go with the data set). Read-only. */
const KMEANS_SUMMARIES = new WeakMap<Float32Array, Map<string, Background>>();

function summarise(input: AttributionInput, methodId: string, size: number, summary: 'sample' | 'kmeans', seed: number): Background {
  const { background, backgroundN } = requireBackground(methodId, input, 'to replace features with');
  const width = input.encoding.width;
  if (background.length !== backgroundN * width) throw new GlassboxError('shape', `${methodId}: background has ${background.length} values, expected ${backgroundN} x ${width}`);
  const uniform = (B: Float32Array, m: number): Background => ({ B, m, w: new Float64Array(m).fill(1 / m) });
  if (backgroundN <= size) return uniform(background, backgroundN);
  const rng = createRng(seed);
  if (summary === 'sample') return uniform(take(background, width, sampleWithoutReplacement(backgroundN, size, rng)), size);
  const pool = backgroundN > 2000 ? sampleWithoutReplacement(backgroundN, 2000, rng) : Int32Array.from({ length: backgroundN }, (_, i) => i);
  const data = Array.from(pool, (r) => Array.from(background.subarray(r * width, (r + 1) * width)));
  const res = kmeans(data, size, { seed, initialization: 'kmeans++', maxIterations: 50 });
  const members: number[] = [];
  const weights: number[] = [];
  for (let k = 0; k < size; k++) {
    let best = -1;
    let bestD = Infinity;
    let count = 0;
    const c = res.centroids[k]!;
    res.clusters.forEach((cl, i) => {
      if (cl !== k) return;
      count++;
      let d = 0;
      for (let j = 0; j < width; j++) d += (data[i]![j]! - c[j]!) ** 2;
      if (d < bestD) [bestD, best] = [d, i];
    });
    if (best >= 0) {
      members.push(pool[best]!);
      weights.push(count / pool.length);
    }
  }
  return { B: take(background, width, Int32Array.from(members)), m: members.length, w: Float64Array.from(weights) };
}

export function take(X: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(X.subarray(rows[i]! * width, (rows[i]! + 1) * width), i * width);
  return out;
}

export interface Game {
  model: ModelHandle;
  encoding: Encoding;
  target: Target;
  X: Float32Array;
  n: number;
  /** Per row, the class whose target is evaluated (from `resolveTargetClasses`). */
  classes: Int32Array;
  bg: Background;
  signal?: AbortSignal | undefined;
}

/**
 * v_r(S) for every row r and coalition S (masks: C x F, 1 = feature kept at the row's value), as
 * n x C values; with `perBackground`, the unreduced n x C x m values f(x_S, b_{S̄}) instead. All
 * rows x coalitions x background rows go through the model in batches of FORWARD_BATCH: dense
 * stacks through the first-layer factorisation (coalition-dense.ts), other models on composite rows
 * (x on kept features' columns, b elsewhere).
 */
export async function coalitionValues(game: Game, masks: Uint8Array, C: number, perBackground = false, onProgress?: (f: number) => void): Promise<Float64Array> {
  const { model, encoding, target, X, n, classes, bg } = game;
  const width = encoding.width;
  const m = bg.m;
  const out = new Float64Array(n * C * (perBackground ? m : 1));
  const perRow = C * m;
  const dense = denseGame(model, encoding, target);
  // The dense path's per-feature differences take rows x m x F x width floats: keep them ~32 MB.
  const denseCap = dense ? Math.max(1, Math.floor(8e6 / (m * encoding.features.length * width))) : Infinity;
  const rowsPer = Math.max(1, Math.min(denseCap, Math.floor(FORWARD_BATCH / perRow)));
  const coalPer = perRow <= FORWARD_BATCH ? C : Math.max(1, Math.floor(FORWARD_BATCH / m));
  const colFeature = new Int32Array(width);
  encoding.features.forEach((f, i) => colFeature.fill(i, f.columns[0], f.columns[1]));
  const total = Math.ceil(n / rowsPer) * Math.ceil(C / coalPer);
  let done = 0;
  const Z = dense ? new Float32Array(0) : new Float32Array(Math.min(rowsPer, n) * coalPer * m * width);
  const cls = new Int32Array(dense ? 0 : Math.min(rowsPer, n) * coalPer * m);
  try {
    for (let r0 = 0; r0 < n; r0 += rowsPer) {
      const r1 = Math.min(n, r0 + rowsPer);
      for (let c0 = 0; c0 < C; c0 += coalPer) {
        throwIfAborted(game.signal);
        const c1 = Math.min(C, c0 + coalPer);
        let data: Float32Array;
        // Composite values ordered (row, coalition, background) in `data`.
        let at: (r: number, c: number, b: number) => number;
        if (dense) {
          const t = dense.evaluate(masks, c0, c1, X, r0, r1, classes, bg.B, m);
          data = t.dataSync() as Float32Array;
          t.dispose();
          const R = r1 - r0;
          at = (r, c, b) => ((c - c0) * R + (r - r0)) * m + b;
        } else {
          data = compositeValues(game, masks, c0, c1, r0, r1, Z, cls, colFeature);
          const cc = c1 - c0;
          at = (r, c, b) => ((r - r0) * cc + (c - c0)) * m + b;
        }
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const i = at(r, c, 0);
            if (perBackground) {
              for (let b = 0; b < m; b++) out[(r * C + c) * m + b] = data[i + b]!;
            } else {
              let v = 0;
              for (let b = 0; b < m; b++) v += bg.w[b]! * data[i + b]!;
              out[r * C + c] = v;
            }
          }
        }
        onProgress?.(++done / total);
        await yieldToEvents();
      }
    }
  } finally {
    dense?.dispose();
  }
  return out;
}

/** Generic path: composite rows built on the CPU (broadcasting ops over 4-D shapes are very slow on wasm). */
function compositeValues(game: Game, masks: Uint8Array, c0: number, c1: number, r0: number, r1: number, Z: Float32Array, cls: Int32Array, colFeature: Int32Array): Float32Array {
  const { model, target, X, classes, bg } = game;
  const width = game.encoding.width;
  const F = game.encoding.features.length;
  let k = 0;
  for (let r = r0; r < r1; r++) {
    const xo = r * width;
    for (let c = c0; c < c1; c++) {
      const mo = c * F;
      for (let b = 0; b < bg.m; b++, k++) {
        const bo = b * width;
        const zo = k * width;
        for (let j = 0; j < width; j++) Z[zo + j] = masks[mo + colFeature[j]!] ? X[xo + j]! : bg.B[bo + j]!;
        cls[k] = classes[r]!;
      }
    }
  }
  const vals = tf.tidy(() => targetScalar(model, tf.tensor2d(Z.subarray(0, k * width), [k, width]), tf.tensor1d(cls.subarray(0, k), 'int32'), target));
  const data = vals.dataSync() as Float32Array;
  vals.dispose();
  return data;
}

/** The target of each of `rows` encoded rows (classes: one per row), batched. */
export async function targetValues(model: ModelHandle, target: Target, Z: Float32Array, rows: number, classes: Int32Array, signal?: AbortSignal): Promise<Float64Array> {
  const width = model.inputWidth;
  const out = new Float64Array(rows);
  for (let s = 0; s < rows; s += FORWARD_BATCH) {
    throwIfAborted(signal);
    const e = Math.min(rows, s + FORWARD_BATCH);
    const v = tf.tidy(() => targetScalar(model, tf.tensor2d(Z.subarray(s * width, e * width), [e - s, width]), tf.tensor1d(classes.subarray(s, e), 'int32'), target));
    out.set(v.dataSync(), s);
    v.dispose();
    await yieldToEvents();
  }
  return out;
}

/** Lets an abort (or other work of the daemon) through between batches. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Per-raw-feature values placed on encoded columns so that a feature's columns sum to its value:
 * a numeric feature's single column, a categorical feature's active column (the first column of
 * the group when the row has none, e.g. an unseen category encoded as zeros).
 */
export function spreadToColumns(grouped: Float64Array, X: Float32Array, n: number, encoding: Encoding): Float32Array {
  const width = encoding.width;
  const F = encoding.features.length;
  const out = new Float32Array(n * width);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const [s, e] = encoding.features[f]!.columns;
      let col = s;
      for (let c = s; c < e; c++) if (X[r * width + c] === 1) col = c;
      out[r * width + col] = grouped[r * F + f]!;
    }
  }
  return out;
}

/** Masks (C x F) of coalitions given as bit sets over F features. */
export function masksFromBits(bits: ArrayLike<number>, F: number): Uint8Array {
  const out = new Uint8Array(bits.length * F);
  for (let c = 0; c < bits.length; c++) for (let f = 0; f < F; f++) out[c * F + f] = (bits[c]! >>> f) & 1;
  return out;
}
