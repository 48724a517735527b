import { describe, it, expect } from 'vitest';
import type { Encoding } from '../data/encoding';
import { createRng, permutation } from '../util/random';
import { takeRows } from '../data/dataset';
import { featureDrift } from './table';
import { benjaminiHochberg, DRIFT_ALPHA, driftPValue } from './stats';
import { multivariateDrift } from './multivariate';
import { anchorProject } from '../../../test/helpers';

const enc3: Encoding = {
  features: ['a', 'b', 'c'].map((name, i) => ({ name, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
  ignored: [],
  missing: [],
  width: 3,
};

/** n rows of (a, b, c), standard normal marginals, corr(a, b) = rho, c independent. */
function gaussian(n: number, rho: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const X = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = rng.normal();
    X[i * 3] = u;
    X[i * 3 + 1] = rho * u + Math.sqrt(1 - rho * rho) * rng.normal();
    X[i * 3 + 2] = rng.normal();
  }
  return X;
}

const csv = (X: Float32Array, n: number, name: string) => ({ name, text: ['a,b,c', ...Array.from({ length: n }, (_, i) => `${X[i * 3]},${X[i * 3 + 1]},${X[i * 3 + 2]}`)].join('\n') });

describe('multivariate drift (domain classifier)', () => {
  it('detects a correlation that changed with unchanged marginals, which every per-feature test misses', async () => {
    const train = gaussian(1500, 0, 1);
    const ref = gaussian(1500, 0.7, 2);
    const table = await featureDrift(enc3, csv(train, 1500, 'train.csv'), csv(ref, 1500, 'ref.csv'));
    const q = benjaminiHochberg(table.features.map(driftPValue));
    expect(Math.min(...q)).toBeGreaterThan(DRIFT_ALPHA);
    const m = multivariateDrift(enc3, { X: train, n: 1500 }, { X: ref, n: 1500 }, { seed: 3 });
    expect(m.auc).toBeGreaterThan(0.6);
    expect(m.pValue).toBeCloseTo(1 / 20, 12);
    expect(m.nullAuc.max).toBeLessThan(m.auc);
    expect(m.drifted).toBe(true);
    // linear (3) + squares and products (6)
    expect(m.designColumns).toBe(9);
  }, 60_000);

  it('IID splits: AUC near 0.5 and no alarm, on synthetic data, on 54 rows, and on Adult (train split in two)', async () => {
    for (const seed of [4, 5, 6]) {
      const X = gaussian(2000, 0.3, seed);
      const m = multivariateDrift(enc3, { X, n: 1000 }, { X: X.subarray(3000), n: 1000 }, { seed });
      expect(Math.abs(m.auc - 0.5)).toBeLessThan(0.05);
      expect(m.drifted).toBe(false);
    }
    const small = gaussian(108, 0, 7);
    expect(multivariateDrift(enc3, { X: small, n: 54 }, { X: small.subarray(54 * 3), n: 54 }).drifted).toBe(false);
    const project = await anchorProject();
    const { encoding } = await project.schema();
    const adult = await project.dataset('train');
    const order = permutation(adult.n, createRng(8));
    const half = (k: number) => ({ X: takeRows(adult, order.subarray(k * 2000, (k + 1) * 2000)), n: 2000 });
    const m = multivariateDrift(encoding, half(0), half(1), { permutations: 9 });
    expect(Math.abs(m.auc - 0.5)).toBeLessThan(0.05);
    expect(m.drifted).toBe(false);
    await project.dispose();
  }, 120_000);

  it('detects a shifted mean, with the p-value at the permutation floor', () => {
    const train = gaussian(800, 0, 9);
    const ref = gaussian(800, 0, 10).map((v, i) => (i % 3 === 2 ? v + 0.5 : v));
    const m = multivariateDrift(enc3, { X: train, n: 800 }, { X: ref, n: 800 });
    expect(m.drifted).toBe(true);
    expect(m.pValue).toBeCloseTo(1 / 20, 12);
    // 9 permutations cannot reach p <= 0.05: never an alarm, however large the AUC.
    expect(multivariateDrift(enc3, { X: train, n: 800 }, { X: ref, n: 800 }, { permutations: 9 }).drifted).toBe(false);
    expect(m.auc).toBeGreaterThan(0.6);
  });
});
