import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { featureDrift } from './table';
import { anchorProject, readAnchor, expectClose, DATA } from '../../../test/helpers';
import type { Encoding } from '../data/encoding';

interface AnchorFeature {
  feature: string;
  type: 'numeric' | 'categorical';
  psi: number;
  js_distance_base2: number;
  ks: { statistic: number; pvalue: number } | null;
  ref_props: number[];
  cur_props: number[];
  edges?: number[];
  categories?: string[];
}

describe('per-feature drift table', () => {
  it('matches the scipy anchors on Adult train vs test for every feature', async () => {
    const project = await anchorProject();
    const { encoding } = await project.schema();
    const table = await featureDrift(encoding, path.join(DATA, 'adult_train.csv'), path.join(DATA, 'adult_test.csv'));
    const anchors = readAnchor<{ train_vs_test: AnchorFeature[] }>('drift.json').train_vs_test;
    expect(table.rows).toEqual({ train: 32561, reference: 16281 });
    expect(table.features.map((f) => f.feature)).toEqual(anchors.map((a) => a.feature));
    for (const a of anchors) {
      const f = table.features.find((x) => x.feature === a.feature)!;
      expect(f.type, a.feature).toBe(a.type);
      // The anchors are stored to 7 significant digits.
      expectClose([f.psi, f.js], [a.psi, a.js_distance_base2], 1e-6, 1e-9);
      expectClose(f.trainProportions, a.ref_props, 1e-6, 1e-9);
      expectClose(f.referenceProportions, a.cur_props, 1e-6, 1e-9);
      if (f.type === 'numeric') {
        expect(f.edges).toEqual(a.edges);
        expect(f.exactGrid).toBe(true);
        expectClose([f.ks.statistic], [a.ks!.statistic], 1e-6);
        // p-values: Pelz–Good where scipy uses it (7 digits); the Durbin-matrix region (p ~ 1) to 1e-4.
        expect(Math.abs(f.ks.pValue - a.ks!.pvalue), a.feature).toBeLessThan(a.ks!.pvalue > 0.99 ? 1e-4 : 1e-6);
      } else {
        expect(f.categories).toEqual(a.categories);
      }
    }
    // Wasserstein-1 against scipy.stats.wasserstein_distance (computed for this test, scipy 1.17):
    // exact except where the CDFs cross inside a gap between training values (fnlwgt: 1e-3).
    const w1: Record<string, number> = {
      age: 0.23053441401073405,
      fnlwgt: 1038.012334672189,
      education_num: 0.018309648221675197,
      capital_gain: 52.56964901835062,
      capital_loss: 1.1493033969281852,
      hours_per_week: 0.11678728062127368,
    };
    for (const [name, w] of Object.entries(w1)) {
      const f = table.features.find((x) => x.feature === name)!;
      expect(f.type === 'numeric' && Math.abs(f.wasserstein - w) / w, name).toBeLessThan(2e-3);
    }
    // Every test category of Adult also occurs in training.
    const country = table.features.find((f) => f.feature === 'native_country')!;
    expect(country.type === 'categorical' && country.unseen.rows).toBe(0);
    const workclass = table.features.find((f) => f.feature === 'workclass')!;
    expect(workclass.missing.train).toBeCloseTo(0.05638647, 6); // '?' is a missing token and a category
  });

  it('cuts the reference into chunks with their own PSI and reports unseen categories by name', async () => {
    const encoding: Encoding = {
      features: [
        { name: 'x', type: 'numeric', transform: 'none', mean: 0, std: 1, columns: [0, 1] },
        { name: 'c', type: 'categorical', categories: ['a', 'b'], unknown: 'zeros', columns: [1, 3] },
      ],
      ignored: ['t'],
      missing: ['', '?'],
      width: 3,
    };
    const train = { name: 'train.csv', text: 'x,c,t\n' + Array.from({ length: 100 }, (_, i) => `${i % 10},${i % 2 ? 'a' : 'b'},0`).join('\n') };
    const refRows = Array.from({ length: 40 }, (_, i) => (i < 20 ? `${i % 10},${i % 2 ? 'a' : 'b'},${i}` : `${(i % 10) + 20},${i % 3 ? 'Mars' : 'a'},${i}`));
    refRows.push('?,a,40');
    const ref = { name: 'ref.csv', text: 'x,c,t\n' + refRows.join('\n') };
    const t = await featureDrift(encoding, train, ref, { chunkSize: 20, timestamp: 't' });
    const [x, c] = t.features;
    expect(x!.missing).toEqual({ train: 0, reference: 1 / 41, change: 1 / 41 });
    expect(c!.type === 'categorical' && c!.unseen.categories).toEqual([{ category: 'Mars', count: 13 }]);
    expect(t.chunks!.map((k) => [k.start, k.end, k.from, k.to])).toEqual([
      [0, 20, '0', '19'],
      [20, 40, '20', '39'],
      [40, 41, '40', '40'],
    ]);
    expect(t.ordered).toBe(true);
    // The first chunk is distributed like the training data; the second is not.
    expect(t.chunks![0]!.psi[0]).toBeCloseTo(0, 12);
    expect(t.chunks![0]!.psi[1]).toBeCloseTo(0, 12);
    expect(t.chunks![1]!.psi[0]).toBeGreaterThan(1);
    expect(t.chunks![1]!.psi[1]).toBeGreaterThan(1);
  });
});
