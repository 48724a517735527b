/**
 * Integrated Gradients: (x - b) ⊙ ∫₀¹ ∇f(b + α(x - b)) dα per encoded column, the path integral
 * of the gradient along the straight line from a baseline b to the input x, approximated by a
 * quadrature rule. Complete: the attributions of a row sum to f(x) - f(b) up to the quadrature
 * error, reported per row as `extras.completenessGap`. Exact for a linear model with any rule
 * whose weights sum to 1.
 *
 * Baselines: `zero` (the all-zero encoded row: the training mean of standardised numeric features,
 * no category), `mean` (the encoded mean of the background rows: numeric means and category
 * frequencies; the default), or `custom` (`AttributionInput.baselines`, one per row).
 * Rules: `gausslegendre` (default, Captum's default) and Captum's `riemann-trapezoid`,
 * `riemann-left`, `riemann-right`, `riemann-middle`, plus the textbook `trapezoid`; see
 * quadrature.ts. Rows x steps are evaluated in batches of `batchSize` points, one
 * forward/backward pass each: on dense stacks the closed-form backward pass of dense-gradients.ts
 * (no tape; the quadrature-weighted sum taken before the first layer's backward product), on
 * other models tf.grad.
 *
 * Sundararajan, Taly & Yan (2017), "Axiomatic Attribution for Deep Networks", ICML. Matches
 * Captum's `IntegratedGradients` (50 steps, both rules, zero and mean baselines) to 1e-4.
 */
import { tf } from '../engine/tf';
import { GlassboxError } from '../errors';
import { checkInput, forEachGradientChunk, columnMeans, completenessGap, requireBackground, targetValues } from './batching';
import { QUADRATURE_RULES, quadrature, type QuadratureRule } from './quadrature';
import { additiveResult, inputGradients, resolveTargetClasses } from './target';
import type { AttributionInput, AttributionMethod } from './types';

export const BASELINES = ['zero', 'mean', 'custom'] as const;
export type BaselineKind = (typeof BASELINES)[number];

export interface IntegratedGradientsParams extends Record<string, unknown> {
  baseline: BaselineKind;
  steps: number;
  rule: QuadratureRule;
  batchSize: number;
}

export const integratedGradients = {
  id: 'integrated-gradients',
  name: 'Integrated Gradients',
  summary: 'Gradient integrated along the straight path from a baseline to the input, times (input - baseline); sums to f(x) - f(baseline).',
  reference: 'Sundararajan et al. 2017, arXiv:1703.01365',
  capabilities: { gradients: true, background: true, stochastic: false },
  params: {
    baseline: { type: 'string', default: 'mean', choices: BASELINES, description: 'zero, mean (encoded mean of the training rows) or custom (per-row baselines supplied by the caller).' },
    steps: { type: 'integer', default: 50, min: 1, max: 10000, description: 'Quadrature points along the path.' },
    rule: { type: 'string', default: 'gausslegendre', choices: QUADRATURE_RULES, description: 'Quadrature rule (Captum names, plus the textbook trapezoid).' },
    batchSize: { type: 'integer', default: 8192, min: 1, description: 'Evaluation points (rows x steps) per forward/backward pass.' },
  },
  async attribute(input, params) {
    checkInput('integrated-gradients', input);
    const { model, X, n, target, encoding } = input;
    const width = encoding.width;
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    const baselines = resolveBaselines('integrated-gradients', input, params.baseline);
    const { alphas, weights } = quadrature(params.rule, params.steps);
    const steps = params.steps;

    // Quadrature-weighted gradient sums per row and column, accumulated over step chunks. Dense
    // stacks take the hand-written backward pass (dense-gradients.ts) with the quadrature weights
    // applied before the first layer's backward product; other models tf.grad.
    const pathGrad = new Float64Array(n * width);
    forEachGradientChunk(input, steps, params.batchSize, (ch, dense) => {
      const R = ch.rowEnd - ch.rowStart;
      const S = ch.sampleEnd - ch.sampleStart;
      // Step-major points (s, r) = b_r + alpha_s (x_r - b_r), built here: a broadcast add of
      // [S, R, width] on the backend is slow on wasm.
      const points = new Float32Array(S * R * width);
      for (let k = 0; k < S; k++) {
        const a = alphas[ch.sampleStart + k]!;
        for (let r = 0; r < R; r++) {
          const xo = (ch.rowStart + r) * width;
          const po = (k * R + r) * width;
          for (let j = 0; j < width; j++) points[po + j] = baselines[xo + j]! + a * (X[xo + j]! - baselines[xo + j]!);
        }
      }
      const w = Float32Array.from(weights.subarray(ch.sampleStart, ch.sampleEnd));
      const g = tf.tidy(() => {
        const x = tf.tensor2d(points, [S * R, width]);
        const c = tf.tile(tf.tensor1d(classes.subarray(ch.rowStart, ch.rowEnd), 'int32'), [S]) as tf.Tensor1D;
        if (dense) return dense.gradSum(x, c, S, R, w);
        const grads = tf.reshape(inputGradients(model, x, c, target), [S, R * width]);
        return tf.reshape(tf.matMul(tf.tensor2d(w, [1, S]), grads), [R, width]);
    });
      const d = g.dataSync();
      const off = ch.rowStart * width;
      for (let k = 0; k < d.length; k++) pathGrad[off + k] += d[k]!;
      g.dispose();
    });

    const encoded = new Float32Array(n * width);
    for (let k = 0; k < n * width; k++) encoded[k] = (X[k]! - baselines[k]!) * pathGrad[k]!;
    const fx = targetValues(model, X, n, classes, target, params.batchSize);
    const fb = targetValues(model, baselines, n, classes, target, params.batchSize);
    return additiveResult('integrated-gradients', input, encoded, classes, {
      grouping: 'sum',
      baseline: params.baseline,
      rule: params.rule,
      steps,
      targetAtInput: Array.from(fx),
      targetAtBaseline: Array.from(fb),
      completenessGap: completenessGap(encoded, n, width, fx, fb),
    });
  },
} satisfies AttributionMethod<IntegratedGradientsParams>;

/** The n x width baseline rows for a baseline kind; errors name what is missing. */
export function resolveBaselines(methodId: string, input: AttributionInput, kind: BaselineKind): Float32Array {
  const { n, encoding } = input;
  const width = encoding.width;
  if (input.baselines && kind !== 'custom') {
    throw new GlassboxError('usage', `${methodId}: per-row baselines were supplied but baseline is '${kind}'; set baseline=custom to use them`);
  }
  switch (kind) {
    case 'zero':
      return new Float32Array(n * width);
    case 'mean': {
      const { background, backgroundN } = requireBackground(methodId, input, 'for baseline=mean (or use baseline=zero)');
      const mean = columnMeans(background, backgroundN, width);
      const out = new Float32Array(n * width);
      for (let i = 0; i < n; i++) out.set(mean, i * width);
      return out;
    }
    case 'custom':
      if (!input.baselines) throw new GlassboxError('usage', `${methodId}: baseline=custom needs per-row baselines (AttributionInput.baselines)`);
      if (input.baselines.length !== n * width) {
        throw new GlassboxError('shape', `${methodId}: baselines has ${input.baselines.length} values, expected n x width = ${n} x ${width}`);
      }
      return input.baselines;
    default:
      throw new GlassboxError('usage', `${methodId}: unknown baseline '${kind as string}' (baselines: ${BASELINES.join(', ')})`);
  }
}
