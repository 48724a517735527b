/**
 * Properties checked by brute force over random cases:
 * - the one-hot Gather (ops/util.ts) equals index-by-index gathering along any axis, with
 *   negative and repeated indices, and its gradient wrt the data is the scatter-add of the
 *   upstream gradient (each picked position receives the sum of the gradients of its copies);
 * - any byte prefix or corruption of a real model either loads or raises a GlassboxError of code
 *   'model': nothing else escapes from decoding.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { tf } from '../../engine/tf';
import { initEngine } from '../../engine/backend';
import { GlassboxError } from '../../errors';
import { REPO } from '../../../../test/helpers';
import { gatherFloat } from './ops/util';
import { prepareOnnxGraph } from './load';

/** Row-major offsets of a shape. */
const strides = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
const unravel = (k: number, shape: number[]) => strides(shape).map((s, i) => Math.floor(k / s) % shape[i]!);
const ravel = (idx: number[], shape: number[]) => idx.reduce((acc, v, i) => acc + v * strides(shape)[i]!, 0);

const gatherCase = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    axisSeed: fc.nat(),
    indexShape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
    seed: fc.nat(),
  })
  .map(({ shape, axisSeed, indexShape, seed }) => {
    const axis = axisSeed % shape.length;
    const dim = shape[axis]!;
    const m = indexShape.reduce((a, b) => a * b, 1);
    let s = seed;
    const next = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
    const indices = Array.from({ length: m }, () => Math.floor(next() * 2 * dim) - dim); // [-dim, dim)
    const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round(next() * 200 - 100) / 8);
    return { shape, axis, indexShape, indices, data, next };
  });

describe('ONNX import properties', () => {
  beforeAll(() => initEngine());

  it('one-hot Gather equals brute-force gathering, and its gradient is the scatter-add', () => {
    fc.assert(
      fc.property(gatherCase, ({ shape, axis, indexShape, indices, data, next }) => {
        const outShape = [...shape.slice(0, axis), ...indexShape, ...shape.slice(axis + 1)];
        const size = outShape.reduce((a, b) => a * b, 1);
        const upstream = Array.from({ length: size }, () => Math.round(next() * 16 - 8) / 4);
        const expected = new Array<number>(size);
        const expectedGrad = new Array<number>(data.length).fill(0);
        for (let k = 0; k < size; k++) {
          const o = unravel(k, outShape);
          const idxPos = o.slice(axis, axis + indexShape.length);
          const raw = indices[indexShape.length === 0 ? 0 : ravel(idxPos, indexShape)]!;
          const src = [...o.slice(0, axis), raw < 0 ? raw + shape[axis]! : raw, ...o.slice(axis + indexShape.length)];
          expected[k] = data[ravel(src, shape)]!;
          expectedGrad[ravel(src, shape)] += upstream[k]!;
        }
        const before = tf.memory().numTensors;
        const [out, outShapeGot, grad] = tf.tidy(() => {
          const x = tf.tensor(data, shape);
          const idx = tf.tensor(indices, indexShape, 'int32');
          const dy = tf.tensor(upstream, outShape);
          const y = gatherFloat(x, idx, axis);
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherFloat(t, idx, axis), dy)))(x);
          return [Array.from(y.dataSync()), y.shape, Array.from(g.dataSync())];
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(outShapeGot).toEqual(outShape);
        // A sum with exact zeros turns −0 into +0: the only difference from tf.gather.
        expect(out).toEqual(expected.map((v) => v + 0));
        expect(grad.map((v) => v + 0)).toEqual(expectedGrad.map((v) => v + 0)); // quarters and eighths: every sum is exact
      }),
      { numRuns: 150, seed: 20261129 },
    );
  });

  it('any prefix or byte corruption of a real model loads or gives a GlassboxError', () => {
    const file = path.join(REPO, 'server/test/fixtures/onnx/norm17.onnx');
    const bytes = fs.readFileSync(file);
    fc.assert(
      fc.property(fc.nat({ max: bytes.length }), fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
        const copy = Uint8Array.from(bytes.subarray(0, cut));
        for (const [at, v] of flips) if (at < copy.length) copy[at] = v;
        try {
          prepareOnnxGraph(copy, file);
        } catch (e) {
          expect(e).toBeInstanceOf(GlassboxError);
          expect((e as GlassboxError).code).toBe('model');
          expect((e as GlassboxError).message).not.toContain('\n');
        }
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
