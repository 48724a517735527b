import { describe, it, expect } from 'vitest';
import { chiSquaredSf, kolmogorovSf, ksTwoSamplePValue, lnGamma } from './distributions';
import { psi, jensenShannon, proportions } from './divergence';
import { NumericBaseline, ksStatisticSorted, wasserstein1Sorted, quantileEdges, binOf } from './numeric';
import { CategoryCounter, categoricalDrift, chiSquaredHomogeneity } from './categorical';
import { createRng } from '../util/random';

// Expected values from scipy 1.17 (scipy.stats.kstwo.sf, chi2.sf, chi2_contingency, ks_2samp,
// wasserstein_distance) unless derived by hand in the test.
describe('tail probabilities', () => {
  it('lnGamma matches factorials', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
  });

  it('chi-squared survival function matches scipy', () => {
    const cases: Array<[number, number, number]> = [
      [3.0, 1, 0.08326451666355042],
      [10.0, 4, 0.04042768199451279],
      [0.5, 3, 0.9188914116546758],
      [50, 20, 0.0002214766382487835],
      [200, 41, 8.52302434773583e-23],
    ];
    for (const [x, k, p] of cases) expect(Math.abs(chiSquaredSf(x, k) - p)).toBeLessThanOrEqual(1e-12 + 1e-9 * p);
  });

  it('Kolmogorov survival function matches scipy kstwo.sf', () => {
    // Pelz–Good region, exact Smirnov region (n d² >= 2.2), and the Durbin-matrix region (near 1).
    const cases: Array<[number, number, number, number]> = [
      [10854, 0.00819421, 0.4573203776018203, 1e-7],
      [10854, 0.02, 0.0003341295027752365, 1e-9],
      [10854, 0.05, 5.067015992343237e-24, 1e-30],
      [500, 0.08, 0.0031305058199356268, 1e-9],
      [200, 0.3, 1.8482195753126875e-16, 1e-22],
      [1000, 0.01, 0.9999496745370611, 1e-3],
    ];
    for (const [n, d, p, tol] of cases) expect(Math.abs(kolmogorovSf(n, d) - p), `n=${n} d=${d}`).toBeLessThanOrEqual(tol);
  });
});

describe('two-sample KS p-values (scipy ks_2samp, method auto)', () => {
  it('uses the exact distribution up to 10,000 rows per side', () => {
    // [statistic, n1, n2, scipy p-value]
    const cases: Array<[number, number, number, number]> = [
      [0.4363636363636364, 10, 11, 0.19552841379466765],
      [0.14666666666666667, 300, 300, 0.0031114599011612286],
      [0.035, 3000, 2000, 0.1039940033644908],
      [0.12634920634920635, 700, 450, 0.0002842484966266526],
    ];
    for (const [d, n1, n2, p] of cases) expect(Math.abs(ksTwoSamplePValue(d, n1, n2) - p) / p, `${n1}x${n2}`).toBeLessThan(1e-9);
    // Above 10,000 rows: kstwo.sf(d, round(n1 n2 / (n1 + n2))).
    expect(ksTwoSamplePValue(0.00819421, 32561, 16281)).toBeCloseTo(0.4573203776018203, 9);
  });
});

describe('binned distances', () => {
  it('PSI and Jensen–Shannon by hand', () => {
    const p = [0.5, 0.5];
    const q = [0.25, 0.75];
    expect(psi(p, q)).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 14);
    // m = (0.375, 0.625): JS² = ½Σ p log2(p/m) + ½Σ q log2(q/m).
    const js2 = 0.5 * (0.5 * Math.log2(0.5 / 0.375) + 0.5 * Math.log2(0.5 / 0.625)) + 0.5 * (0.25 * Math.log2(0.25 / 0.375) + 0.75 * Math.log2(0.75 / 0.625));
    expect(jensenShannon(p, q)).toBeCloseTo(Math.sqrt(js2), 14);
    // An empty bin is smoothed to 1e-4 instead of making PSI infinite.
    expect(psi([1, 0], [0.5, 0.5])).toBeCloseTo(-0.5 * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 12);
    expect(jensenShannon([1, 0], [0, 1])).toBe(1);
    expect(psi(p, p)).toBe(0);
  });

  it('quantile edges drop duplicates and a value on an edge falls in the lower bin', () => {
    const sorted = [0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
    const edges = quantileEdges(sorted, 4); // numpy: quantile(.25)=0, (.5)=0, (.75)=1.75
    expect(edges).toEqual([0, 1.75]);
    expect(binOf(edges, 0)).toBe(0);
    expect(binOf(edges, 1.75)).toBe(1);
    expect(binOf(edges, 1.76)).toBe(2);
  });
});

