/**
 * Exact interventional Shapley values per raw feature: every one of the 2^F coalitions of raw
 * features is evaluated (x on the coalition's columns, each background row elsewhere, averaged
 * with the background weights), then φ_i = Σ_{S∌i} |S|!(F−|S|−1)!/F! · (v(S∪{i}) − v(S)).
 * Efficiency holds by construction: Σ_i φ_i = f(x) − Σ_b w_b f(b); `extras.maxEfficiencyError`
 * reports the measured gap (float32 forward passes).
 *
 * Shapley (1953); Lundberg & Lee (2017), "A Unified Approach to Interpreting Model Predictions";
 * interventional game as in Janzing, Minorics & Blöbaum (2020). Cost: 2^F × background rows
 * forward evaluations per row, so F is limited to 16 (KernelSHAP approximates beyond).
 * Defaults: 16 background rows sampled from the training set with the seed.
 */
import { GlassboxError } from '../errors';
import { backgroundFrom, coalitionValues, masksFromBits, spreadToColumns, type Game } from './perturb';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

export interface ShapleyExactParams extends Record<string, unknown> {
  backgroundSize: number;
  summary: string;
}

export const MAX_EXACT_FEATURES = 16;

/** Shapley values of one game given v over all 2^F coalitions (index = bit set). */
export function shapleyFromValues(v: ArrayLike<number>, F: number, out: Float64Array, offset = 0): void {
  // w[s] = s!(F-s-1)!/F! = 1 / (F * C(F-1, s))
  const w = new Float64Array(F);
  let binom = 1;
  for (let s = 0; s < F; s++) {
    w[s] = 1 / (F * binom);
    binom = (binom * (F - 1 - s)) / (s + 1);
  }
  const size = new Uint8Array(1 << F);
  for (let S = 1; S < 1 << F; S++) size[S] = size[S >> 1]! + (S & 1);
  for (let i = 0; i < F; i++) {
    const bit = 1 << i;
    let phi = 0;
    for (let S = 0; S < 1 << F; S++) if (!(S & bit)) phi += w[size[S]!]! * (v[S | bit]! - v[S]!);
    out[offset + i] = phi;
  }
}

export const shapleyExact = {
  id: 'shapley-exact',
  name: 'Exact Shapley values',
  summary: 'Interventional Shapley values per raw feature by enumerating all 2^F coalitions against background rows (F <= 16).',
  reference: 'Lundberg & Lee 2017, arXiv:1705.07874; Janzing et al. 2020, arXiv:1910.13413',
  capabilities: { gradients: false, background: true, stochastic: true },
  params: {
    backgroundSize: { type: 'integer', default: 16, min: 1, max: 4096, description: 'Background rows the absent features take their values from (a seeded sample of the training set, or k-means clusters).' },
    summary: { type: 'string', default: 'sample', choices: ['sample', 'kmeans'], description: 'How the background is summarised: a random sample, or k-means cluster representatives weighted by cluster size.' },
  },
  async attribute(input, params) {
    const { model, encoding, X, n } = input;
    const F = encoding.features.length;
    if (F > MAX_EXACT_FEATURES) {
      throw new GlassboxError('usage', `shapley-exact enumerates 2^F coalitions and supports at most ${MAX_EXACT_FEATURES} raw features; this model has ${F}: use --method kernel-shap`);
    }
    const bg = backgroundFrom(input, 'shapley-exact', params.backgroundSize, params.summary as 'sample' | 'kmeans', input.seed ?? 0);
    const classes = resolveTargetClasses(model, X, n, input.target, input.labels);
    const game: Game = { model, encoding, target: input.target, X, n, classes, bg, signal: input.signal };
    const C = 1 << F;
    const v = await coalitionValues(game, masksFromBits(Int32Array.from({ length: C }, (_, i) => i), F), C, false, input.onProgress);
    const grouped = new Float64Array(n * F);
    let maxEfficiencyError = 0;
    const baseValue = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const vr = v.subarray(r * C, (r + 1) * C);
      shapleyFromValues(vr, F, grouped, r * F);
      let sum = 0;
      for (let i = 0; i < F; i++) sum += grouped[r * F + i]!;
      baseValue[r] = vr[0]!;
      maxEfficiencyError = Math.max(maxEfficiencyError, Math.abs(sum - (vr[C - 1]! - vr[0]!)));
    }
    return {
      method: 'shapley-exact',
      n,
      width: encoding.width,
      encoded: spreadToColumns(grouped, X, n, encoding),
      grouped,
      targetClass: reportedTargetClasses(model, classes),
      extras: { grouping: 'feature', backgroundRows: bg.m, coalitions: C, baseValue: Array.from(baseValue), maxEfficiencyError },
    };
  },
} satisfies AttributionMethod<ShapleyExactParams>;
