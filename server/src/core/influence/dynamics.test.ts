/** The noise-rate estimate on hand-made training dynamics with a known share of flipped labels. */
import { describe, it, expect } from 'vitest';
import { classLogThresholds, confidentNoise, estimateNoiseRate, mislabelScores, noiseAdjustedScores, type NoiseRateEstimate, type TrainingDynamics } from './dynamics';
import { ranks } from '../util/stats';
import { createRng } from '../util/random';

function dynamics(n: number, flipRate: number, seed: number): TrainingDynamics {
  // Two classes; P(class 1 | x) spreads over (0, 1); the label is drawn from it, then flipped.
  const rng = createRng(seed);
  const meanProbabilities = new Float64Array(2 * n);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p1 = rng.next() ** 3 < 0.5 ? 0.001 + 0.1 * rng.next() : 0.9 + 0.099 * rng.next();
    meanProbabilities[2 * i + 1] = p1;
    meanProbabilities[2 * i] = 1 - p1;
    let y = rng.next() < p1 ? 1 : 0;
    if (rng.next() < flipRate) y = 1 - y;
    labels[i] = y;
  }
  return { n, checkpoints: [], aum: new Float64Array(n), aumAdjusted: new Float64Array(n), meanLoss: new Float64Array(n), forgetting: new Float64Array(n), meanProbabilities, classes: 2, pLabel: new Float64Array(n), labels, task: 'classification' };
}

describe('estimateNoiseRate', () => {
  it('reads the flip rate at the confident end and stays near the Bayes floor without flips', () => {
    const clean = estimateNoiseRate(dynamics(20000, 0, 1))!;
    const flipped = estimateNoiseRate(dynamics(20000, 0.05, 1))!;
    // Confident slices have P(contrary) of about 0.001..0.05 here (the natural floor), plus the flips.
    expect(clean.rate).toBeLessThan(0.02);
    expect(flipped.rate - clean.rate).toBeGreaterThan(0.035);
    expect(flipped.rate - clean.rate).toBeLessThan(0.065);
    expect(flipped.perClass).toHaveLength(2);
  });

  it('over a series: the largest per-checkpoint estimate after the first (before memorisation), the mean-probability estimate with fewer than 3', () => {
    const d = dynamics(4000, 0.05, 3);
    const at = (rate: number) => ({ rate, interval: [rate, rate] as [number, number], perClass: [] });
    // One epoch in (0.25: the Bayes error of an unsure model), then 6%, then memorised flips (1%, 0%).
    expect(estimateNoiseRate({ ...d, noiseByCheckpoint: [at(0.25), at(0.06), at(0.01), at(0)] })!.rate).toBe(0.06);
    const two = estimateNoiseRate({ ...d, noiseByCheckpoint: [at(0.25), at(0.06)] })!.rate;
    expect(two).toBe(confidentNoise(d.meanProbabilities!, d.labels, d.n, 2).rate);
    expect(two).toBe(estimateNoiseRate(d)!.rate);
  });

  it('confidentNoise: brute force on a hand-made slice', () => {
    // 20 rows, K = 2, slice 0.5 -> 5 rows per class. Class 1's top 5 (p1 = .99..0.95) hold 2 rows
    // labelled 0; class 0's top 5 (p1 = .01..0.05) hold 1 row labelled 1. Predicted: 10 and 10.
    const p1 = Array.from({ length: 20 }, (_, i) => (i < 10 ? 0.01 * (i + 1) : 1 - 0.01 * (i - 9)));
    const P = p1.flatMap((p) => [1 - p, p]);
    const labels = p1.map((_, i) => (i < 10 ? 0 : 1));
    labels[0] = 1;
    labels[10] = 0;
    labels[11] = 0;
    const e = confidentNoise(P, labels, 20, 2, 0.5);
    expect(e.perClass.map((c) => c.contrary)).toEqual([1, 2]);
    expect(e.rate).toBeCloseTo((0.2 * 10 + 0.4 * 10) / 20, 12);
  });

  it('is undefined for regression', () => {
    const d = dynamics(10, 0, 2);
    expect(estimateNoiseRate({ ...d, task: 'regression' })).toBeUndefined();
  });
});

