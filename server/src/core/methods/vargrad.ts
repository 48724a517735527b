/**
 * VarGrad: the variance of the gradient of the target over noisy copies of the input (population
 * variance E[g²] - E[g]², as Captum's `nt_type='vargrad'`): how unstable the local gradient is.
 * Noise and seeding: see noise-tunnel.ts. Per raw feature: the row's own category column.
 *
 * Adebayo, Gilmer, Goodfellow & Kim (2018), "Local Explanation Methods for Deep Neural Networks
 * Lack Sensitivity to Parameter Values", ICLR workshop, arXiv:1810.03307.
 */
import { NOISE_PARAMS, noiseTunnel, type NoiseTunnelParams } from './noise-tunnel';
import type { AttributionMethod } from './types';

export const vargrad = {
  id: 'vargrad',
  name: 'VarGrad',
  summary: 'Variance of the gradient of the target over noisy copies of each row.',
  reference: 'Adebayo et al. 2018, arXiv:1810.03307',
  capabilities: { gradients: true, background: true, stochastic: true },
  params: NOISE_PARAMS,
  attribute: (input, params) => noiseTunnel('vargrad', 'variance', input, params),
} satisfies AttributionMethod<NoiseTunnelParams>;
