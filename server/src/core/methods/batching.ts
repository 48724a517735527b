/**
 * What the gradient methods share: splitting rows x samples (path steps, noise draws, sampled
 * baselines) into chunks that each take one batched forward/backward pass, and the per-column
 * statistics of the background rows they use as baselines and noise scales.
 */
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import type { ModelHandle } from '../model/model';
import { denseInputGradient, type DenseGradient } from './dense-gradients';
import { inputGradients, targetScalar } from './target';
import type { AttributionInput, Target } from './types';

/** Rows [rowStart, rowEnd) x samples [sampleStart, sampleEnd) evaluated in one pass. */
export interface Chunk {
  rowStart: number;
  rowEnd: number;
  sampleStart: number;
  sampleEnd: number;
}

/**
 * Chunks of at most `maxPoints` evaluation points, rows ascending and, within a row, samples
 * ascending: whole rows with all their samples when they fit, else one row at a time split over
 * its samples. Consumers that draw random numbers per (row, sample) in this order get the same
 * draws whatever `maxPoints` is.
 */
export function* chunks(n: number, samples: number, maxPoints: number): Generator<Chunk> {
  const rowsPer = Math.floor(maxPoints / samples);
  if (rowsPer >= 1) {
    for (let r = 0; r < n; r += rowsPer) yield { rowStart: r, rowEnd: Math.min(n, r + rowsPer), sampleStart: 0, sampleEnd: samples };
    return;
  }
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < samples; s += maxPoints) yield { rowStart: r, rowEnd: r + 1, sampleStart: s, sampleEnd: Math.min(samples, s + maxPoints) };
  }
}

/**
 * The gradient methods' batch loop: `body` runs once per chunk of the input's n rows x `samples`
 * points (at most `maxPoints` a chunk; `chunks`, same order), the input's signal checked before each
 * chunk and its progress reported after each. `dense` is the model's hand-written dense-stack
 * backward pass (dense-gradients.ts) where it has one, else undefined (use `inputGradients`); it is
 * disposed when the loop ends, also when `body` or the signal throws.
 */
export function forEachGradientChunk(input: AttributionInput, samples: number, maxPoints: number, body: (ch: Chunk, dense: DenseGradient | undefined) => void): void {
  const dense = denseInputGradient(input.model, input.target);
  try {
    for (const ch of chunks(input.n, samples, maxPoints)) {
      throwIfAborted(input.signal);
      body(ch, dense);
      input.onProgress?.(ch.rowEnd / input.n);
    }
  } finally {
    dense?.dispose();
  }
}

/** Checks the shapes every method relies on, naming the offending argument. */
export function checkInput(methodId: string, input: AttributionInput): void {
  const { X, n, encoding } = input;
  const width = encoding.width;
  if (!Number.isInteger(n) || n < 0 || X.length !== n * width) {
    throw new GlassboxError('shape', `${methodId}: X has ${X.length} values, expected n x width = ${n} x ${width}`);
  }
  if (input.background && input.background.length !== (input.backgroundN ?? -1) * width) {
    throw new GlassboxError('shape', `${methodId}: background has ${input.background.length} values, expected backgroundN x width = ${input.backgroundN} x ${width}`);
  }
}

/**
 * The background rows, or the one "needs background rows" error (every method that needs them
 * throws this; callers of core/analyses always pass the training rows, shared.ts `backgroundFor`).
 */
export function requireBackground(methodId: string, input: AttributionInput, why: string): { background: Float32Array; backgroundN: number } {
  const { background, backgroundN } = input;
  if (!background || !backgroundN) throw new GlassboxError('usage', `method '${methodId}' needs background (training) rows ${why}; none were given`);
  return { background, backgroundN };
}

/** Per-column mean of row-major rows (for one-hot columns: the category frequency). */
export function columnMeans(rows: Float32Array, n: number, width: number): Float32Array {
  const sum = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) sum[j] += rows[i * width + j]!;
  return Float32Array.from(sum, (s) => s / n);
}

/** Per-column max - min of row-major rows. */
export function columnRanges(rows: Float32Array, n: number, width: number): Float32Array {
  const lo = new Float32Array(width).fill(Infinity);
  const hi = new Float32Array(width).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) {
      const v = rows[i * width + j]!;
      if (v < lo[j]!) lo[j] = v;
      if (v > hi[j]!) hi[j] = v;
    }
  }
  return Float32Array.from(hi, (h, j) => h - lo[j]!);
}

/** The per-row target scalar (see `targetScalar`) at the given rows, batched forward passes. */
export function targetValues(model: ModelHandle, X: Float32Array, n: number, classes: Int32Array, target: Target, maxPoints: number): Float64Array {
  const width = model.inputWidth;
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += maxPoints) {
    const end = Math.min(n, start + maxPoints);
    const f = tf.tidy(() =>
      targetScalar(model, tf.tensor2d(X.subarray(start * width, end * width), [end - start, width]), tf.tensor1d(classes.subarray(start, end), 'int32'), target),
    );
    out.set(f.dataSync(), start);
    f.dispose();
  }
  return out;
}

/** sum_j attributions[i, j] - (fx[i] - fBaseline[i]) per row: how far an additive method is from completeness. */
export function completenessGap(encoded: Float32Array, n: number, width: number, fx: ArrayLike<number>, fBaseline: ArrayLike<number>): number[] {
  const gap: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < width; j++) s += encoded[i * width + j]!;
    gap.push(s - (fx[i]! - fBaseline[i]!));
  }
  return gap;
}

/**
 * Runs `combine(x, ∂target/∂x)` over the rows in batches of `batchSize` (one backward pass each)
 * and collects the n x width result: the shared loop of the single-gradient methods.
 */
export function mapInputGradients(
  input: AttributionInput,
  classes: Int32Array,
  batchSize: number,
  combine: (x: tf.Tensor2D, grad: tf.Tensor2D) => tf.Tensor,
): Float32Array {
  const { model, X, n, target, encoding, signal } = input;
  const width = encoding.width;
  const out = new Float32Array(n * width);
  for (let start = 0; start < n; start += batchSize) {
    throwIfAborted(signal);
    const end = Math.min(n, start + batchSize);
    const r = tf.tidy(() => {
      const x = tf.tensor2d(X.subarray(start * width, end * width), [end - start, width]);
      const c = tf.tensor1d(classes.subarray(start, end), 'int32');
      return combine(x, inputGradients(model, x, c, target));
    });
    out.set(r.dataSync() as Float32Array, start * width);
    r.dispose();
    input.onProgress?.(end / n);
  }
  return out;
}
