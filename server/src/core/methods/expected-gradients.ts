/**
 * Expected Gradients: Integrated Gradients averaged over baselines drawn from the training data,
 * estimated by sampling: for each row, `samples` pairs (b_k, α_k) with b_k a random background row
 * and α_k ~ U(0, 1), attribution = mean_k (x - b_k) ⊙ ∇f(b_k + α_k (x - b_k)). In expectation the
 * attributions of a row sum to f(x) - E_b f(b); `extras.completenessGap` reports the sum minus
 * (f(x) - mean_k f(b_k)) for the baselines actually drawn, a sampling (not quadrature) error that
 * shrinks like 1/sqrt(samples). Seeded; the draws depend on the seed and the row, not on batching.
 *
 * Erion, Janizek, Sturmfels, Lundberg & Lee (2021), "Improving performance of deep learning models
 * with axiomatic attribution priors and expected gradients", Nature Machine Intelligence.
 */
import { tf } from '../engine/tf';
import { createRng } from '../util/random';
import { checkInput, forEachGradientChunk, completenessGap, requireBackground, targetValues } from './batching';
import { additiveResult, inputGradients, resolveTargetClasses, targetScalar } from './target';
import type { AttributionMethod } from './types';

export interface ExpectedGradientsParams extends Record<string, unknown> {
  samples: number;
  batchSize: number;
}

export const expectedGradients = {
  id: 'expected-gradients',
  name: 'Expected Gradients',
  summary: 'Integrated Gradients averaged over baselines sampled from the training rows, one random point on each path.',
  reference: 'Erion et al. 2021, Nature Machine Intelligence 3:620',
  capabilities: { gradients: true, background: true, stochastic: true },
  params: {
    samples: { type: 'integer', default: 200, min: 1, max: 100000, description: '(baseline, alpha) draws per row.' },
    batchSize: { type: 'integer', default: 8192, min: 1, description: 'Evaluation points (rows x samples) per forward/backward pass.' },
  },
  async attribute(input, params) {
    checkInput('expected-gradients', input);
    const { model, X, n, target, encoding } = input;
    const width = encoding.width;
    const { background, backgroundN } = requireBackground('expected-gradients', input, 'to draw baselines from');
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    const S = params.samples;
    const rng = createRng(input.seed ?? 0);
    // Draws in (row, sample) order, so results do not depend on batchSize.
    const pick = new Int32Array(n * S);
    const alpha = new Float32Array(n * S);
    for (let k = 0; k < n * S; k++) {
      pick[k] = rng.int(backgroundN);
      alpha[k] = rng.next();
    }

    const sums = new Float64Array(n * width);
    const fBaseline = new Float64Array(n);
    // Dense stacks: the hand-written backward pass (dense-gradients.ts), else tf.grad.
    forEachGradientChunk(input, S, params.batchSize, (ch, dense) => {
      const R = ch.rowEnd - ch.rowStart;
      const s = ch.sampleEnd - ch.sampleStart;
      // Sample-major baselines and alphas: point (k, r).
      const b = new Float32Array(s * R * width);
      const a = new Float32Array(s * R);
      for (let k = 0; k < s; k++) {
        for (let r = 0; r < R; r++) {
          const draw = (ch.rowStart + r) * S + ch.sampleStart + k;
          const row = pick[draw]!;
          b.set(background.subarray(row * width, (row + 1) * width), (k * R + r) * width);
          a[k * R + r] = alpha[draw]!;
        }
      }
      const [g, f] = tf.tidy(() => {
        const x = tf.expandDims(tf.tensor2d(X.subarray(ch.rowStart * width, ch.rowEnd * width), [R, width]), 0);
        const bt = tf.tensor3d(b, [s, R, width]);
        const diff = tf.sub(x, bt);
        const points = tf.reshape(tf.add(bt, tf.mul(tf.tensor3d(a, [s, R, 1]), diff)), [s * R, width]) as tf.Tensor2D;
        const c = tf.tile(tf.tensor1d(classes.subarray(ch.rowStart, ch.rowEnd), 'int32'), [s]) as tf.Tensor1D;
        const grads = tf.reshape(dense ? dense.grad(points, c) : inputGradients(model, points, c, target), [s, R, width]);
        const fb = tf.reshape(targetScalar(model, tf.reshape(bt, [s * R, width]) as tf.Tensor2D, c, target), [s, R]);
        return [tf.sum(tf.mul(diff, grads), 0), tf.sum(fb, 0)];
    });
      const gd = g.dataSync();
      const off = ch.rowStart * width;
      for (let k = 0; k < gd.length; k++) sums[off + k] += gd[k]!;
      const fd = f.dataSync();
      for (let r = 0; r < R; r++) fBaseline[ch.rowStart + r] += fd[r]!;
      tf.dispose([g, f]);
    });

    const encoded = Float32Array.from(sums, (v) => v / S);
    const fx = targetValues(model, X, n, classes, target, params.batchSize);
    for (let i = 0; i < n; i++) fBaseline[i] /= S;
    return additiveResult('expected-gradients', input, encoded, classes, {
      grouping: 'sum',
      samples: S,
      targetAtInput: Array.from(fx),
      meanTargetAtBaselines: Array.from(fBaseline),
      completenessGap: completenessGap(encoded, n, width, fx, fBaseline),
    });
  },
} satisfies AttributionMethod<ExpectedGradientsParams>;
