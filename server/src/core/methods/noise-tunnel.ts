/**
 * The shared core of SmoothGrad, SmoothGrad² and VarGrad: gradients of the target at `samples`
 * noisy copies x + ε, ε ~ N(0, diag(σ²)), per row, reduced to their mean, mean square or variance.
 *
 * Noise scale σ per encoded column: `noiseLevel` x (max - min of that column over the background
 * rows), the "noise level relative to the feature range" of Smilkov et al. (they suggest 10-20%);
 * one-hot columns have range 1 and get σ = noiseLevel, constant columns get none. With
 * `absoluteNoise` the noise level is σ itself, the same on every column, in encoded units
 * (Captum's NoiseTunnel `stdevs` convention). Draws are seeded and made in (row, sample, column)
 * order, so results do not depend on batching.
 */
import { tf } from '../engine/tf';
import { throwIfAborted } from '../errors';
import { groupByFeatureActive } from '../data/encoding';
import { createRng } from '../util/random';
import { checkInput, chunks, columnRanges, requireBackground } from './batching';
import { inputGradients, reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionInput, AttributionResult, ParamSpec } from './types';

export interface NoiseTunnelParams extends Record<string, unknown> {
  samples: number;
  noiseLevel: number;
  absoluteNoise: boolean;
  batchSize: number;
}

export const NOISE_PARAMS: { [K in keyof NoiseTunnelParams]: ParamSpec } = {
  samples: { type: 'integer', default: 50, min: 1, max: 100000, description: 'Noisy copies per row.' },
  noiseLevel: { type: 'number', default: 0.15, min: 0, description: 'Noise standard deviation as a fraction of each column’s range over the training rows (or absolute, see absoluteNoise).' },
  absoluteNoise: { type: 'boolean', default: false, description: 'Use noiseLevel as the standard deviation itself, in encoded units, on every column.' },
  batchSize: { type: 'integer', default: 8192, min: 1, description: 'Evaluation points (rows x samples) per forward/backward pass.' },
};

export type NoiseReduction = 'mean' | 'mean-square' | 'variance';

export async function noiseTunnel(methodId: string, reduction: NoiseReduction, input: AttributionInput, params: NoiseTunnelParams): Promise<AttributionResult> {
  checkInput(methodId, input);
  const { model, X, n, target, encoding, signal } = input;
  const width = encoding.width;
  const sigma = noiseScale(methodId, input, params);
  const classes = resolveTargetClasses(model, X, n, target, input.labels);
  const S = params.samples;
  const rng = createRng(input.seed ?? 0);
  const sum = new Float64Array(n * width);
  const sumSq = new Float64Array(n * width);
  for (const ch of chunks(n, S, params.batchSize)) {
    throwIfAborted(signal);
    const R = ch.rowEnd - ch.rowStart;
    const s = ch.sampleEnd - ch.sampleStart;
    // Drawn in (row, sample, column) order, stored sample-major.
    const noise = new Float32Array(s * R * width);
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < s; k++) {
        const off = (k * R + r) * width;
        for (let j = 0; j < width; j++) noise[off + j] = sigma[j]! * rng.normal();
      }
    }
    const [g1, g2] = tf.tidy(() => {
      const x = tf.expandDims(tf.tensor2d(X.subarray(ch.rowStart * width, ch.rowEnd * width), [R, width]), 0);
      const points = tf.reshape(tf.add(x, tf.tensor3d(noise, [s, R, width])), [s * R, width]) as tf.Tensor2D;
      const c = tf.tile(tf.tensor1d(classes.subarray(ch.rowStart, ch.rowEnd), 'int32'), [s]) as tf.Tensor1D;
      const g = tf.reshape(inputGradients(model, points, c, target), [s, R, width]);
      return [tf.sum(g, 0), tf.sum(tf.square(g), 0)];
    });
    const d1 = g1.dataSync();
    const d2 = g2.dataSync();
    const off = ch.rowStart * width;
    for (let k = 0; k < d1.length; k++) {
      sum[off + k] += d1[k]!;
      sumSq[off + k] += d2[k]!;
    }
    tf.dispose([g1, g2]);
    input.onProgress?.(ch.rowEnd / n);
  }

  const encoded = new Float32Array(n * width);
  for (let k = 0; k < n * width; k++) {
    const mean = sum[k]! / S;
    const meanSq = sumSq[k]! / S;
    // Population variance, as Captum's vargrad (E[g²] - E[g]²); clamped against rounding.
    encoded[k] = reduction === 'mean' ? mean : reduction === 'mean-square' ? meanSq : Math.max(0, meanSq - mean * mean);
  }
  return {
    method: methodId,
    n,
    width,
    encoded,
    grouped: groupByFeatureActive(encoded, X, n, encoding),
    targetClass: reportedTargetClasses(model, classes),
    extras: {
      grouping: 'active-column',
      samples: S,
      noiseLevel: params.noiseLevel,
      absoluteNoise: params.absoluteNoise,
      noiseStd: Array.from(sigma),
    },
  };
}

/** σ per encoded column. */
function noiseScale(methodId: string, input: AttributionInput, params: NoiseTunnelParams): Float32Array {
  const width = input.encoding.width;
  if (params.absoluteNoise) return new Float32Array(width).fill(params.noiseLevel);
  const { background, backgroundN } = requireBackground(methodId, input, 'to measure each column’s range for the noise level (or set absoluteNoise=true)');
  return columnRanges(background, backgroundN, width).map((r) => r * params.noiseLevel);
}
