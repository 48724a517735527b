/**
 * Out-of-distribution scores per row: the Mahalanobis distance of a row from the training data,
 * in the encoded input space and in the model's last hidden layer (`ModelHandle.hidden`, the
 * activations entering the last dense layer; Lee et al. 2018, "A Simple Unified Framework for
 * Detecting Out-of-Distribution Samples"), each calibrated against training rows held out of the
 * fit.
 *
 * - Fit: mean μ and covariance Σ (population) of the training rows minus the held-out ones; Σ is
 *   regularised as Σ + λ·(tr Σ / d)·I (λ = `ridge`, default 1e-3) because one-hot groups make it
 *   singular. d(x) = √((x − μ)ᵀ Σ⁻¹ (x − μ)).
 * - Calibration: the conformal p-value p(x) = (1 + #{held-out rows with d ≥ d(x)}) / (1 + m),
 *   uniform for rows from the training distribution; `score` = 1 − p. The combined p-value of a
 *   row is min(1, k · min over the k spaces) (Bonferroni), and rows rank by it, ties broken by the
 *   larger distance relative to the held-out median.
 * - Why: d² = Σ_j z_j (Σ⁻¹ z)_j with z = x − μ splits over encoded columns; summed per raw feature
 *   (one-hot groups together) it says which features make the row unusual. Parts can be negative
 *   (correlated features); they sum to d².
 * - At scale (`fitOodStream`, `scoreOodStream`): the same detector fitted in one pass over encoded
 *   chunks (core/data/chunks.ts) from sums of the rows, with the held-out rows the bottom-m hash
 *   sample of row ordinals; scoring keeps only the `top` most unusual rows and tail counts, so
 *   memory is one chunk plus the sums (width²), whatever the file length.
 */
import { tf } from '../engine/tf';
import { throwIfAborted, GlassboxError } from '../errors';
import { groupByFeature, type Encoding } from '../data/encoding';
import type { ModelHandle } from '../model/model';
import { createRng, sampleWithoutReplacement } from '../util/random';
import type { EncodedChunk } from '../data/chunks';
import { BottomKSample, TopK, type Ranked } from '../shard/sketch';

export interface OodOptions {
  /** Training rows held out for calibration (default min(2000, 20 % of the rows)). */
  holdout?: number;
  /** `fitOod` only: these training rows (indices) are held out instead of a seeded sample. */
  heldOut?: ArrayLike<number>;
  ridge?: number;
  seed?: number;
  batchSize?: number;
  signal?: AbortSignal;
}

interface Gaussian {
  mean: Float64Array;
  precision: Float64Array;
  d: number;
}

interface Space {
  gaussian: Gaussian;
  /** Held-out distances, sorted ascending. */
  calibration: Float64Array;
  median: number;
}

export interface OodDetector {
  encoded: Space;
  hidden?: Space;
  /** Training row indices held out of the fit. */
  heldOut: Int32Array;
}

export interface OodScores {
  n: number;
  encoded: { distance: Float64Array; pValue: Float64Array };
  hidden?: { distance: Float64Array; pValue: Float64Array };
  pValue: Float64Array;
  score: Float64Array;
  /** n x features: each raw feature's part of the encoded d². */
  contributions: Float64Array;
}

export function fitOod(model: ModelHandle | undefined, encoding: Encoding, train: { X: Float32Array; n: number }, options: OodOptions = {}): OodDetector {
  const { n } = train;
  const width = encoding.width;
  const m = options.heldOut ? options.heldOut.length : heldOutCount(n, options.holdout);
  if (m < 10) throw new GlassboxError('usage', `OOD calibration needs at least 10 held-out training rows (training data has ${n})`);
  const heldOut = options.heldOut ? Int32Array.from(options.heldOut).sort() : sampleWithoutReplacement(n, m, createRng(options.seed ?? 0)).sort();
  const isHeld = new Uint8Array(n);
  for (const i of heldOut) isHeld[i] = 1;
  const fitRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !isHeld[i]);
  const ridge = options.ridge ?? 1e-3;
  const gather = (X: Float32Array, w: number, idx: Int32Array) => {
    const out = new Float32Array(idx.length * w);
    idx.forEach((r, i) => out.set(X.subarray(r * w, (r + 1) * w), i * w));
    return out;
  };
  const space = (X: Float32Array, w: number): Space => {
    const gaussian = fitGaussian(gather(X, w, fitRows), fitRows.length, w, ridge);
    const calibration = mahalanobis(gaussian, gather(X, w, heldOut), m).sort();
    return { gaussian, calibration, median: calibration[Math.floor(m / 2)]! };
  };
  const det: OodDetector = { encoded: space(train.X, width), heldOut };
  if (model?.hidden) {
    const { H, w } = hiddenActivations(model, train.X, n, width, options);
    det.hidden = space(H, w);
  }
  return det;
}

