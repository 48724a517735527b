/**
 * Gradient saliency: the gradient of the target with respect to each encoded input,
 * ∂f/∂x_j, signed or absolute. Per raw feature: a numeric feature's gradient, and for a categorical
 * feature the gradient on the row's own category column (the derivative along its one-hot
 * indicator; see `groupByFeatureActive`).
 *
 * Simonyan, Vedaldi & Zisserman (2014), "Deep Inside Convolutional Networks". Matches Captum's
 * `Saliency(abs=False)` for `absolute: false`.
 */
import { tf } from '../engine/tf';
import { groupByFeatureActive } from '../data/encoding';
import { mapInputGradients } from './batching';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';

export interface SaliencyParams extends Record<string, unknown> {
  absolute: boolean;
  batchSize: number;
}

export const saliency = {
  id: 'saliency',
  name: 'Gradient saliency',
  summary: 'Gradient of the target with respect to each input (signed, or absolute with absolute=true).',
  reference: 'Simonyan et al. 2014, arXiv:1312.6034',
  capabilities: { gradients: true, background: false, stochastic: false },
  params: {
    absolute: { type: 'boolean', default: false, description: 'Report |∂f/∂x| instead of the signed gradient.' },
    batchSize: { type: 'integer', default: 4096, min: 1, description: 'Rows per backward pass.' },
  },
  async attribute(input, params) {
    const { model, X, n, target, encoding } = input;
    const width = encoding.width;
    const classes = resolveTargetClasses(model, X, n, target, input.labels);
    const encoded = mapInputGradients(input, classes, params.batchSize, (_x, grad) => (params.absolute ? tf.abs(grad) : grad));
    return {
      method: 'saliency',
      n,
      width,
      encoded,
      grouped: groupByFeatureActive(encoded, X, n, encoding),
      targetClass: reportedTargetClasses(model, classes),
      extras: { grouping: 'active-column' },
    };
  },
} satisfies AttributionMethod<SaliencyParams>;
