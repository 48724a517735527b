import { describe, it, expect, beforeAll } from 'vitest';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { wrapModel } from '../model/model';
import type { Encoding } from '../data/encoding';
import { createRng } from '../util/random';
import { featureDrift } from './table';
import { methodImportance } from './importance';
import { sharesFromAttributions } from '../importance/shares';
import { driftImpact } from './impact';
import { attributionDrift, ndcg } from './attribution';

const names = ['strong', 'weak', 'steady'];
const encoding: Encoding = {
  features: names.map((name, i) => ({ name, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
  ignored: [],
  missing: [''],
  width: 3,
  label: { name: 'y', classes: ['0', '1'] },
};

function csv(rows: number, shift: number[], seed: number) {
  const rng = createRng(seed);
  const lines = ['strong,weak,steady'];
  for (let i = 0; i < rows; i++) lines.push(shift.map((s) => (rng.normal() + s).toFixed(6)).join(','));
  return lines.join('\n');
}

function encode(text: string): { X: Float32Array; n: number } {
  const rows = text.split('\n').slice(1);
  return { X: Float32Array.from(rows.flatMap((r) => r.split(',').map(Number))), n: rows.length };
}

describe('drift x importance', () => {
  beforeAll(() => initEngine());

  it('ranks a planted shift first and its impact follows the importance of the feature', async () => {
    // logit_1 = 3·strong + 0.05·weak + 1·steady: strong matters, weak barely.
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, useBias: false })] });
    m.layers[0]!.setWeights([tf.tensor2d([[0, 3], [0, 0.05], [0, 1]])]);
    const model = wrapModel(m, '/mem', {}, { encoding, task: 'binary', output: 'logits' });
    const trainText = csv(4000, [0, 0, 0], 1);
    // Both strong and weak move by one standard deviation; steady does not.
    const refText = csv(3000, [1, 1, 0], 2);
    const table = await featureDrift(encoding, { name: 'train.csv', text: trainText }, { name: 'ref.csv', text: refText });
    const psi = table.features.map((f) => f.psi);
    expect(psi[0]).toBeGreaterThan(0.5);
    expect(psi[1]).toBeGreaterThan(0.5);
    expect(psi[2]).toBeLessThan(0.02);

    const before = tf.memory().numTensors;
    const shares = methodImportance(model, encoding, { method: 'saliency' });
    const tr = encode(trainText);
    const rf = encode(refText);
    const sTrain = await shares(tr.X, tr.n);
    const sRef = await shares(rf.X, rf.n);
    expect(tf.memory().numTensors).toBe(before);
    // Saliency of a linear logit is its weight: shares 3 : 0.05 : 1.
    expect(Array.from(sTrain)).toEqual([3 / 4.05, 0.05 / 4.05, 1 / 4.05].map((v) => expect.closeTo(v, 6)));

    const r = driftImpact(names, psi, { train: sTrain, reference: sRef }, { drift: 0.1, importance: 0.15 });
    const [strong, weak, steady] = r.features;
    expect(strong!.quadrant).toBe('high-drift/high-importance');
    expect(weak!.quadrant).toBe('high-drift/low-importance');
    expect(steady!.quadrant).toBe('low-drift/high-importance');
    // Similar drift, so the impact ratio is the importance ratio (both terms are reported).
    expect(strong!.impact.reference / weak!.impact.reference).toBeCloseTo((sRef[0]! * psi[0]!) / (sRef[1]! * psi[1]!), 10);
    expect(strong!.impact.reference).toBeGreaterThan(20 * weak!.impact.reference);
    expect(strong!.impact.train).toBeCloseTo(sTrain[0]! * psi[0]!, 12);
    m.dispose();
  });

  it('attribution drift: share changes, Spearman and NDCG', () => {
    const a = attributionDrift([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]);
    expectArray(a.change, [-0.3, 0, 0.3]);
    expect(a.spearman).toBeCloseTo(-1, 12);
    // Reference order: 2, 1, 0 with training relevances 0.2, 0.3, 0.5.
    const dcg = 0.2 + 0.3 / Math.log2(3) + 0.5 / 2;
    const ideal = 0.5 + 0.3 / Math.log2(3) + 0.2 / 2;
    expect(a.ndcg).toBeCloseTo(dcg / ideal, 12);
    expect(ndcg([0.5, 0.3, 0.2], [0.9, 0.05, 0.01])).toBe(1);
    const s = sharesFromAttributions([1, -1, 0, 3, 1, 0], 2, 3);
    expectArray(s.global, [4 / 6, 2 / 6, 0]);
    expectArray(s.local, [0.5, 0.5, 0, 0.75, 0.25, 0]);
  });
});

function expectArray(actual: ArrayLike<number>, expected: number[]) {
  expect(Array.from(actual)).toEqual(expected.map((v) => expect.closeTo(v, 12)));
}
