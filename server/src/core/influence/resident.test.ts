/** The backend query path (checkpoints stacked) against the JavaScript dot products of tracin.ts. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/backend';
import { tf } from '../engine/tf';
import { createRng } from '../util/random';
import type { DenseLayer } from '../model/model';
import { gradientFactors, layerShapes, type DenseStack } from './gradients';
import { dotProducts, factorLayout, packFactors, prepareQuery, type ParamScope } from './tracin';
import { ResidentFactors } from './resident';
import { expectClose } from '../../../test/helpers';

beforeAll(async () => {
  await initEngine();
});

function stack(seed: number): DenseStack {
  const rng = createRng(seed);
  const sizes = [5, 6, 4, 3];
  const layers: DenseLayer[] = sizes.slice(0, -1).map((i, l) => ({
    name: `d${l}`,
    kernel: tf.tensor2d(Float32Array.from({ length: i * sizes[l + 1]! }, () => rng.normal() * 0.8), [i, sizes[l + 1]!]),
    bias: tf.tensor1d(Float32Array.from({ length: sizes[l + 1]! }, () => rng.normal() * 0.3)),
    activation: l === sizes.length - 2 ? 'linear' : 'relu',
  }));
  return { layers, task: 'multiclass', outputWidth: 3 };
}

describe('ResidentFactors', () => {
  it('gives every checkpoint the same dot products as the JavaScript path, for both scopes and stored inputs', () => {
    const rng = createRng(3);
    const n = 40;
    const nq = 3;
    const X = Float32Array.from({ length: n * 5 }, () => rng.normal());
    const y = Float32Array.from({ length: n }, () => rng.int(3));
    const stacks = [stack(1), stack(2), stack(3)];
    for (const inputStored of [false, true]) {
      const layout = factorLayout(layerShapes(stacks[0]!), inputStored);
      const packed = stacks.map((s) => packFactors(layout, gradientFactors(s, X, y, 0, n)));
      const queries = stacks.map((s) => gradientFactors(s, X, y, n - nq, n));
      const Xq = X.subarray((n - nq) * 5);
      const before = tf.memory().numTensors;
      const resident = ResidentFactors.upload(layout, X, n, packed);
      for (const scope of [{}, { layers: 'last', bias: false }] as ParamScope[]) {
        const t = resident.dots(queries, Xq, scope);
        expect(t.shape).toEqual([3, nq, n]);
        const got = t.dataSync();
        t.dispose();
        stacks.forEach((_, c) => {
          const js = dotProducts(layout, packed[c]!, X, n, prepareQuery(layout, queries[c]!, scope), scope);
          const want = Array.from({ length: nq * n }, (_, k) => js[(k % n) * nq + Math.floor(k / n)]!);
          expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(1e-3);
          expectClose(got.subarray(c * nq * n, (c + 1) * nq * n), want, 1e-4, 1e-5);
        });
      }
      resident.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    for (const s of stacks) tf.dispose(s.layers.flatMap((l) => [l.kernel, l.bias!]));
  });
});