describe('numeric drift', () => {
  const a = [1, 2, 2, 3, 4, 5, 5, 5, 8, 10];
  const b = [2, 3, 3, 4, 6, 7, 9, 9, 11, 12, 12];

  it('KS and Wasserstein-1 match scipy on a small case', () => {
    const base = new NumericBaseline(a, { bins: 4 });
    const acc = base.accumulator();
    for (const x of b) acc.add(x);
    const r = acc.result();
    expect(r.ks.statistic).toBeCloseTo(0.4363636363636364, 14);
    expect(r.wasserstein).toBeCloseTo(2.590909090909091, 12);
    expect(ksStatisticSorted(a, b)).toBeCloseTo(0.4363636363636364, 14);
    expect(wasserstein1Sorted(a, b)).toBeCloseTo(2.590909090909091, 12);
    expect(r.mean.reference).toBeCloseTo(b.reduce((s, x) => s + x, 0) / b.length, 12);
  });

  it('streamed KS/W1 equal the exact sorted-sample values on continuous data, and shrink to a grid at scale', () => {
    const rng = createRng(3);
    const train = Float64Array.from({ length: 3000 }, () => rng.normal());
    const ref = Float64Array.from({ length: 2000 }, () => rng.normal() * 1.3 + 0.2);
    const exact = new NumericBaseline(train);
    const coarse = new NumericBaseline(train, { maxGrid: 256 });
    const e = exact.accumulator();
    const c = coarse.accumulator();
    for (const x of ref) {
      e.add(x);
      c.add(x);
    }
    const sa = Float64Array.from(train).sort();
    const sb = Float64Array.from(ref).sort();
    const ks = ksStatisticSorted(sa, sb);
    const w1 = wasserstein1Sorted(sa, sb);
    expect(e.result().ks.statistic).toBeCloseTo(ks, 12);
    expect(e.result().exactGrid).toBe(true);
    // Only gaps where the CDFs cross are approximated.
    expect(Math.abs(e.result().wasserstein - w1)).toBeLessThan(1e-3 * w1);
    expect(c.result().exactGrid).toBe(false);
    expect(Math.abs(c.result().ks.statistic - ks)).toBeLessThanOrEqual(1 / 256 + 1e-12);
    expect(Math.abs(c.result().wasserstein - w1)).toBeLessThan(0.02 * w1);
    expect(e.result().ks.pValue).toBeCloseTo(ksTwoSamplePValue(ks, 3000, 2000), 14);
  });
});

describe('categorical drift', () => {
  it('chi-squared matches scipy chi2_contingency (Yates only at one degree of freedom)', () => {
    const r3 = chiSquaredHomogeneity([30, 10, 5], [20, 25, 10]);
    expect(r3.dof).toBe(2);
    expect(r3.statistic).toBeCloseTo(9.187109187109188, 10);
    expect(r3.pValue).toBeCloseTo(0.01011683315387354, 12);
    const r2 = chiSquaredHomogeneity([30, 10], [20, 25]);
    expect(r2.dof).toBe(1);
    expect(r2.statistic).toBeCloseTo(6.949930555555551, 10);
    expect(r2.pValue).toBeCloseTo(0.00838224869725173, 12);
  });

  it('names unseen categories and bins over the sorted union', () => {
    const t = new CategoryCounter();
    const r = new CategoryCounter();
    for (const v of ['b', 'a', 'a', 'c']) t.add(v);
    for (const v of ['a', 'zz', 'zz', 'b', 'new']) r.add(v);
    const d = categoricalDrift(t, r, ['a', 'b', 'c']);
    expect(d.categories).toEqual(['a', 'b', 'c', 'new', 'zz']);
    expect(d.unseen).toEqual({ rows: 3, categories: [{ category: 'zz', count: 2 }, { category: 'new', count: 1 }] });
    expect(d.trainProportions).toEqual([0.5, 0.25, 0.25, 0, 0]);
    expect(d.psi).toBeCloseTo(psi(proportions([2, 1, 1, 0, 0]), proportions([1, 1, 0, 1, 2])), 14);
  });
});

describe('drift significance (stats.ts) and the act verdict', () => {
  it('Benjamini–Hochberg q-values by hand (R p.adjust "BH")', async () => {
    const { benjaminiHochberg } = await import('./stats');
    // Sorted p: 0.005, 0.01, 0.03, 0.04, 0.9 (m = 5): p·m/rank = 0.025, 0.025, 0.05, 0.05, 0.9,
    // then the running minimum from the top.
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.9, NaN]);
    expect(Array.from(q.subarray(0, 5))).toEqual([0.025, 0.05, 0.05, 0.025, 0.9].map((v) => expect.closeTo(v, 15)));
    expect(q[5]).toBeNaN();
  });

  it('smoothed proportions add one half per bin', async () => {
    const { smoothedProportions } = await import('./stats');
    expect(Array.from(smoothedProportions([3, 0, 1]))).toEqual([3.5 / 5.5, 0.5 / 5.5, 1.5 / 5.5].map((v) => expect.closeTo(v, 15)));
  });

  it('a small IID sample with an empty bin: PSI over 0.1, smoothed PSI and the test say no drift, so no act', async () => {
    const { driftImpact } = await import('./impact');
    const rng = createRng(3);
    const train = new NumericBaseline(Array.from({ length: 700 }, () => rng.normal()));
    // Resample 54 reference rows from the same distribution until one PSI bin is empty.
    let acc = train.accumulator();
    for (let tries = 0; tries < 200; tries++) {
      acc = train.accumulator();
      for (let i = 0; i < 54; i++) acc.add(rng.normal());
      if (acc.binCounts.some((c) => c === 0)) break;
    }
    const d = acc.result();
    expect(d.referenceProportions.some((q) => q === 0)).toBe(true);
    expect(d.psi).toBeGreaterThan(0.1);
    expect(d.psiSmoothed).toBeLessThan(d.psi);
    const shares = { train: [1], reference: [1] };
    expect(driftImpact(['x'], [d.psi], shares).features[0]!.quadrant).toBe('high-drift/high-importance');
    const tested = driftImpact(['x'], [d.psi], shares, {}, [d.ks.pValue]).features[0]!;
    expect(tested.quadrant).toBe('low-drift/high-importance');
    expect(tested.qValue).toBeCloseTo(d.ks.pValue, 15);
    // A real shift of one standard deviation on the same 54 rows is both large and significant.
    const moved = train.accumulator();
    const rng2 = createRng(4);
    for (let i = 0; i < 54; i++) moved.add(rng2.normal() + 1);
    const m = moved.result();
    expect(driftImpact(['x'], [m.psi], shares, {}, [m.ks.pValue]).features[0]!.quadrant).toBe('high-drift/high-importance');
  });
});
