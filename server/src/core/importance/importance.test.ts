import { describe, it, expect } from 'vitest';
import { aggregateImportance } from './importance';
import { compileFilter, parseCondition } from './filter';
import { GlassboxError } from '../errors';

describe('aggregateImportance', () => {
  // 4 rows x 2 features.
  const grouped = [1, -2, -3, 0, 2, 2, 0, -4];
  const predicted = [0, 0, 1, 1];
  const labels = [1, 0, 0, 1];

  it('gives mean |a|, signed mean and shares summing to 1, overall and per class', () => {
    const g = aggregateImportance(grouped, 4, 2, { predicted, labels, classLabels: ['no', 'yes'] });
    expect(g.meanAbs).toEqual([1.5, 2]);
    expect(g.signedMean).toEqual([0, -1]);
    expect(g.shares).toEqual([1.5 / 3.5, 2 / 3.5]);
    expect(g.score).toBe('meanAbs');
    expect(g.byPredictedClass.map((c) => [c.class, c.label, c.n, c.meanAbs, c.signedMean])).toEqual([
      [0, 'no', 2, [2, 1], [-1, -1]],
      [1, 'yes', 2, [1, 3], [1, -1]],
    ]);
    expect(g.byTrueClass.map((c) => [c.class, c.meanAbs])).toEqual([
      [0, [2.5, 1]],
      [1, [0.5, 3]],
    ]);
    for (const c of [...g.byPredictedClass, ...g.byTrueClass]) expect(c.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('scores signed methods by their positive mean drop', () => {
    const g = aggregateImportance([0.5, -0.25, 0.25, -0.25], 2, 2, { signed: true });
    expect(g.score).toBe('signedMean');
    expect(g.signedMean).toEqual([0.375, -0.25]);
    expect(g.shares).toEqual([1, 0]);
  });

  it('bounds the beeswarm sample with a seed', () => {
    const n = 50;
    const big = Array.from({ length: n * 2 }, (_, i) => i);
    const a = aggregateImportance(big, n, 2, { sampleSize: 10, seed: 3 });
    expect(a.sample.rows).toHaveLength(10);
    expect(new Set(a.sample.rows).size).toBe(10);
    expect(a.sample.values[0]).toEqual([2 * a.sample.rows[0]!, 2 * a.sample.rows[0]! + 1]);
    expect(aggregateImportance(big, n, 2, { sampleSize: 10, seed: 3 }).sample.rows).toEqual(a.sample.rows);
    expect(aggregateImportance(big, n, 2, { sampleSize: 10, seed: 4 }).sample.rows).not.toEqual(a.sample.rows);
    expect(aggregateImportance(big, n, 2).sample.rows).toHaveLength(50);
  });
});

describe('row filters', () => {
  const header = ['age', 'sex', 'capital_gain'];
  const rows = [
    ['39', 'Male', '2174'],
    ['50', 'Female', '0'],
    ['41', ' Female', ''],
    ['28', 'Male', '0'],
  ];
  const match = (...specs: string[]) => rows.map((r, i) => (compileFilter(specs.map(parseCondition), header)(r) ? i : -1)).filter((i) => i >= 0);

  it('compares numbers and strings on raw values, all conditions holding', () => {
    expect(match('sex=Female')).toEqual([1, 2]);
    expect(match('age>40')).toEqual([1, 2]);
    expect(match('age >= 39', 'sex != Female')).toEqual([0]);
    expect(match('capital_gain=0')).toEqual([1, 3]);
    // A missing value never satisfies a numeric comparison.
    expect(match('capital_gain<1')).toEqual([1, 3]);
  });

  it('names what is wrong', () => {
    expect(() => parseCondition('age')).toThrow(GlassboxError);
    expect(() => parseCondition('age>old')).toThrow(/> needs a number/);
    expect(() => compileFilter([parseCondition('sx=Male')], header)).toThrow(/no column 'sx'.*did you mean 'sex'/);
  });
});