/** AUROC of `score` separating `positive` rows, by brute force over every (positive, negative) pair. */
function aurocBrute(score: ArrayLike<number>, positive: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < score.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < score.length; j++) {
      if (positive[j]) continue;
      pairs++;
      wins += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

const estimate = (perClass: Array<[number, number]>): NoiseRateEstimate => ({
  rate: 0,
  interval: [0, 0],
  perClass: perClass.map(([rows, contrary], c) => ({ class: c, rows, contrary, rate: contrary / rows })),
});

describe('noise-adjusted margin', () => {
  it('is the closed form max_k≠y (z̄k + log(ρk/(K−1))) − z̄y − log(1 − ρy) with ρ shrunk to the pooled rate', () => {
    // K = 3; contrary 9, 0 and 49 of 99 rows; pooled (58 + ½) / (297 + 1); prior worth 100 rows.
    const z = [2, 0.5, -1, /* row 1 */ 0, 1, 3];
    const s = noiseAdjustedScores(z, [1, 0], 2, 3, estimate([[99, 9], [99, 0], [99, 49]]), 100);
    const pooled = 58.5 / 298;
    const rho = [9, 0, 49].map((c) => (c + 100 * pooled) / (99 + 100));
    const row0 = Math.max(2 + Math.log(rho[0]! / 2), -1 + Math.log(rho[2]! / 2)) - 0.5 - Math.log(1 - rho[1]!);
    const row1 = Math.max(1 + Math.log(rho[1]! / 2), 3 + Math.log(rho[2]! / 2)) - 0 - Math.log(1 - rho[0]!);
    expect(s[0]).toBeCloseTo(row0, 12);
    expect(s[1]).toBeCloseTo(row1, 12);
  });

  it('ranks as the AUM does when every class has the same flip rate (symmetric noise)', () => {
    const rng = createRng(5);
    const n = 300;
    const z = Float64Array.from({ length: 2 * n }, () => 3 * (rng.next() - 0.5));
    const labels = Float32Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    const adjusted = noiseAdjustedScores(z, labels, n, 2, estimate([[200, 10], [200, 10]]));
    const minusAum = Float64Array.from({ length: n }, (_, i) => z[2 * i + 1 - labels[i]!]! - z[2 * i + labels[i]!]!);
    expect(Array.from(ranks(adjusted))).toEqual(Array.from(ranks(minusAum)));
  });

  it('under one-way flips (class 1 -> 0) it is the Bayes posterior order and separates the flips better than the plain margin', () => {
    // Clean posterior q = P(y*=1 | x); 30% of class 1 relabelled 0, class 0 never flipped. The model's
    // logits are the clean log-odds (what the margin approximates early in training).
    const rng = createRng(11);
    const n = 4000;
    const z = new Float64Array(2 * n);
    const labels = new Float32Array(n);
    const flipped: boolean[] = [];
    const posterior = new Float64Array(n);
    const rho1 = 0.3;
    for (let i = 0; i < n; i++) {
      const q = rng.next();
      z[2 * i + 1] = Math.log(q / (1 - q));
      const clean = rng.next() < q ? 1 : 0;
      const flip = clean === 1 && rng.next() < rho1;
      labels[i] = flip ? 0 : clean;
      flipped.push(flip);
      // P(flipped | x, label): a label 1 is never flipped; a label 0 came from class 1 w.p. q·ρ1 / (q·ρ1 + 1 − q).
      posterior[i] = labels[i] === 1 ? 0 : (q * rho1) / (q * rho1 + (1 - q));
    }
    const noise = estimate([[1000, 0], [1000, 300]]);
    // With no prior the offsets are the true rates' logs (ρ0 = 0 gives label 1 rows a score of −∞).
    const adjusted = noiseAdjustedScores(z, labels, n, 2, noise, 0);
    // The default prior (50 rows against 1,000) keeps the order close to Bayes.
    expect(aurocBrute(noiseAdjustedScores(z, labels, n, 2, noise), flipped)).toBeGreaterThan(aurocBrute(Float64Array.from({ length: n }, (_, i) => z[2 * i + 1 - labels[i]!]! - z[2 * i + labels[i]!]!), flipped) + 0.05);
    const minusAum = Float64Array.from({ length: n }, (_, i) => z[2 * i + 1 - labels[i]!]! - z[2 * i + labels[i]!]!);
    const a = aurocBrute(adjusted, flipped);
    const b = aurocBrute(minusAum, flipped);
    const bayes = aurocBrute(posterior, flipped);
    expect(a).toBeGreaterThan(b + 0.05);
    expect(Math.abs(a - bayes)).toBeLessThan(0.002);
  });

  it('mislabelScores: forgetting ties broken by the margin, aum + forgetting as the mean of ranks', () => {
    const d = dynamics(4, 0, 1);
    d.aum = Float64Array.from([1, -1, 2, 0]);
    d.forgetting = Float64Array.from([0, 0, 2, 1]);
    // Rows 0 and 1 are never forgotten: row 1 (margin −1) ranks above row 0 (margin 1).
    expect(Array.from(ranks(mislabelScores(d, 'forgetting')))).toEqual([1, 2, 4, 3]);
    const avg = mislabelScores(d, 'aum + forgetting');
    // −aum ranks: [2, 4, 1, 3]; forgetting ranks (ties halved): [1.5, 1.5, 4, 3].
    expect(Array.from(avg)).toEqual([3.5, 5.5, 5, 6].map((v) => v / 8));
  });

  it('classLogThresholds: log of the mean probability of each class over the rows labelled with it', () => {
    const P = [0.9, 0.1, 0.6, 0.4, 0.3, 0.7];
    expect(Array.from(classLogThresholds(P, [0, 0, 1], 3, 2))).toEqual([Math.log(0.75), Math.log(0.7)]);
  });
});

describe('noise-rate interval', () => {
  it('covers the planted flip rate in most draws and narrows with more rows', () => {
    let covered = 0;
    const widths: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const e = confidentNoise(dynamics(8000, 0.05, seed).meanProbabilities!, dynamics(8000, 0.05, seed).labels, 8000, 2);
      // The confident slices carry the natural floor too (~0.001–0.05 here, mean about 0.01).
      if (e.interval[0] <= 0.065 && e.interval[1] >= 0.05) covered++;
      widths.push(e.interval[1] - e.interval[0]);
    }
    expect(covered).toBeGreaterThanOrEqual(8);
    const small = confidentNoise(dynamics(800, 0.05, 1).meanProbabilities!, dynamics(800, 0.05, 1).labels, 800, 2);
    expect(small.interval[1] - small.interval[0]).toBeGreaterThan(2.5 * Math.max(...widths));
  });

  it('matches the formula on a hand-made slice', () => {
    // Same 20 rows as above: m = 5 per class, contrary [1, 2], predicted 10 and 10 (w = 0.5 each).
    const p1 = Array.from({ length: 20 }, (_, i) => (i < 10 ? 0.01 * (i + 1) : 1 - 0.01 * (i - 9)));
    const P = p1.flatMap((p) => [1 - p, p]);
    const labels = p1.map((_, i) => (i < 10 ? 0 : 1));
    labels[0] = 1;
    labels[10] = 0;
    labels[11] = 0;
    const e = confidentNoise(P, labels, 20, 2, 0.5);
    const v = [3 / 9, 4 / 9].reduce((a, c) => a + (0.25 * c * (1 - c)) / 9, 0);
    expect(e.interval[0]).toBeCloseTo(Math.max(0, 0.3 - 1.96 * Math.sqrt(v)), 12);
    expect(e.interval[1]).toBeCloseTo(0.3 + 1.96 * Math.sqrt(v), 12);
  });
});
