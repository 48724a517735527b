/**
 * Seeded Gaussian random projection of full-parameter per-example gradients (Johnson–Lindenstrauss):
 * p_i = Pᵀ g_i with P a D × k matrix of N(0, 1/k) entries, so E[p_i·p_j] = g_i·g_j and the
 * relative error of a dot product is O(1/√k) (for unit vectors, |p_i·p_j − g_i·g_j| ≲ 2√(2 ln(2/δ)/k)
 * with probability 1 − δ). This is the general path for layers that do not factorise; for dense
 * stacks the exact factorised TracIn (tracin.ts) is both exact and faster, so the index uses that.
 *
 * Gradients come from the factored per-example pass (gradients.ts): per batch, each dense layer's
 * weight gradient a ⊗ δ is formed as one m × (in·out) tensor and multiplied by that layer's block
 * of P; no loop over rows. Default dimension 512; seed 0.
 */
import { tf } from '../engine/tf';
import { createRng } from '../util/random';
import type { GradientFactors, LayerShape } from './gradients';

export const DEFAULT_PROJECTION_DIM = 512;

export interface Projection {
  k: number;
  seed: number;
  shapes: LayerShape[];
  /** Per layer: kernel block (in·out × k) and bias block (out × k), as tensors the owner disposes. */
  kernel: tf.Tensor2D[];
  bias: Array<tf.Tensor2D | undefined>;
  dispose(): void;
}

/** Full parameter count of a dense stack (kernels and biases). */
export function parameterCount(shapes: LayerShape[]): number {
  return shapes.reduce((s, l) => s + l.in * l.out + (l.bias ? l.out : 0), 0);
}

export function createProjection(shapes: LayerShape[], k = DEFAULT_PROJECTION_DIM, seed = 0): Projection {
  const rng = createRng(seed);
  const scale = 1 / Math.sqrt(k);
  const block = (rows: number) => {
    const a = new Float32Array(rows * k);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * scale;
    return tf.tensor2d(a, [rows, k]);
  };
  const kernel = shapes.map((s) => block(s.in * s.out));
  const bias = shapes.map((s) => (s.bias ? block(s.out) : undefined));
  return { k, seed, shapes, kernel, bias, dispose: () => tf.dispose([...kernel, ...bias.filter((b): b is tf.Tensor2D => Boolean(b))]) };
}

/** Projected gradients of a batch: m × k, row-major. */
export function projectGradients(proj: Projection, f: GradientFactors): Float32Array {
  const t = tf.tidy(() => {
    let acc = tf.zeros([f.m, proj.k]) as tf.Tensor2D;
    proj.shapes.forEach((s, l) => {
      const a = tf.tensor3d(f.acts[l]!, [f.m, s.in, 1]);
      const d = tf.tensor3d(f.deltas[l]!, [f.m, 1, s.out]);
      const g = tf.reshape(tf.mul(a, d), [f.m, s.in * s.out]) as tf.Tensor2D;
      acc = tf.add(acc, tf.matMul(g, proj.kernel[l]!));
      const b = proj.bias[l];
      if (b) acc = tf.add(acc, tf.matMul(tf.tensor2d(f.deltas[l]!, [f.m, s.out]), b));
    });
    return acc;
  });
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}
