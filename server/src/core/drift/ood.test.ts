import { describe, it, expect } from 'vitest';
import { tf } from '../engine/tf';
import { anchorProject } from '../../../test/helpers';
import { featureNames } from '../data/encoding';
import { fitOod, scoreOod, rankOod, invertSpd, fitGaussian, mahalanobis } from './ood';
import { NumericBaseline } from './numeric';

describe('out-of-distribution rows', () => {
  it('inverts SPD matrices and computes Mahalanobis distances by hand', () => {
    const inv = invertSpd([4, 2, 2, 3], 2);
    // [[4,2],[2,3]]^-1 = [[3,-2],[-2,4]] / 8
    expect(Array.from(inv)).toEqual([3 / 8, -2 / 8, -2 / 8, 4 / 8].map((v) => expect.closeTo(v, 14)));
    // Two points at ±1 on each axis: mean 0, variances 1 (population); ridge 0.
    const g = fitGaussian([1, 1, -1, -1, 1, -1, -1, 1], 4, 2, 0);
    const parts = new Float64Array(2);
    expect(mahalanobis(g, [3, 4], 1, parts)[0]).toBeCloseTo(5, 12);
    expect(Array.from(parts)).toEqual([expect.closeTo(9, 12), expect.closeTo(16, 12)]);
  });

  it('ranks rows far from the training data first, names the feature, and calibrates held-out rows uniformly', async () => {
    const project = await anchorProject();
    const { encoding } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const train = await project.dataset('train');
    const test = await project.dataset('test');
    const width = encoding.width;
    // Fit on the first 25,000 training rows; rows after them are training-distributed but unseen.
    const fitN = 25000;
    const before = tf.memory().numTensors;
    const det = fitOod(model, encoding, { X: train.X.subarray(0, fitN * width), n: fitN }, { seed: 1 });
    const restN = train.n - fitN;
    const rest = scoreOod(det, model, encoding, train.X.subarray(fitN * width), restN);
    expect(tf.memory().numTensors).toBe(before);
    expect(det.hidden).toBeDefined();
    // Calibrated p-values of unseen training rows are ~uniform: KS distance to U(0,1) and tail rates.
    for (const p of [rest.encoded.pValue, rest.hidden!.pValue]) {
      const acc = new NumericBaseline(Float64Array.from({ length: 2001 }, (_, i) => i / 2000)).accumulator();
      for (const v of p) acc.add(v);
      expect(acc.result().ks.statistic).toBeLessThan(0.04);
      const below05 = p.filter((v) => v < 0.05).length / restN;
      expect(below05).toBeGreaterThan(0.03);
      expect(below05).toBeLessThan(0.07);
    }
    // Plant 5 far rows among 200 test rows. Far means beyond the rarest categories, whose one-hot
    // columns alone reach d ~ 60 (a category seen in 0.02 % of rows): age 1500 is ~110 std out.
    const n = 200;
    const X = Float32Array.from(test.X.subarray(0, n * width));
    const names = featureNames(encoding);
    const col = (name: string) => encoding.features[names.indexOf(name)]!;
    const setRaw = (row: number, name: string, value: number) => {
      const f = col(name);
      if (f.type !== 'numeric') throw new Error('numeric expected');
      X[row * width + f.columns[0]] = (value - f.mean) / f.std;
    };
    for (const r of [10, 11, 12]) setRaw(r, 'age', 1500);
    for (const r of [50, 51]) setRaw(r, 'hours_per_week', 1500);
    const s = scoreOod(det, model, encoding, X, n);
    const order = rankOod(det, s);
    expect(new Set(order.slice(0, 5))).toEqual(new Set([10, 11, 12, 50, 51]));
    const F = names.length;
    const topFeature = (i: number) => names[s.contributions.subarray(i * F, (i + 1) * F).reduce((b, v, f, a) => (v > a[b]! ? f : b), 0)];
    expect(topFeature(10)).toBe('age');
    expect(topFeature(50)).toBe('hours_per_week');
    // Contributions add up to d².
    const sum = s.contributions.subarray(10 * F, 11 * F).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(s.encoded.distance[10]! ** 2, 6);
    expect(s.pValue[10]).toBeLessThan(0.01);
  });
});
