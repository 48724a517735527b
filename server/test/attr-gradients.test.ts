/**
 * Gradient attribution methods on the reference Adult MLP against Captum (see anchors/README.md):
 * Integrated Gradients with zero and mean baselines under both of Captum's rules, and SmoothGrad
 * against a 4,000-sample reference with its standard errors.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { anchorProject, readAnchor, expectClose } from './helpers';
import { integratedGradients, type IntegratedGradientsParams } from '../src/core/methods/integrated-gradients';
import { smoothgrad } from '../src/core/methods/smoothgrad';
import type { NoiseTunnelParams } from '../src/core/methods/noise-tunnel';
import { resolveParams } from '../src/core/methods/params';
import type { AttributionInput } from '../src/core/methods/types';
import type { Project } from '../src/core/project';

const WIDTH = 108;

describe('gradient methods on the reference Adult MLP (Captum anchors)', () => {
  let project: Project;
  let base: AttributionInput;
  const ref = readAnchor('attr_gradients.json');
  const n = ref.X.length as number;

  beforeAll(async () => {
    project = await anchorProject();
    const model = await project.model(project.latestCheckpoint());
    const { encoding } = await project.schema();
    const test = await project.dataset('test');
    const train = await project.dataset('train');
    base = { model, encoding, X: test.X.subarray(0, n * WIDTH), n, target: { kind: 'class', index: 1 }, background: train.X, backgroundN: train.n };
  });
  afterAll(() => project?.dispose());

  const igParams = (given: Record<string, unknown>) => resolveParams<IntegratedGradientsParams>('integrated-gradients', integratedGradients.params, given);

  for (const baseline of ['zero', 'mean'] as const) {
    for (const rule of ['gausslegendre', 'riemann_trapezoid'] as const) {
      it(`Integrated Gradients, ${baseline} baseline, ${rule}, 50 steps: per column and per raw feature`, async () => {
        const r = await integratedGradients.attribute(base, igParams({ baseline, rule: rule.replace('_', '-'), steps: 50 }));
        const expected = ref.integrated_gradients.results[`${baseline}/${rule}`];
        expectClose(r.encoded, expected.attributions.flat(), 1e-4, 2e-6);
        expectClose(r.grouped, expected.grouped.flat(), 1e-4, 2e-6);
        expectClose(r.extras.completenessGap as number[], expected.convergence_delta, 2e-3, 2e-5);
        const fb = r.extras.targetAtBaseline as number[];
        expect(fb[0]).toBeCloseTo(baseline === 'zero' ? ref.f_zero_baseline : ref.f_mean_baseline, 5);
      });
    }
  }

  it('the mean baseline is the encoded training mean of the reference', () => {
    const mean = new Float64Array(WIDTH);
    for (let i = 0; i < base.backgroundN!; i++) for (let j = 0; j < WIDTH; j++) mean[j] += base.background![i * WIDTH + j]! / base.backgroundN!;
    expectClose(mean, readAnchor('encoding.json').baseline_mean, 1e-5, 1e-6);
  });

  // The MLP is piecewise linear (ReLU), so the gradient along the path jumps at every kink and no
  // rule converges faster than ~1/steps: Captum's own float64 gaps at 50 steps have a median of
  // 1.3e-3 relative per row and reach 4e-2 on rows with f(x) ≈ f(b). The bound is therefore on the
  // total: sum over rows of |gap| / sum of |f(x) - f(b)|.
  it('completeness gap at 64 Gauss–Legendre steps: below 1e-3 relative (zero baseline), 1.5e-3 (mean), shrinking with steps', async () => {
    const totalRelativeGap = async (baseline: string, steps: number) => {
      const r = await integratedGradients.attribute(base, igParams({ baseline, steps }));
      const fx = r.extras.targetAtInput as number[];
      const fb = r.extras.targetAtBaseline as number[];
      const gaps = r.extras.completenessGap as number[];
      return gaps.reduce((s, g) => s + Math.abs(g), 0) / fx.reduce((s, v, i) => s + Math.abs(v - fb[i]!), 0);
    };
    const zero64 = await totalRelativeGap('zero', 64);
    const mean64 = await totalRelativeGap('mean', 64);
    expect(zero64).toBeLessThan(1e-3);
    expect(mean64).toBeLessThan(1.5e-3);
    expect(await totalRelativeGap('zero', 256)).toBeLessThan(zero64 / 2);
    expect(await totalRelativeGap('mean', 256)).toBeLessThan(mean64 / 2);
  });

  it('SmoothGrad, 1,000 samples, absolute noise 0.1: agrees with the 4,000-sample reference within its standard errors', async () => {
    const sg = readAnchor('attr_smoothgrad.json');
    const rows = sg.reference.mean.length as number;
    const samples = 1000;
    const p = resolveParams<NoiseTunnelParams>('smoothgrad', smoothgrad.params, { samples, noiseLevel: 0.1, absoluteNoise: true });
    const r = await smoothgrad.attribute({ ...base, X: base.X.subarray(0, rows * WIDTH), n: rows, seed: 1 }, p);
    const mean = sg.reference.mean.flat() as number[];
    const se = sg.reference.std_error.flat() as number[];
    const nRef = sg.reference.n_samples as number;
    // z-score of each of the 20 x 108 values against the README's combined standard error; its
    // tolerance of ~4 of them, widened to 4.5 for the maximum over 2,160 values (Bonferroni).
    const z = mean.map((m, k) => (r.encoded[k]! - m) / Math.sqrt((se[k]! ** 2 * nRef) / samples + se[k]! ** 2));
    expect(Math.max(...z.map(Math.abs))).toBeLessThan(4.5);
    // And the spread is the one expected: a wrong noise scale biases every value.
    const meanSq = z.reduce((s, v) => s + v * v, 0) / z.length;
    expect(meanSq).toBeGreaterThan(0.7);
    expect(meanSq).toBeLessThan(1.4);
  });
});
