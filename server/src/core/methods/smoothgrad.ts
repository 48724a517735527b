/**
 * SmoothGrad: the mean gradient of the target over noisy copies of the input, a less noisy
 * saliency map. Noise and seeding: see noise-tunnel.ts. Per raw feature: the row's own category
 * column for a categorical feature (as saliency).
 *
 * Smilkov, Thorat, Kim, Viégas & Wattenberg (2017), "SmoothGrad: removing noise by adding noise",
 * arXiv:1706.03825. With absoluteNoise=true equals Captum's `NoiseTunnel(Saliency(abs=False),
 * nt_type='smoothgrad', stdevs=noiseLevel)` in expectation.
 */
import { NOISE_PARAMS, noiseTunnel, type NoiseTunnelParams } from './noise-tunnel';
import type { AttributionMethod } from './types';

export const smoothgrad = {
  id: 'smoothgrad',
  name: 'SmoothGrad',
  summary: 'Mean gradient of the target over noisy copies of each row.',
  reference: 'Smilkov et al. 2017, arXiv:1706.03825',
  capabilities: { gradients: true, background: true, stochastic: true },
  params: NOISE_PARAMS,
  attribute: (input, params) => noiseTunnel('smoothgrad', 'mean', input, params),
} satisfies AttributionMethod<NoiseTunnelParams>;
