/** The noise-rate estimate on hand-made training dynamics with a known share of flipped labels. */
import { describe, it, expect } from 'vitest';
import { estimateNoiseRate, type TrainingDynamics } from './dynamics';
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
  return { n, checkpoints: [], aum: new Float64Array(n), meanLoss: new Float64Array(n), forgetting: new Float64Array(n), meanProbabilities, classes: 2, pLabel: new Float64Array(n), labels, task: 'classification' };
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

  it('is undefined for regression', () => {
    const d = dynamics(10, 0, 2);
    expect(estimateNoiseRate({ ...d, task: 'regression' })).toBeUndefined();
  });
});
