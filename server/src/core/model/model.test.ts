import { describe, it, expect, beforeAll } from 'vitest';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { wrapModel, predict } from './model';
import type { Encoding } from '../data/encoding';
import { GlassboxError } from '../errors';

const encoding = (width: number): Encoding => ({
  features: Array.from({ length: width }, (_, i) => ({ name: `f${i}`, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
  ignored: [],
  missing: [],
  width,
  label: { name: 'y', classes: ['0', '1'] },
});

describe('wrapModel', () => {
  beforeAll(() => initEngine());

  it('names both shapes when the input width does not match the encoded data', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 2 })] });
    let err: GlassboxError | undefined;
    try {
      wrapModel(m, '/ckpt/epoch-1', {}, { encoding: encoding(4), task: 'binary' });
    } catch (e) {
      err = e as GlassboxError;
    }
    expect(err?.code).toBe('shape');
    expect(err?.message).toMatch(/expects input shape \[batch, 5\] but the encoded data has shape \[batch, 4\]/);
    expect(err?.location?.file).toBe('/ckpt/epoch-1/model.json');
    m.dispose();
  });

  it('rejects an output the task cannot use', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3 })] });
    expect(() => wrapModel(m, '/c', {}, { encoding: encoding(3), task: 'binary' })).toThrow(/task is binary .* output shape \[batch, 3\]; expected \[batch, 1 or 2\]/);
    expect(() => wrapModel(m, '/c', {}, { encoding: encoding(3), task: 'regression' })).toThrow(/expected \[batch, 1\]/);
    m.dispose();
  });

  it('turns a one-unit sigmoid head into logits [0, z] whose softmax is the model output', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    const h = wrapModel(m, '/c', {}, { encoding: encoding(3), task: 'binary' });
    expect(h.layers?.length).toBe(2);
    expect(h.outputKind).toBe('probabilities');
    const X = Float32Array.from([0.1, -2, 3, 1, 1, 1]);
    const p = predict(h, X, 2);
    const direct = (m.predict(tf.tensor2d(X, [2, 3])) as tf.Tensor).dataSync();
    expect(p.probabilities![1]).toBeCloseTo(direct[0]!, 6);
    expect(p.probabilities![3]).toBeCloseTo(direct[1]!, 6);
    expect(p.logits[0]).toBe(0);
    m.dispose();
  });

  it('runs models that are not a dense stack through tfjs-layers with the same results', () => {
    const m = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), tfl.layers.batchNormalization(), tfl.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const h = wrapModel(m, '/c', {}, { encoding: encoding(3), task: 'binary' });
    expect(h.layers).toBeUndefined();
    const X = Float32Array.from([0.5, 1, -1]);
    const p = predict(h, X, 1);
    const direct = (m.predict(tf.tensor2d(X, [1, 3])) as tf.Tensor).dataSync();
    expect(p.probabilities![0]).toBeCloseTo(direct[0]!, 5);
    expect(p.probabilities![1]).toBeCloseTo(direct[1]!, 5);
    m.dispose();
  });

  it('predicts in batches without leaking tensors', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
    const h = wrapModel(m, '/c', {}, { encoding: encoding(3), task: 'binary' });
    const before = tf.memory().numTensors;
    predict(h, new Float32Array(3 * 10_000), 10_000);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
