/**
 * Random-ablation impact (Fiddler-style): per row and raw feature, the mean absolute change of the
 * target when the feature alone is replaced by the value of a random training row,
 * Σ_b w_b |f(x) − f(x with feature f from b)|. Unsigned by design: it measures how much the
 * output depends on the feature at all, including effects that cancel in signed methods. Its mean
 * over a row set is the global "random ablation" feature impact (`glassbox importance`).
 *
 * Fiddler AI, "Explainable monitoring: feature impact"; equivalently the expected |Δf| under a
 * marginal single-feature intervention. Default: 32 training rows sampled with the seed.
 */
import { backgroundFrom, coalitionValues, spreadToColumns, type Game } from './perturb';
import { leaveOneOutMasks } from './feature-ablation';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

export interface RandomAblationParams extends Record<string, unknown> {
  backgroundSize: number;
}

export const randomAblation = {
  id: 'random-ablation',
  name: 'Random-ablation impact',
  summary: 'Mean |change of the target| when one raw feature is replaced by random training values (unsigned).',
  reference: 'Fiddler feature impact (random ablation)',
  capabilities: { gradients: false, background: true, stochastic: true },
  params: {
    backgroundSize: { type: 'integer', default: 32, min: 1, max: 4096, description: 'Random training rows each feature is replaced from.' },
  },
  async attribute(input, params) {
    const { model, encoding, X, n } = input;
    const F = encoding.features.length;
    const bg = backgroundFrom(input, 'random-ablation', params.backgroundSize, 'sample', input.seed ?? 0);
    const classes = resolveTargetClasses(model, X, n, input.target, input.labels);
    const game: Game = { model, encoding, target: input.target, X, n, classes, bg, signal: input.signal };
    const m = bg.m;
    const v = await coalitionValues(game, leaveOneOutMasks(F), F + 1, true, input.onProgress);
    const grouped = new Float64Array(n * F);
    for (let r = 0; r < n; r++) {
      const full = v[(r * (F + 1) + F) * m]!; // the full coalition does not depend on b
      for (let f = 0; f < F; f++) {
        let s = 0;
        for (let b = 0; b < m; b++) s += bg.w[b]! * Math.abs(full - v[(r * (F + 1) + f) * m + b]!);
        grouped[r * F + f] = s;
      }
    }
    return {
      method: 'random-ablation',
      n,
      width: encoding.width,
      encoded: spreadToColumns(grouped, X, n, encoding),
      grouped,
      targetClass: reportedTargetClasses(model, classes),
      extras: { grouping: 'feature', backgroundRows: m, unsigned: true },
    };
  },
} satisfies AttributionMethod<RandomAblationParams>;
