/**
 * Exact TreeSHAP for tree ensembles (XGBoost, LightGBM, scikit-learn): Shapley values of the
 * target's margin (the model's output before its link: log-odds for logistic models, the class
 * margin for softmax models, the averaged probability for forests, the value for regression).
 *
 * - `path-dependent` (default): Lundberg et al. 2020, Algorithm 2; absent features follow the
 *   training cover at each split, so no background rows are needed. Equals `shap.TreeExplainer`
 *   and XGBoost's `pred_contribs`.
 * - `interventional`: absent features take background rows' values (the same value function as
 *   kernel-shap and shapley-exact), exact per background row, averaged; `backgroundSize` rows.
 * - `interactions` > 0 adds the exact SHAP interaction values (path-dependent) of the strongest raw
 *   feature pairs per row (mean |value| over the rows), as `extras.interactions`.
 *
 * Per raw feature: the sum over the feature's encoded columns (additive, like every Shapley method
 * here). Base value + the row's attributions = the row's margin. Lundberg et al. 2020, "From local
 * explanations to global understanding with explainable AI for trees", Nature MI 2:56–67.
 */
import { GlassboxError, throwIfAborted } from '../errors';
import { featureNames } from '../data/encoding';
import { interventionalTreeShap, treeShap, treeShapInteractions, type TreeEnsemble } from '../model/trees';
import { checkInput } from './batching';
import { backgroundFrom } from './perturb';
import { additiveResult, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

export interface TreeShapParams extends Record<string, unknown> {
  algorithm: string;
  backgroundSize: number;
  interactions: number;
}

export const treeShapMethod = {
  id: 'tree-shap',
  name: 'TreeSHAP (exact)',
  summary: 'Exact Shapley values of a tree ensemble\'s margin per raw feature: path-dependent (no background) or interventional against background rows.',
  reference: 'Lundberg et al. 2020, Nature Machine Intelligence 2:56-67, arXiv:1905.04610',
  capabilities: { gradients: false, background: true, stochastic: false, models: ['trees'] },
  params: {
    algorithm: { type: 'string', default: 'path-dependent', choices: ['path-dependent', 'interventional'], description: 'path-dependent: absent features follow the training cover (shap.TreeExplainer default); interventional: absent features take background rows\' values.' },
    backgroundSize: { type: 'integer', default: 100, min: 1, max: 4096, description: 'Background rows (a seeded sample of the training rows) for the interventional algorithm.' },
    interactions: { type: 'integer', default: 0, min: 0, max: 100, description: 'Report the exact SHAP interaction values of this many strongest raw-feature pairs (0: none).' },
  },
  async attribute(input, params) {
    checkInput('tree-shap', input);
    throwIfAborted(input.signal);
    const { model, X, n, encoding, target } = input;
    if (model.kind !== 'trees') throw new GlassboxError('usage', 'tree-shap explains tree ensembles; use kernel-shap for other models', { file: model.file });
    if (target.kind === 'loss') throw new GlassboxError('usage', "tree-shap explains the model's margin; for the 'loss' target use kernel-shap");
    const ensemble = model.native as TreeEnsemble;
    const d = encoding.width;
    const K = ensemble.outputs;
    const options = input.signal ? { signal: input.signal } : {};
    let values: Float64Array;
    let expected: Float64Array;
    let backgroundRows = 0;
    if (params.algorithm === 'interventional') {
      // Unweighted rows: the interventional value is a plain mean over background rows.
      const bg = backgroundFrom(input, 'tree-shap', params.backgroundSize, 'sample', input.seed ?? 0);
      backgroundRows = bg.m;
      const r = await interventionalTreeShap(ensemble, X, n, bg.B, bg.m, options);
      values = r.values;
      expected = r.expectedValue;
    } else {
      const r = await treeShap(ensemble, X, n, options);
      values = r.values;
      expected = r.expectedValue;
    }
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    // Output group explained per row, and its sign: a one-output classifier's margin is class 1's
    // log-odds; class 0's is its negation (as targetScalar explains one-output models).
    const outputOf = (r: number): number => (model.task === 'regression' || K === 1 ? 0 : classes[r]!);
    const signOf = (r: number): number => (model.task !== 'regression' && K === 1 && classes[r] === 0 ? -1 : 1);
    const encoded = new Float32Array(n * d);
    const baseValue = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const k = outputOf(r);
      const sign = signOf(r);
      for (let j = 0; j < d; j++) encoded[r * d + j] = sign * values[(r * d + j) * K + k]!;
      baseValue[r] = sign * expected[k]!;
    }
    const extras: Record<string, unknown> = {
      grouping: 'feature',
      algorithm: params.algorithm,
      explains: ensemble.link === 'identity' && model.task !== 'regression' ? 'probability (averaged trees)' : ensemble.link === 'exp' ? 'log of the predicted value' : 'margin (before the link)',
      baseValue: Array.from(baseValue),
      exact: true,
    };
    if (backgroundRows) extras.backgroundRows = backgroundRows;
    if (params.interactions > 0) extras.interactions = await topInteractions(ensemble, input, outputOf, params.interactions);
    return additiveResult('tree-shap', input, encoded, classes, extras);
  },
} satisfies AttributionMethod<TreeShapParams>;

/**
 * The strongest pairs of raw features by mean |SHAP interaction value| over the rows (off the
 * diagonal; a pair's value counts both halves, φ_ij + φ_ji, summed over the features' columns).
 */
async function topInteractions(ensemble: TreeEnsemble, input: Parameters<typeof treeShapMethod.attribute>[0], outputOf: (r: number) => number, top: number) {
  const { X, n, encoding } = input;
  const d = encoding.width;
  const K = ensemble.outputs;
  const r = await treeShapInteractions(ensemble, X, n, input.signal ? { signal: input.signal } : {});
  const names = featureNames(encoding);
  const F = names.length;
  const featureOf = new Int32Array(d);
  encoding.features.forEach((f, i) => featureOf.fill(i, f.columns[0], f.columns[1]));
  const meanAbs = new Float64Array(F * F);
  const pair = new Float64Array(F * F);
  for (let row = 0; row < n; row++) {
    const k = outputOf(row);
    pair.fill(0);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const a = featureOf[i]!;
        const b = featureOf[j]!;
        if (a !== b) pair[Math.min(a, b) * F + Math.max(a, b)]! += r.values[((row * d + i) * d + j) * K + k]!;
      }
    }
    for (let t = 0; t < F * F; t++) meanAbs[t]! += Math.abs(pair[t]!) / n;
  }
  const pairs: Array<{ features: [string, string]; meanAbs: number }> = [];
  for (let a = 0; a < F; a++) for (let b = a + 1; b < F; b++) if (meanAbs[a * F + b]! > 0) pairs.push({ features: [names[a]!, names[b]!], meanAbs: meanAbs[a * F + b]! });
  return pairs.sort((x, y) => y.meanAbs - x.meanAbs).slice(0, top);
}
