/** The noise-rate estimate on hand-made training dynamics with a known share of flipped labels. */
import { describe, it, expect } from 'vitest';
import { confidentNoise, estimateNoiseRate, type TrainingDynamics } from './dynamics';
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
    const at = (rate: number) => ({ rate, perClass: [] });
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
