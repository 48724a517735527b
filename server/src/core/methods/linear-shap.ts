/**
 * Exact Shapley values of a linear or logistic model in closed form: for the target logit
 * z_k(x) = w_k·x + b_k, the interventional Shapley value of encoded column j against background
 * rows B is φ_j = w_kj (x_j − E_B[x_j]), and a raw feature's value is the sum over its columns
 * (a one-hot group enters and leaves as a whole, as in the coalition methods). For a linear target
 * this equals Integrated Gradients from the background mean and exact enumeration over coalitions,
 * at O(n·d) cost and for any number of features.
 *
 * Lundberg & Lee 2017 (arXiv:1705.07874), linear models with independent features; Janzing et al.
 * 2020 (arXiv:1910.13413) for the interventional value. Units: logit (log-odds) of the target class,
 * or the predicted value for regression; for one-vs-rest models the class's decision score z_k (its
 * probability is σ(z_k) normalised over classes). The `loss` target is not linear: use kernel-shap.
 */
import { GlassboxError, throwIfAborted } from '../errors';
import { checkInput, columnMeans, requireBackground } from './batching';
import { additiveResult, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';
import type { LinearNative } from '../model/formats/linear';

export type LinearShapParams = Record<string, never>;

export const linearShap = {
  id: 'linear-shap',
  name: 'Linear SHAP (closed form)',
  summary: 'Exact Shapley values of a linear or logistic model: weight × (value − background mean), per raw feature.',
  reference: 'Lundberg & Lee 2017, arXiv:1705.07874',
  capabilities: { gradients: false, background: true, stochastic: false, models: ['linear'] },
  params: {},
  async attribute(input) {
    checkInput('linear-shap', input);
    throwIfAborted(input.signal);
    const { model, X, n, encoding, target } = input;
    if (target.kind === 'loss') throw new GlassboxError('usage', "linear-shap explains a logit, which is linear in the inputs; the 'loss' target is not: use kernel-shap");
    const native = model.native as LinearNative | undefined;
    if (model.kind !== 'linear' || !native) throw new GlassboxError('usage', 'linear-shap explains linear models; use kernel-shap for other models', { file: model.file });
    const { background, backgroundN } = requireBackground('linear-shap', input, 'for the expected value each feature is measured from');
    const width = encoding.width;
    const mean = columnMeans(background, backgroundN, width);
    const outputs = native.coef.length;
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    const encoded = new Float32Array(n * width);
    const baseValue = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      // One-output classifiers: class 1's log-odds is z, class 0's is -z (as targetScalar explains them).
      const k = outputs === 1 ? 0 : classes[r]!;
      const sign = outputs === 1 && model.task !== 'regression' && classes[r] === 0 ? -1 : 1;
      const w = native.coef[k]!;
      let base = native.intercept[k] ?? 0;
      for (let j = 0; j < width; j++) {
        encoded[r * width + j] = sign * w[j]! * (X[r * width + j]! - mean[j]!);
        base += w[j]! * mean[j]!;
      }
      baseValue[r] = sign * base;
    }
    return additiveResult('linear-shap', input, encoded, classes, { grouping: 'feature', backgroundRows: backgroundN, baseValue: Array.from(baseValue), exact: true, explains: native.oneVsRest ? 'the one-vs-rest decision score z of the class' : 'the logit' });
  },
} satisfies AttributionMethod<LinearShapParams>;
