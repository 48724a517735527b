/**
 * SmoothGrad²: the mean squared gradient of the target over noisy copies of the input (always
 * non-negative; magnitude only). Noise and seeding: see noise-tunnel.ts. Per raw feature: the
 * row's own category column for a categorical feature.
 *
 * Hooker, Erhan, Kindermans & Kim (2019), "A Benchmark for Interpretability Methods in Deep Neural
 * Networks", NeurIPS; Captum's `NoiseTunnel(nt_type='smoothgrad_sq')`.
 */
import { NOISE_PARAMS, noiseTunnel, type NoiseTunnelParams } from './noise-tunnel';
import type { AttributionMethod } from './types';

export const smoothgradSq = {
  id: 'smoothgrad-sq',
  name: 'SmoothGrad²',
  summary: 'Mean squared gradient of the target over noisy copies of each row.',
  reference: 'Hooker et al. 2019, arXiv:1806.10758',
  capabilities: { gradients: true, background: true, stochastic: true },
  params: NOISE_PARAMS,
  attribute: (input, params) => noiseTunnel('smoothgrad-sq', 'mean-square', input, params),
} satisfies AttributionMethod<NoiseTunnelParams>;
