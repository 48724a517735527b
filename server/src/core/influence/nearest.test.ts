/** Nearest rows against a brute-force loop, including the class filter and chunk boundaries. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/backend';
import { tf } from '../engine/tf';
import { createRng } from '../util/random';
import { nearest } from './nearest';

beforeAll(async () => {
  await initEngine();
});

describe('nearest', () => {
  it('finds the same neighbours and distances as a brute-force loop', () => {
    const rng = createRng(4);
    const n = 9000; // more than one chunk
    const w = 5;
    const base = Float32Array.from({ length: n * w }, () => rng.normal());
    const nq = 3;
    const query = Float32Array.from({ length: nq * w }, () => rng.normal());
    const label = (i: number) => i % 3;
    const tensors = tf.memory().numTensors;
    const got = nearest(base, n, w, query, nq, 4);
    const other = nearest(base, n, w, query, nq, 2, (i, q) => label(i) !== q);
    expect(tf.memory().numTensors).toBe(tensors);
    for (let q = 0; q < nq; q++) {
      const d = Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let j = 0; j < w; j++) s += (base[i * w + j]! - query[q * w + j]!) ** 2;
        return { index: i, distance: Math.sqrt(s) };
      }).sort((a, b) => a.distance - b.distance);
      expect(got[q]!.map((x) => x.index)).toEqual(d.slice(0, 4).map((x) => x.index));
      got[q]!.forEach((x, k) => expect(x.distance).toBeCloseTo(d[k]!.distance, 3));
      expect(other[q]!.map((x) => x.index)).toEqual(d.filter((x) => label(x.index) !== q).slice(0, 2).map((x) => x.index));
    }
  });
});
