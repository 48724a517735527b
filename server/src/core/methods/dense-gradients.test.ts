import { describe, it, expect, beforeAll } from 'vitest';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { wrapModel } from '../model/model';
import type { Encoding } from '../data/encoding';
import { createRng } from '../util/random';
import { denseInputGradient } from './dense-gradients';
import { inputGradients } from './target';
import type { Target } from './types';
import { expectClose } from '../../../test/helpers';

const encoding = (width: number, classes?: string[]): Encoding => ({
  features: Array.from({ length: width }, (_, i) => ({ name: `x${i}`, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
  ignored: [],
  missing: [],
  width,
  label: { name: 'y', ...(classes ? { classes } : {}) },
});

describe('denseInputGradient', () => {
  beforeAll(() => initEngine());

  it('equals tf.grad of the target for every covered hidden activation, head and target', () => {
    const cases: Array<[string[], string, number, 'binary' | 'multiclass' | 'regression', Target]> = [
      [['relu', 'relu'], 'linear', 2, 'binary', { kind: 'class', index: 1 }],
      [['relu', 'tanh'], 'sigmoid', 1, 'binary', { kind: 'class', index: 0 }],
      [['sigmoid'], 'sigmoid', 1, 'binary', { kind: 'loss' }],
      [['tanh', 'linear'], 'softmax', 3, 'multiclass', { kind: 'loss' }],
      [['relu'], 'softmax', 3, 'multiclass', { kind: 'predicted' }],
      [['tanh'], 'linear', 1, 'regression', { kind: 'predicted' }],
      [[], 'linear', 2, 'binary', { kind: 'class', index: 0 }],
    ];
    const rng = createRng(5);
    const n = 9;
    const width = 6;
    for (const [hidden, head, units, task, target] of cases) {
      const m = tfl.sequential({
        layers: [
          ...hidden.map((activation, i) => tfl.layers.dense({ units: 7 - i, activation: activation as 'relu', biasInitializer: 'randomNormal', ...(i === 0 ? { inputShape: [width] } : {}) })),
          tfl.layers.dense({ units, activation: head as 'linear', biasInitializer: 'randomNormal', ...(hidden.length === 0 ? { inputShape: [width] } : {}) }),
        ],
      });
      const classes = task === 'regression' ? undefined : Array.from({ length: Math.max(2, units) }, (_, i) => String(i));
      const model = wrapModel(m, '/mem', {}, { encoding: encoding(width, classes), task });
      const X = Float32Array.from({ length: n * width }, () => 2 * rng.normal());
      const cls = Int32Array.from({ length: n }, (_, i) => (task === 'regression' ? 0 : i % Math.max(2, units)));
      const dense = denseInputGradient(model, target);
      expect(dense, `${hidden.join('/')} -> ${head}`).toBeDefined();
      const before = tf.memory().numTensors;
      const blockWeights = Float32Array.from([0.25, -1.5, 2]);
      const [fast, slow, summed, weighted] = tf.tidy(() => {
        const x = tf.tensor2d(X, [n, width]);
        const c = tf.tensor1d(cls, 'int32');
        return [dense!.grad(x, c).arraySync(), inputGradients(model, x, c, target).arraySync(), dense!.gradSum(x, c, 3, 3).arraySync(), dense!.gradSum(x, c, 3, 3, blockWeights).arraySync()];
      });
      expect(tf.memory().numTensors).toBe(before);
      expectClose(fast.flat(), slow.flat(), 1e-5, 1e-6);
      // Rows stacked as 3 blocks of 3: the per-row sums over blocks.
      expectClose(summed.flat(), Array.from({ length: 3 * width }, (_, k) => slow[Math.floor(k / width)]![k % width]! + slow[3 + Math.floor(k / width)]![k % width]! + slow[6 + Math.floor(k / width)]![k % width]!), 1e-5, 1e-6);
      // The same, block b weighted by blockWeights[b] (a quadrature rule's weights).
      expectClose(weighted.flat(), Array.from({ length: 3 * width }, (_, k) => [0, 1, 2].reduce((a, b) => a + blockWeights[b]! * slow[3 * b + Math.floor(k / width)]![k % width]!, 0)), 1e-5, 1e-6);
      expect(Math.max(...slow.flat().map(Math.abs))).toBeGreaterThan(1e-3);
      dense!.dispose();
      m.dispose();
    }
  });

  it('declines activations it does not cover', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'elu' }), tfl.layers.dense({ units: 2 })] });
    const model = wrapModel(m, '/mem', {}, { encoding: encoding(3, ['0', '1']), task: 'binary' });
    expect(denseInputGradient(model, { kind: 'predicted' })).toBeUndefined();
    m.dispose();
  });
});