export function scoreOod(det: OodDetector, model: ModelHandle | undefined, encoding: Encoding, X: Float32Array, n: number, options: OodOptions = {}): OodScores {
  const width = encoding.width;
  const z = new Float64Array(n * width);
  const encodedD = mahalanobis(det.encoded.gaussian, X, n, z);
  const out: OodScores = {
    n,
    encoded: { distance: encodedD, pValue: conformal(det.encoded.calibration, encodedD) },
    pValue: new Float64Array(n),
    score: new Float64Array(n),
    contributions: groupByFeature(z, n, encoding),
  };
  if (det.hidden && model?.hidden) {
    const { H } = hiddenActivations(model, X, n, width, options);
    const d = mahalanobis(det.hidden.gaussian, H, n);
    out.hidden = { distance: d, pValue: conformal(det.hidden.calibration, d) };
  }
  const k = out.hidden ? 2 : 1;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1, k * Math.min(out.encoded.pValue[i]!, out.hidden ? out.hidden.pValue[i]! : 1));
    out.pValue[i] = p;
    out.score[i] = 1 - p;
  }
  return out;
}

function heldOutCount(n: number, holdout: number | undefined): number {
  return Math.min(holdout ?? Math.min(2000, Math.floor(n * 0.2)), n - 2);
}

/** Most unusual first: smaller combined p-value, then larger distance relative to the held-out median. */
function moreUnusual(det: OodDetector, s: OodScores, a: number, b: number): number {
  const rel = (i: number) => Math.max(s.encoded.distance[i]! / det.encoded.median, s.hidden && det.hidden ? s.hidden.distance[i]! / det.hidden.median : 0);
  return s.pValue[a]! - s.pValue[b]! || rel(b) - rel(a);
}

/** Row indices from most to least out-of-distribution. */
export function rankOod(det: OodDetector, s: OodScores): number[] {
  return Array.from({ length: s.n }, (_, i) => i).sort((a, b) => moreUnusual(det, s, a, b));
}

/** Chunks as `readChunks` yields them; only these fields are read. */
type Chunks = AsyncIterable<Pick<EncodedChunk, 'start' | 'n' | 'X' | 'lines'>>;

/**
 * `fitOod` in one pass over the training chunks: the fit rows' mean and covariance come from sums
 * over all rows less the held-out ones, shifted by the first chunk's mean so the sums do not
 * cancel. Held out: the `holdout` (default min(2000, 20 %)) rows of smallest hash of (`seed`,
 * ordinal), a uniform sample; `heldOut` of the result lists their ordinals. Equal to `fitOod` with
 * those rows held out, to rounding (tested).
 */
export async function fitOodStream(model: ModelHandle | undefined, encoding: Encoding, chunks: Chunks, options: OodOptions = {}): Promise<OodDetector> {
  const width = encoding.width;
  const cap = options.holdout ?? 2000;
  const sample = new BottomKSample<Float32Array>(cap, options.seed ?? 0);
  const encoded = new GaussianSums(width);
  let hidden: GaussianSums | undefined;
  let n = 0;
  for await (const c of chunks) {
    throwIfAborted(options.signal);
    encoded.add(c.X, c.n);
    if (model?.hidden) {
      const { H, w } = hiddenActivations(model, c.X, c.n, width, options);
      (hidden ??= new GaussianSums(w)).add(H, c.n);
    }
    for (let i = 0; i < c.n; i++) sample.offer(c.start + i, c.lines[i]!, () => c.X.slice(i * width, (i + 1) * width));
    n += c.n;
  }
  const m = heldOutCount(n, options.holdout);
  if (m < 10) throw new GlassboxError('usage', `OOD calibration needs at least 10 held-out training rows (training data has ${n})`);
  // The bottom-m of a bottom-cap hash sample (m <= cap) is the bottom-m of all rows.
  const held = sample.result().slice(0, m).sort((a, b) => a.ordinal - b.ordinal);
  const Xh = new Float32Array(m * width);
  held.forEach((r, i) => Xh.set(r.data, i * width));
  const ridge = options.ridge ?? 1e-3;
  const space = (sums: GaussianSums, Hh: Float32Array): Space => {
    const gaussian = sums.fitWithout(Hh, m, ridge);
    const calibration = mahalanobis(gaussian, Hh, m).sort();
    return { gaussian, calibration, median: calibration[Math.floor(m / 2)]! };
  };
  const det: OodDetector = { encoded: space(encoded, Xh), heldOut: Int32Array.from(held, (r) => r.ordinal) };
  if (model?.hidden && hidden) det.hidden = space(hidden, hiddenActivations(model, Xh, m, width, options).H);
  return det;
}

