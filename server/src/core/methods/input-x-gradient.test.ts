import { describe, it, beforeAll } from 'vitest';
import { initEngine } from '../engine/backend';
import { groupByFeature } from '../data/encoding';
import { inputXGradient, type InputXGradientParams } from './input-x-gradient';
import { resolveParams } from './params';
import { expectClose } from '../../../test/helpers';
import { MIXED, W, linearModel, mixedRows } from '../../../test/models';

describe('input-x-gradient', () => {
  beforeAll(() => initEngine());

  it('equals x·w for linear and logistic (class-1 logit) models, summed per raw feature', async () => {
    const n = 9;
    const X = mixedRows(n);
    const expected = Float32Array.from(X, (x, k) => x * W[k % 5]!);
    for (const task of ['regression', 'binary'] as const) {
      const model = linearModel(task);
      const r = await inputXGradient.attribute(
        { model, encoding: MIXED, X, n, target: task === 'binary' ? { kind: 'class', index: 1 } : { kind: 'predicted' } },
        resolveParams<InputXGradientParams>('input-x-gradient', inputXGradient.params, { batchSize: 4 }),
      );
      expectClose(r.encoded, expected, 1e-6, 1e-7);
      expectClose(r.grouped, groupByFeature(expected, n, MIXED), 1e-6, 1e-7);
      model.dispose();
    }
  });
});
