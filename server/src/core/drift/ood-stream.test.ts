import { describe, it, expect } from 'vitest';
import { tf } from '../engine/tf';
import { anchorProject, expectClose } from '../../../test/helpers';
import { readChunks } from '../data/chunks';
import { fitGaussian, fitOod, fitOodStream, mahalanobis, rankOod, scoreOod, scoreOodStream } from './ood';
import { rowHash } from '../shard/sketch';

describe('out-of-distribution rows over a stream of chunks', () => {
  it('Mahalanobis distances of rows in blocks of four are bit-identical to one row at a time', () => {
    const d = 13;
    const n = 23; // five blocks and a remainder of three
    let seed = 7;
    const X = Float32Array.from({ length: n * d }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 4 - 2);
    const g = fitGaussian(X, n, d, 1e-3);
    const parts = new Float64Array(n * d);
    const all = mahalanobis(g, X, n, parts);
    for (let i = 0; i < n; i++) {
      const one = new Float64Array(d);
      expect(mahalanobis(g, X.subarray(i * d, (i + 1) * d), 1, one)[0]).toBe(all[i]);
      expect(Array.from(one)).toEqual(Array.from(parts.subarray(i * d, (i + 1) * d)));
      // And d² is the sum of the parts.
      expect(one.reduce((a, b) => a + b, 0)).toBeCloseTo(all[i]! ** 2, 10);
    }
  });

  it('fits in one pass the detector fitOod fits in memory with the same rows held out, and ranks as rankOod over the whole file', async () => {
    const project = await anchorProject();
    const { encoding } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const train = await project.dataset('train');
    const test = await project.dataset('test');
    const before = tf.memory().numTensors;
    const stream = await fitOodStream(model, encoding, (await readChunks(project.dataPath('train')!, encoding, { chunkRows: 5000 })).chunks, { seed: 3 });
    // Held out: the 2,000 rows of smallest hash of (seed, row), brute force over every row.
    const byHash = Array.from({ length: train.n }, (_, i) => i).sort((a, b) => rowHash(3, a) - rowHash(3, b) || a - b);
    expect(Array.from(stream.heldOut)).toEqual(byHash.slice(0, 2000).sort((a, b) => a - b));
    const memory = fitOod(model, encoding, train, { heldOut: stream.heldOut });
    for (const space of ['encoded', 'hidden'] as const) {
      const a = stream[space]!;
      const b = memory[space]!;
      expectClose(a.gaussian.mean, b.gaussian.mean, 1e-9, 1e-12);
      // The precision is the inverse of a covariance with near-zero eigenvalues (one-hot groups, ridge 1e-3): rounding grows by its condition number.
      expectClose(a.gaussian.precision, b.gaussian.precision, 1e-6, 1e-6 * Math.max(...b.gaussian.precision.map(Math.abs)));
      expectClose(a.calibration, b.calibration, 1e-7);
    }
    // Scoring: the top 25 of the stream (chunks of 97 rows) are rankOod's first 25 over the whole file.
    const s = await scoreOodStream(stream, model, encoding, (await readChunks(project.dataPath('test')!, encoding, { chunkRows: 97 })).chunks, { top: 25 });
    const all = scoreOod(stream, model, encoding, test.X, test.n);
    const order = rankOod(stream, all);
    expect(s.n).toBe(test.n);
    expect(s.top.map((r) => r.ordinal)).toEqual(order.slice(0, 25));
    expect(s.top.map((r) => r.line)).toEqual(order.slice(0, 25).map((i) => test.lines[i]!));
    expectClose(s.top.map((r) => r.pValue), order.slice(0, 25).map((i) => all.pValue[i]!), 0);
    const F = encoding.features.length;
    expectClose(s.top[0]!.contributions, Array.from(all.contributions.subarray(order[0]! * F, (order[0]! + 1) * F)), 1e-12, 1e-12);
    expect(s.atMost05).toBe(all.pValue.filter((p) => p <= 0.05).length);
    expect(s.atMost01).toBe(all.pValue.filter((p) => p <= 0.01).length);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