/** One of the most unusual rows of a stream. */
export interface OodRow {
  /** 0-based position among the rows scored. */
  ordinal: number;
  /** Its address in the file: line (CSV) or row index (Parquet, Arrow). */
  line: number;
  pValue: number;
  score: number;
  encodedDistance: number;
  hiddenDistance?: number;
  /** Each raw feature's part of the encoded d². */
  contributions: number[];
}

export interface OodStreamScores {
  n: number;
  /** The `top` most unusual rows, in `rankOod` order (ties to the earlier row). */
  top: OodRow[];
  /** Rows with a combined p-value at or below 0.01 and 0.05. */
  atMost01: number;
  atMost05: number;
}

/** `scoreOod` + `rankOod` over a stream of chunks, keeping the `top` (default 100) most unusual rows. */
export async function scoreOodStream(det: OodDetector, model: ModelHandle | undefined, encoding: Encoding, chunks: Chunks, options: OodOptions & { top?: number } = {}): Promise<OodStreamScores> {
  const F = encoding.features.length;
  // Ranked by (p-value asc, relative distance desc, ordinal asc), the order of rankOod.
  type Item = Ranked<OodRow> & { rel: number };
  const order = (a: Item, b: Item) => a.data.pValue - b.data.pValue || b.rel - a.rel || a.ordinal - b.ordinal;
  const top = new TopK<Item>(options.top ?? 100, order);
  let n = 0;
  let atMost01 = 0;
  let atMost05 = 0;
  for await (const c of chunks) {
    throwIfAborted(options.signal);
    const s = scoreOod(det, model, encoding, c.X, c.n, options);
    for (let i = 0; i < c.n; i++) {
      const p = s.pValue[i]!;
      if (p <= 0.01) atMost01++;
      if (p <= 0.05) atMost05++;
      const rel = Math.max(s.encoded.distance[i]! / det.encoded.median, s.hidden && det.hidden ? s.hidden.distance[i]! / det.hidden.median : 0);
      const item: Item = { ordinal: c.start + i, row: c.lines[i]!, score: s.score[i]!, rel, data: undefined as unknown as OodRow };
      // Kept rows only get their row built (the data object is filled once accepted).
      item.data = { ordinal: item.ordinal, line: item.row, pValue: p, score: s.score[i]!, encodedDistance: s.encoded.distance[i]!, contributions: [] };
      if (!top.offer(item)) continue;
      item.data.contributions = Array.from(s.contributions.subarray(i * F, (i + 1) * F));
      if (s.hidden) item.data.hiddenDistance = s.hidden.distance[i]!;
    }
    n += c.n;
  }
  return { n, top: top.result().map((r) => r.data), atMost01, atMost05 };
}

/** Streaming sums for a Gaussian fit: Σ(x − K) and Σ(x − K)(x − K)ᵀ (upper triangle), K = the first batch's mean. */
class GaussianSums {
  n = 0;
  private shift?: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly z: Float64Array;

  constructor(readonly d: number) {
    this.s1 = new Float64Array(d);
    this.s2 = new Float64Array(d * d);
    this.z = new Float64Array(d);
  }

  add(X: ArrayLike<number>, n: number): void {
    const { d, s1, s2, z } = this;
    if (!this.shift) {
      const K = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) K[j]! += X[i * d + j]!;
      for (let j = 0; j < d; j++) K[j]! /= Math.max(1, n);
      this.shift = K;
    }
    const K = this.shift;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        z[j] = X[i * d + j]! - K[j]!;
        s1[j]! += z[j]!;
      }
      for (let a = 0; a < d; a++) {
        const za = z[a]!;
        if (za === 0) continue;
        for (let b = a; b < d; b++) s2[a * d + b]! += za * z[b]!;
      }
    }
    this.n += n;
  }

  /** The Gaussian of all rows added less `X` (m rows that were among them), regularised as `fitGaussian`. */
  fitWithout(X: ArrayLike<number>, m: number, ridge: number): Gaussian {
    const { d } = this;
    const s1 = Float64Array.from(this.s1);
    const s2 = Float64Array.from(this.s2);
    const K = this.shift ?? new Float64Array(d);
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < d; a++) {
        const za = X[i * d + a]! - K[a]!;
        s1[a]! -= za;
        if (za === 0) continue;
        for (let b = a; b < d; b++) s2[a * d + b]! -= za * (X[i * d + b]! - K[b]!);
      }
    }
    const n = this.n - m;
    const dm = Float64Array.from(s1, (v) => v / n);
    const mean = Float64Array.from(dm, (v, j) => v + K[j]!);
    const cov = new Float64Array(d * d);
    let trace = 0;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const v = s2[a * d + b]! / n - dm[a]! * dm[b]!;
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
      trace += cov[a * d + a]!;
    }
    const lambda = ridge * (trace > 0 ? trace / d : 1);
    for (let a = 0; a < d; a++) cov[a * d + a]! += lambda;
    return { mean, precision: invertSpd(cov, d), d };
  }
}

