import { describe, it, expect } from 'vitest';
import { predictionDrift, performance } from './prediction';
import type { Predictions } from '../model/model';

function binary(p1: number[]): Predictions {
  const probabilities = Float32Array.from(p1.flatMap((p) => [1 - p, p]));
  return { n: p1.length, classes: 2, logits: new Float32Array(p1.length * 2), probabilities, predicted: Int32Array.from(p1, (p) => (p > 0.5 ? 1 : 0)) };
}

describe('prediction drift', () => {
  it('accuracy and log loss by hand, unlabelled rows skipped', () => {
    const p = binary([0.9, 0.2, 0.6, 0.5]);
    const r = performance(p, Float32Array.from([1, 0, 0, NaN]));
    expect(r.n).toBe(3);
    expect(r.accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3, 6);
  });

  it('tracks the second class of a binary model, the predicted class, and the performance change', () => {
    const train = binary([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]);
    const ref = binary([0.7, 0.8, 0.9, 0.95, 0.85, 0.75]);
    const d = predictionDrift(train, ref, ['no', 'yes'], { train: Float32Array.from([0, 0, 0, 1, 1, 1]), reference: Float32Array.from([0, 0, 1, 1, 1, 1]) }, { bins: 2 });
    expect(d.scores.map((s) => s.output)).toEqual(['yes']);
    expect(d.scores[0]!.ks.statistic).toBeCloseTo(0.5, 6);
    expect(d.predictedClass!.categories).toEqual(['no', 'yes']);
    expect(d.predictedClass!.referenceProportions).toEqual([0, 1]);
    expect(d.performance!.train.accuracy).toBe(1);
    expect(d.performance!.reference.accuracy).toBeCloseTo(4 / 6, 6);
    expect(d.performance!.change.accuracy).toBeCloseTo(4 / 6 - 1, 6);
  });
});
