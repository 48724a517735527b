/**
 * Input x Gradient: x_j * ∂f/∂x_j per encoded column, the first-order (Taylor) contribution of
 * each input relative to an all-zero input. For a linear model it is exactly w_j * x_j. Additive,
 * so per raw feature the columns are summed (a one-hot group reduces to its active column, since
 * the others are zero).
 *
 * Shrikumar et al. (2016), "Not Just a Black Box", arXiv:1605.01713. Equals Captum's
 * `InputXGradient`.
 */
import { tf } from '../engine/tf';
import { checkInput, mapInputGradients } from './batching';
import { additiveResult, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

export interface InputXGradientParams extends Record<string, unknown> {
  batchSize: number;
}

export const inputXGradient = {
  id: 'input-x-gradient',
  name: 'Input x Gradient',
  summary: 'Each encoded input times the gradient of the target with respect to it; summed per raw feature.',
  reference: 'Shrikumar et al. 2016, arXiv:1605.01713',
  capabilities: { gradients: true, background: false, stochastic: false },
  params: {
    batchSize: { type: 'integer', default: 8192, min: 1, description: 'Rows per backward pass.' },
  },
  async attribute(input, params) {
    checkInput('input-x-gradient', input);
    const { model, X, n, target } = input;
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    const encoded = mapInputGradients(input, classes, params.batchSize, (x, grad) => tf.mul(x, grad));
    return additiveResult('input-x-gradient', input, encoded, classes, { grouping: 'sum' });
  },
} satisfies AttributionMethod<InputXGradientParams>;
