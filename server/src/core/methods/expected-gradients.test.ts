import { describe, it, expect, beforeAll } from 'vitest';
import { initEngine } from '../engine/backend';
import { expectedGradients, type ExpectedGradientsParams } from './expected-gradients';
import { integratedGradients, type IntegratedGradientsParams } from './integrated-gradients';
import { resolveParams } from './params';
import type { AttributionInput } from './types';
import { expectClose } from '../../../test/helpers';
import { MIXED, W, linearModel, mixedRows, mlpModel } from '../../../test/models';

const params = (given: Record<string, unknown> = {}) => resolveParams<ExpectedGradientsParams>('expected-gradients', expectedGradients.params, given);

describe('expected-gradients', () => {
  beforeAll(() => initEngine());
  const n = 4;
  const X = mixedRows(n);

  it('with a one-row background equals (x - b)·w on a linear model', async () => {
    const model = linearModel('regression');
    const b = mixedRows(1, 8);
    const r = await expectedGradients.attribute({ model, encoding: MIXED, X, n, target: { kind: 'predicted' }, background: b, backgroundN: 1 }, params({ samples: 5 }));
    expectClose(r.encoded, Float32Array.from(X, (x, k) => (x - b[k % 5]!) * W[k % 5]!), 1e-5, 1e-6);
    model.dispose();
  });

  it('is complete against the drawn baselines on a linear model and tends to (x - E[b])·w', async () => {
    const model = linearModel('regression');
    const bgN = 50;
    const background = mixedRows(bgN, 77);
    const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'predicted' }, background, backgroundN: bgN, seed: 5 };
    const r = await expectedGradients.attribute(input, params({ samples: 4000 }));
    expectClose(r.extras.completenessGap as number[], new Array(n).fill(0), 0, 1e-4);
    const mean = [0, 1, 2, 3, 4].map((j) => Array.from({ length: bgN }, (_, i) => background[i * 5 + j]!).reduce((s, v) => s + v, 0) / bgN);
    // Sampling error of a mean over 4,000 draws of a column with spread <= 2: well under 0.15.
    expectClose(r.encoded, Float32Array.from(X, (x, k) => (x - mean[k % 5]!) * W[k % 5]!), 0, 0.15);
    model.dispose();
  });

  it('approaches Integrated Gradients from the single background row on a nonlinear model; seeded; batching-independent', async () => {
    const model = mlpModel();
    const b = mixedRows(1, 3);
    const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'class', index: 1 }, background: b, backgroundN: 1, seed: 9 };
    const eg = await expectedGradients.attribute(input, params({ samples: 3000 }));
    const ig = await integratedGradients.attribute(
      { ...input, baselines: Float32Array.from({ length: n * 5 }, (_, k) => b[k % 5]!) },
      resolveParams<IntegratedGradientsParams>('integrated-gradients', integratedGradients.params, { baseline: 'custom', steps: 64 }),
    );
    expectClose(eg.encoded, ig.encoded, 0, 0.01);
    const again = await expectedGradients.attribute(input, params({ samples: 3000, batchSize: 1000 }));
    expectClose(again.encoded, eg.encoded, 1e-5, 1e-7);
    const other = await expectedGradients.attribute({ ...input, seed: 10 }, params({ samples: 30 }));
    const same = await expectedGradients.attribute(input, params({ samples: 30 }));
    expect(Array.from(other.encoded)).not.toEqual(Array.from(same.encoded));
    model.dispose();
  });
});
