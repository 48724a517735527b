import { describe, it, expect, beforeAll } from 'vitest';
import { initEngine } from '../engine/backend';
import { GlassboxError } from '../errors';
import { groupByFeature } from '../data/encoding';
import { integratedGradients, type IntegratedGradientsParams } from './integrated-gradients';
import { resolveParams } from './params';
import type { AttributionInput } from './types';
import { expectClose } from '../../../test/helpers';
import { MIXED, W, dotW, linearModel, mixedRows, mlpModel } from '../../../test/models';

const params = (given: Record<string, unknown> = {}) => resolveParams<IntegratedGradientsParams>('integrated-gradients', integratedGradients.params, given);

describe('integrated-gradients', () => {
  beforeAll(() => initEngine());
  const n = 6;
  const X = mixedRows(n);
  const background = mixedRows(40, 99);

  it('equals (x - baseline)·w exactly for a linear model, for every rule whose weights sum to 1', async () => {
    const model = linearModel('regression');
    const mean = new Float32Array(5);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 5; j++) mean[j] += background[i * 5 + j]! / 40;
    for (const rule of ['gausslegendre', 'trapezoid', 'riemann-left', 'riemann-middle']) {
      for (const baseline of ['zero', 'mean'] as const) {
        const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'predicted' }, background, backgroundN: 40 };
        const r = await integratedGradients.attribute(input, params({ rule, baseline, steps: 7 }));
        const expected = Float32Array.from(X, (x, k) => (x - (baseline === 'mean' ? mean[k % 5]! : 0)) * W[k % 5]!);
        expectClose(r.encoded, expected, 1e-5, 1e-6);
        expectClose(r.grouped, groupByFeature(expected, n, MIXED), 1e-5, 1e-6);
        expectClose(r.extras.completenessGap as number[], new Array(n).fill(0), 0, 1e-5);
      }
    }
    model.dispose();
  });

  it("scales by (n-1)/n with Captum's riemann-trapezoid, as Captum does", async () => {
    const model = linearModel('regression');
    const r = await integratedGradients.attribute({ model, encoding: MIXED, X, n, target: { kind: 'predicted' } }, params({ rule: 'riemann-trapezoid', baseline: 'zero', steps: 10 }));
    expectClose(r.encoded, Float32Array.from(X, (x, k) => 0.9 * x * W[k % 5]!), 1e-5, 1e-6);
    model.dispose();
  });

  it('uses per-row custom baselines, and the class-1 logit of a logistic model is linear too', async () => {
    const model = linearModel('binary');
    const baselines = mixedRows(n, 5);
    const r = await integratedGradients.attribute({ model, encoding: MIXED, X, n, target: { kind: 'class', index: 1 }, baselines }, params({ baseline: 'custom', steps: 3 }));
    expectClose(r.encoded, Float32Array.from(X, (x, k) => (x - baselines[k]!) * W[k % 5]!), 1e-5, 1e-6);
    expectClose(r.grouped.filter((_, k) => k % 3 === 0), dotW(X, n).map((_, i) => (X[i * 5]! - baselines[i * 5]!) * W[0]!), 1e-5, 1e-6);
    expect(Array.from(r.targetClass)).toEqual(new Array(n).fill(1));
    model.dispose();
  });

  it('is nearly complete on a nonlinear model and does not depend on how rows x steps are batched', async () => {
    const model = mlpModel();
    const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'loss' }, labels: Float32Array.from({ length: n }, (_, i) => i % 2) };
    const big = await integratedGradients.attribute(input, params({ baseline: 'zero', steps: 64 }));
    const fx = big.extras.targetAtInput as number[];
    const fb = big.extras.targetAtBaseline as number[];
    (big.extras.completenessGap as number[]).forEach((g, i) => expect(Math.abs(g)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fx[i]! - fb[i]!))));
    // batchSize 24 < steps: every row's steps split over several passes.
    const small = await integratedGradients.attribute(input, params({ baseline: 'zero', steps: 64, batchSize: 24 }));
    expectClose(small.encoded, big.encoded, 1e-5, 1e-7);
    model.dispose();
  });

  it('gives the same attributions through the closed-form dense backward pass as through tf.grad', async () => {
    const model = mlpModel();
    // The same model without its dense-stack description: run by tf.grad.
    const taped = { ...model, layers: undefined };
    for (const target of [{ kind: 'predicted' }, { kind: 'loss' }] as const) {
      for (const rule of ['gausslegendre', 'riemann-trapezoid'] as const) {
        const input: AttributionInput = { model, encoding: MIXED, X, n, target, labels: Float32Array.from({ length: n }, (_, i) => (i + 1) % 2), background, backgroundN: 40 };
        const fast = await integratedGradients.attribute(input, params({ rule, steps: 20, batchSize: 30 }));
        const slow = await integratedGradients.attribute({ ...input, model: taped }, params({ rule, steps: 20, batchSize: 30 }));
        expect(Math.max(...Array.from(slow.encoded, Math.abs))).toBeGreaterThan(1e-3);
        expectClose(fast.encoded, slow.encoded, 1e-5, 1e-6);
      }
    }
    model.dispose();
  });

  it('says what is missing: background for the mean, baselines for custom, their shape', async () => {
    const model = linearModel('regression');
    const base: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'predicted' } };
    await expect(integratedGradients.attribute(base, params({ baseline: 'mean' }))).rejects.toThrow(/needs background .* baseline=mean/);
    await expect(integratedGradients.attribute(base, params({ baseline: 'custom' }))).rejects.toThrow(/baseline=custom needs per-row baselines/);
    const err = await integratedGradients.attribute({ ...base, baselines: new Float32Array(3) }, params({ baseline: 'custom' })).catch((e) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect(err.code).toBe('shape');
    expect(err.message).toMatch(/baselines has 3 values, expected n x width = 6 x 5/);
    await expect(integratedGradients.attribute({ ...base, baselines: new Float32Array(30) }, params({ baseline: 'zero' }))).rejects.toThrow(/set baseline=custom/);
    model.dispose();
  });
});
