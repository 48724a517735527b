import { describe, it, expect } from 'vitest';
import { createRng } from '../util/random';
import { predict, type Predictions } from '../model/model';
import { estimatePerformance, expectedAccuracy, expectedRocAuc, rocAuc } from './cbpe';
import { anchorProject } from '../../../test/helpers';

/** Binary predictions whose class-1 probability is `q`. */
function binary(q: ArrayLike<number>): Predictions {
  const n = q.length;
  const probabilities = new Float32Array(2 * n);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    probabilities[2 * i] = 1 - q[i]!;
    probabilities[2 * i + 1] = q[i]!;
    predicted[i] = q[i]! > 1 - q[i]! ? 1 : 0;
  }
  return { n, classes: 2, logits: new Float32Array(2 * n), probabilities, predicted };
}

const draw = (p: ArrayLike<number>, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from(p, (v) => (rng.next() < v ? 1 : 0));
};

describe('confidence-based performance estimation', () => {
  it('expected accuracy and its standard error equal the exact mean and spread over every labelling (2^10 outcomes)', () => {
    const rng = createRng(1);
    const q = Float32Array.from({ length: 10 }, () => rng.next());
    const conf = Array.from(q, (v) => Math.max(v, 1 - v));
    let mean = 0;
    let second = 0;
    for (let bits = 0; bits < 1 << 10; bits++) {
      let prob = 1;
      let right = 0;
      for (let i = 0; i < 10; i++) {
        const y = (bits >> i) & 1;
        prob *= y ? q[i]! : 1 - q[i]!;
        if ((q[i]! > 0.5 ? 1 : 0) === y) right++;
      }
      mean += (prob * right) / 10;
      second += (prob * (right / 10) ** 2);
    }
    const est = expectedAccuracy(conf);
    expect(est.value).toBeCloseTo(mean, 6);
    expect(est.standardError).toBeCloseTo(Math.sqrt(second - mean * mean), 6);
    expect(estimatePerformance({ reference: binary(q) })!.expectedAccuracy).toBeCloseTo(mean, 6);
  });

  it('expected ROC AUC is the pairwise formula (ties half), and the realised AUC of simulated labels lies within its sampling error', () => {
    const rng = createRng(2);
    const p = Float64Array.from({ length: 300 }, () => Math.round(rng.next() * 20) / 20);
    let num = 0;
    let pos = 0;
    let neg = 0;
    for (let i = 0; i < 300; i++) {
      pos += p[i]!;
      neg += 1 - p[i]!;
      for (let j = 0; j < 300; j++) if (i !== j) num += p[i]! * (1 - p[j]!) * (p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0);
    }
    // The i = j terms of the closed form (a row against itself) count half a tie.
    const self = p.reduce((s, v) => s + 0.5 * v * (1 - v), 0);
    expect(expectedRocAuc(p)).toBeCloseTo((num + self) / (pos * neg), 12);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    const big = Float64Array.from({ length: 20000 }, () => rng.next());
    const y = draw(big, 3);
    const est = estimatePerformance({ reference: binary(Float32Array.from(big)), referenceLabels: y })!;
    // Realised AUC's sampling sd here is about 0.003 (Hanley–McNeil); accuracy's is est.standardError.
    expect(Math.abs(est.expectedRocAuc! - est.realised!.rocAuc!)).toBeLessThan(0.01);
    expect(Math.abs(est.expectedAccuracy - est.realised!.accuracy)).toBeLessThan(3 * est.standardError);
  });

  it('recalibrates overconfident probabilities with the calibration check’s reliability bins, and not calibrated ones', () => {
    const rng = createRng(4);
    const q = Float32Array.from({ length: 8000 }, () => rng.next());
    // The model says q; the truth is halfway to 0.5 (overconfident).
    const truth = Float64Array.from(q, (v) => 0.5 + (v - 0.5) / 2);
    const calibration = { predictions: binary(q.subarray(0, 4000)), labels: draw(truth.subarray(0, 4000), 5) };
    const reference = binary(q.subarray(4000));
    const referenceLabels = draw(truth.subarray(4000), 6);
    const raw = estimatePerformance({ reference, referenceLabels })!;
    const fixed = estimatePerformance({ reference, referenceLabels, calibration })!;
    expect(fixed.calibration.recalibrated).toBe(true);
    expect(fixed.calibration.ece).toBeGreaterThan(0.05);
    // Raw confidence overstates accuracy by ~0.125; recalibrated, the estimate is within sampling error.
    expect(raw.expectedAccuracy - raw.realised!.accuracy).toBeGreaterThan(0.1);
    expect(Math.abs(fixed.expectedAccuracy - fixed.realised!.accuracy)).toBeLessThan(3 * fixed.standardError + 0.01);
    expect(Math.abs(fixed.expectedRocAuc! - fixed.realised!.rocAuc!)).toBeLessThan(0.02);
    // Calibrated probabilities are left alone.
    const ok = estimatePerformance({ reference, calibration: { predictions: binary(q.subarray(0, 4000)), labels: draw(q.subarray(0, 4000), 7) } })!;
    expect(ok.calibration.recalibrated).toBe(false);
    expect(ok.expectedAccuracy).toBeCloseTo(raw.expectedAccuracy, 12);
  });

  it('on Adult test, the estimate from probabilities alone is within sampling error of the realised accuracy and AUC', async () => {
    const project = await anchorProject();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const p = predict(model, test.X, test.n);
    const est = estimatePerformance({ reference: p, referenceLabels: test.y! })!;
    // Measured: expected accuracy 0.8574 vs realised 0.8573 (standard error 0.0025); AUC 0.9126 vs 0.9106.
    expect(est.rows).toBe(16281);
    expect(Math.abs(est.expectedAccuracy - est.realised!.accuracy)).toBeLessThan(3 * est.standardError);
    expect(Math.abs(est.expectedRocAuc! - est.realised!.rocAuc!)).toBeLessThan(0.015);
    await project.dispose();
  });
});
