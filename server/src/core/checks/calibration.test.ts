/** Calibration error and the train/held-out gap's standard error against closed forms and simulation. */
import { describe, it, expect } from 'vitest';
import { calibrationPValue, expectedCalibrationError } from './calibration';
import { gapStandardError } from './generalisation-gap';
import { degenerate } from './randomisation';
import { createRng } from '../util/random';

describe('expected calibration error', () => {
  it('matches a hand computation over 15 equal-width bins', () => {
    // Bin (0.6, 0.667]: conf 0.62, 0.65 with one right: |1 - 1.27| / 4; bin (0.933, 1]: 0.95, 0.99 both right: |2 - 1.94| / 4.
    const ece = expectedCalibrationError([0.62, 0.65, 0.95, 0.99], [1, 0, 1, 1]);
    expect(ece).toBeCloseTo((1.27 - 1) / 4 + (2 - 1.94) / 4, 14);
    // A value on a bin edge (2/3) falls in the lower bin: the same as (0.62, 0.65) being together.
    expect(expectedCalibrationError([2 / 3, 0.65], [1, 0])).toBeCloseTo(Math.abs(1 - (2 / 3 + 0.65)) / 2, 14);
  });

  it('p-value: calibrated probabilities are not flagged, overconfident ones are (seeded simulation)', () => {
    const rng = createRng(1);
    const n = 400;
    const truth = Float64Array.from({ length: n }, () => 0.55 + 0.44 * rng.next());
    const right = Float64Array.from(truth, (p) => (rng.next() < p ? 1 : 0));
    const calibrated = expectedCalibrationError(truth, right);
    expect(calibrationPValue(truth, calibrated, 0)).toBeGreaterThan(0.05);
    const sharp = Float64Array.from(truth, (p) => 1 / (1 + Math.exp(-4 * Math.log(p / (1 - p)))));
    const over = expectedCalibrationError(sharp, right);
    expect(over).toBeGreaterThan(0.05);
    expect(calibrationPValue(sharp, over, 0)).toBeLessThan(0.01);
  });
});

describe('generalisation gap', () => {
  it('accuracy gap standard error is the binomial closed form', () => {
    const se = gapStandardError({ value: 0.9, n: 1000 }, { value: 0.8, n: 250 }, 0);
    expect(se).toBeCloseTo(Math.sqrt((0.9 * 0.1) / 1000 + (0.8 * 0.2) / 250), 15);
  });

  it('R² gap standard error from the bootstrap is close to the delta-method scale', () => {
    const rng = createRng(2);
    const n = 300;
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const se = Float64Array.from({ length: n }, () => 0.5 * rng.normal() ** 2);
    const s = gapStandardError({ value: 1, n: 1000, se: new Float64Array(1000), y: new Float64Array(1000) }, { value: 0.5, n, se, y }, 0);
    // R² = 1 - mean(se)/var(y) ≈ 0.5: its sampling sd is O(1/sqrt(n)); a bootstrap far off that is broken.
    expect(s).toBeGreaterThan(0.3 / Math.sqrt(n));
    expect(s).toBeLessThan(3 / Math.sqrt(n));
  });
});

describe('degenerate attributions', () => {
  it('NaN everywhere is non-finite, the same value per row constant; one varied finite row is neither', () => {
    expect(degenerate([NaN, NaN, NaN, NaN], 2, 2)).toBe('non-finite');
    expect(degenerate([1, 1, -2, 2], 2, 2)).toBe('constant');
    expect(degenerate([1, 1, 0.5, 2], 2, 2)).toBeUndefined();
    expect(degenerate([NaN, 1, 0.5, 2], 2, 2)).toBeUndefined();
  });
});
