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
 * or the predicted value for regression. The `loss` target is not linear: use kernel-shap.
 */
import { GlassboxError, throwIfAborted } from '../errors';
import { groupByFeature } from '../data/encoding';
import { checkInput, columnMeans, requireBackground } from './batching';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

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
    const head = model.layers?.[0];
    if (!head || model.layers!.length !== 1) throw new GlassboxError('model', 'linear-shap needs a one-layer linear model', { file: model.file });
    const { background, backgroundN } = requireBackground('linear-shap', input, 'for the expected value each feature is measured from');
    const width = encoding.width;
    const mean = columnMeans(background, backgroundN, width);
    const kernel = head.kernel.dataSync() as Float32Array; // width x outputs
    const outputs = head.kernel.shape[1];
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    const encoded = new Float32Array(n * width);
    const baseValue = new Float64Array(n);
    const bias = head.bias ? (head.bias.dataSync() as Float32Array) : new Float32Array(outputs);
    for (let r = 0; r < n; r++) {
      // One-unit heads give logits [0, z]: class 0's logit is constant, class 1's is z.
      const k = outputs === 1 ? (model.task === 'regression' || classes[r] === 1 ? 0 : -1) : classes[r]!;
      if (k < 0) continue;
      let base = bias[k]!;
      for (let j = 0; j < width; j++) {
        const w = kernel[j * outputs + k]!;
        encoded[r * width + j] = w * (X[r * width + j]! - mean[j]!);
        base += w * mean[j]!;
      }
      baseValue[r] = base;
    }
    return {
      method: 'linear-shap',
      n,
      width,
      encoded,
      grouped: groupByFeature(encoded, n, encoding),
      targetClass: reportedTargetClasses(model, classes),
      extras: { grouping: 'feature', backgroundRows: backgroundN, baseValue: Array.from(baseValue), exact: true },
    };
  },
} satisfies AttributionMethod<LinearShapParams>;
