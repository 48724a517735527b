/**
 * Feature ablation per raw feature: φ_f = f(x) − Σ_b w_b f(x with feature f's columns taken from
 * background row b), i.e. how much the target drops when the feature alone is replaced by training
 * values. `baseline: 'background'` averages over a seeded sample of training rows (default 32);
 * `baseline: 'mean'` replaces by the single mean training row (a fractional one-hot for
 * categoricals, as Captum's FeatureAblation with a mean baseline). Local and signed; unlike
 * Shapley values the effects need not sum to f(x) − E f.
 *
 * Captum's FeatureAblation (Kokhlikyan et al. 2020) with raw-feature groups as the feature mask.
 */
import { backgroundFrom, coalitionValues, spreadToColumns, type Background, type Game } from './perturb';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

export interface FeatureAblationParams extends Record<string, unknown> {
  baseline: string;
  backgroundSize: number;
}

/** Masks: row f keeps everything but feature f; the last row keeps everything. */
export function leaveOneOutMasks(F: number): Uint8Array {
  const masks = new Uint8Array((F + 1) * F).fill(1);
  for (let f = 0; f < F; f++) masks[f * F + f] = 0;
  return masks;
}

export const featureAblation = {
  id: 'feature-ablation',
  name: 'Feature ablation',
  summary: 'Drop of the target when one raw feature is replaced by training values (signed, local).',
  reference: 'Captum FeatureAblation, arXiv:2009.07896',
  capabilities: { gradients: false, background: true, stochastic: true },
  params: {
    baseline: { type: 'string', default: 'background', choices: ['background', 'mean'], description: 'Replace by sampled training rows (averaged) or by the mean training row.' },
    backgroundSize: { type: 'integer', default: 32, min: 1, max: 4096, description: 'Training rows sampled for baseline=background.' },
  },
  async attribute(input, params) {
    const { model, encoding, X, n } = input;
    const F = encoding.features.length;
    let bg = backgroundFrom(input, 'feature-ablation', params.backgroundSize, 'sample', input.seed ?? 0);
    if (params.baseline === 'mean') bg = meanRow(input.background!, input.backgroundN!, encoding.width);
    const classes = resolveTargetClasses(model, X, n, input.target, input.labels);
    const game: Game = { model, encoding, target: input.target, X, n, classes, bg, signal: input.signal };
    const v = await coalitionValues(game, leaveOneOutMasks(F), F + 1, false, input.onProgress);
    const grouped = new Float64Array(n * F);
    for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) grouped[r * F + f] = v[r * (F + 1) + F]! - v[r * (F + 1) + f]!;
    return {
      method: 'feature-ablation',
      n,
      width: encoding.width,
      encoded: spreadToColumns(grouped, X, n, encoding),
      grouped,
      targetClass: reportedTargetClasses(model, classes),
      extras: { grouping: 'feature', backgroundRows: bg.m },
    };
  },
} satisfies AttributionMethod<FeatureAblationParams>;

function meanRow(B: Float32Array, m: number, width: number): Background {
  const mean = new Float32Array(width);
  const acc = new Float64Array(width);
  for (let r = 0; r < m; r++) for (let c = 0; c < width; c++) acc[c]! += B[r * width + c]!;
  for (let c = 0; c < width; c++) mean[c] = acc[c]! / m;
  return { B: mean, m: 1, w: new Float64Array([1]) };
}