function conformal(sortedCal: Float64Array, d: Float64Array): Float64Array {
  const m = sortedCal.length;
  return Float64Array.from(d, (x) => {
    // Count of calibration distances >= x.
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedCal[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return (1 + (m - lo)) / (1 + m);
  });
}

function hiddenActivations(model: ModelHandle, X: Float32Array, n: number, width: number, options: OodOptions): { H: Float32Array; w: number } {
  const bs = options.batchSize ?? 4096;
  let H: Float32Array | undefined;
  let w = 0;
  for (let start = 0; start < n; start += bs) {
    throwIfAborted(options.signal);
    const end = Math.min(n, start + bs);
    const h = tf.tidy(() => model.hidden!(tf.tensor2d(X.subarray(start * width, end * width), [end - start, width])));
    w = h.shape[1];
    H ??= new Float32Array(n * w);
    H.set(h.dataSync() as Float32Array, start * w);
    h.dispose();
  }
  return { H: H ?? new Float32Array(0), w };
}

export function fitGaussian(X: ArrayLike<number>, n: number, d: number, ridge: number): Gaussian {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += X[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = new Float64Array(d * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = X[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const za = z[a]!;
      if (za === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b]! += za * z[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b]! /= n;
      cov[b * d + a] = cov[a * d + b]!;
    }
    trace += cov[a * d + a]!;
  }
  const lambda = ridge * (trace > 0 ? trace / d : 1);
  for (let a = 0; a < d; a++) cov[a * d + a]! += lambda;
  return { mean, precision: invertSpd(cov, d), d };
}

/** Distances of n rows; optionally writes z_j (Σ⁻¹ z)_j per column into `parts` (n x d). */
export function mahalanobis(g: Gaussian, X: ArrayLike<number>, n: number, parts?: Float64Array): Float64Array {
  const { d, mean, precision } = g;
  const out = new Float64Array(n);
  // Four rows at a time share each load of the precision matrix (the loop is bound by those loads);
  // every row's sums run in the same order as one row alone, so results do not depend on the blocking.
  const z = new Float64Array(4 * d);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    for (let j = 0; j < 4 * d; j++) z[j] = X[i * d + j]! - mean[j % d]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let a = 0; a < d; a++) {
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      const row = a * d;
      for (let b = 0; b < d; b++) {
        const p = precision[row + b]!;
        p0 += p * z[b]!;
        p1 += p * z[d + b]!;
        p2 += p * z[2 * d + b]!;
        p3 += p * z[3 * d + b]!;
      }
      const q0 = z[a]! * p0;
      const q1 = z[d + a]! * p1;
      const q2 = z[2 * d + a]! * p2;
      const q3 = z[3 * d + a]! * p3;
      if (parts) {
        parts[i * d + a] = q0;
        parts[(i + 1) * d + a] = q1;
        parts[(i + 2) * d + a] = q2;
        parts[(i + 3) * d + a] = q3;
      }
      s0 += q0;
      s1 += q1;
      s2 += q2;
      s3 += q3;
    }
    out[i] = Math.sqrt(Math.max(0, s0));
    out[i + 1] = Math.sqrt(Math.max(0, s1));
    out[i + 2] = Math.sqrt(Math.max(0, s2));
    out[i + 3] = Math.sqrt(Math.max(0, s3));
  }
  for (; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = X[i * d + j]! - mean[j]!;
    let s = 0;
    for (let a = 0; a < d; a++) {
      let pz = 0;
      for (let b = 0; b < d; b++) pz += precision[a * d + b]! * z[b]!;
      const part = z[a]! * pz;
      if (parts) parts[i * d + a] = part;
      s += part;
    }
    out[i] = Math.sqrt(Math.max(0, s));
  }
  return out;
}

/** Inverse of a symmetric positive-definite matrix by Cholesky factorisation. */
export function invertSpd(A: ArrayLike<number>, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j]!;
      for (let k = 0; k < j; k++) s -= L[i * d + k]! * L[j * d + k]!;
      if (i === j) {
        if (s <= 0) throw new GlassboxError('usage', 'the covariance is not positive definite; increase --ridge');
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j]!;
    }
  }
  // Inverse of L (lower triangular), then A⁻¹ = L⁻ᵀ L⁻¹.
  const Li = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    Li[i * d + i] = 1 / L[i * d + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * d + k]! * Li[k * d + j]!;
      Li[i * d + j] = s / L[i * d + i]!;
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += Li[k * d + i]! * Li[k * d + j]!;
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  }
  return inv;
}
