import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tf } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { compileEncoder } from '../data/encoding';
import { predict, type ModelHandle } from '../model/model';
import { inspectCheckpoint } from '../model/checkpoints';
import { loadCheckpointModel } from '../model/formats/load';
import { treeTestModel } from '../../../test/models';
import { CF_ENCODING, cfRows } from './fixtures';
import { counterfactualsForRow, prepareCounterfactuals, type CounterfactualModel, type RowCounterfactuals } from './counterfactual';

const FEATURES = ['age', 'hours', 'colour', 'sex'];
/** Class-1 log-odds z = COEF · x + INTERCEPT over CF_ENCODING's 7 columns. */
const COEF = [0.8, 1.5, 0.2, -0.3, 0.1, 0.0, 0.4];
const INTERCEPT = -0.2;

async function logisticModel(): Promise<ModelHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-cf-linear-'));
  fs.writeFileSync(path.join(dir, 'glassbox-linear.json'), JSON.stringify({ format: 'glassbox-linear', version: 1, coef: [COEF], intercept: [INTERCEPT], link: 'logistic' }));
  return loadCheckpointModel(inspectCheckpoint(dir), { encoding: CF_ENCODING, task: 'binary' });
}

const train = cfRows(600, 3);
const rows = cfRows(40, 11);

/** Re-encodes every counterfactual from its raw values and predicts it independently. */
function reEvaluate(model: ModelHandle, r: RowCounterfactuals): number[] {
  const enc = compileEncoder(CF_ENCODING, FEATURES);
  const X = new Float32Array(r.counterfactuals.length * 7);
  r.counterfactuals.forEach((c, i) => enc.encode(FEATURES.map((f) => String(c.values[f])), X, i * 7));
  return Array.from(predict(model, X, r.counterfactuals.length).predicted!);
}

function z(i: number): number {
  return COEF.reduce((s, w, j) => s + w * rows.X[i * 7 + j]!, INTERCEPT);
}

describe('counterfactuals', () => {
  let linear: ModelHandle;
  let cfLinear: CounterfactualModel;
  beforeAll(async () => {
    await initEngine();
    linear = await logisticModel();
    const labels = predict(linear, train.X, train.n).predicted!;
    cfLinear = prepareCounterfactuals(linear, CF_ENCODING, { X: train.X, n: train.n, y: Float32Array.from(labels) }, { ood: { holdout: 100 } });
  });

  it('on a logistic model with only numeric changes allowed, finds the L1-optimal move |z| / max_j |w_j| MAD_j / scale_j', () => {
    const space = cfLinear.space;
    const age = space.dims[0]!;
    const hours = space.dims[1]!;
    if (age.kind !== 'numeric' || hours.kind !== 'numeric') throw new Error('numeric dims expected');
    expect(age.integer).toBe(true);
    expect(hours.integer).toBe(false);
    // Efficiency of each feature: log-odds moved per unit of MAD-scaled distance.
    const eff = [Math.abs(COEF[0]!) * age.mad / age.scale, Math.abs(COEF[1]!) * hours.mad / hours.scale];
    expect(eff[1]).toBeGreaterThan(eff[0]!);
    let checked = 0;
    for (let i = 0; i < rows.n; i++) {
      const zi = z(i);
      const hoursRaw = Number(rows.raw[i]![1]);
      const needed = hoursRaw - (zi / COEF[1]!) * hours.scale;
      if (needed < hours.min || needed > hours.max || Math.abs(zi) < 1e-3) continue;
      const r = counterfactualsForRow(cfLinear, rows.X.subarray(i * 7, (i + 1) * 7), { constraints: { immutable: ['colour', 'sex'] }, count: 2 });
      expect(r.status).toBe('found');
      const best = r.counterfactuals[0]!;
      expect(best.changes.map((c) => c.feature)).toEqual(['hours']);
      expect(best.distance).toBeCloseTo(Math.abs(zi) / eff[1]!, 2);
      expect(Math.abs(best.distance - Math.abs(zi) / eff[1]!) / (Math.abs(zi) / eff[1]!)).toBeLessThan(2e-3);
      // Minimal: just across the boundary.
      expect(Math.abs(Number(best.values.hours) - needed)).toBeLessThan(2e-3 * Math.abs(needed - hoursRaw) + 1e-6);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('every counterfactual flips the prediction when re-encoded and re-evaluated; categories are training categories and integers stay integers in range', () => {
    const before = tf.memory().numTensors;
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const r = counterfactualsForRow(cfLinear, rows.X.subarray(i * 7, (i + 1) * 7), { count: 3, constraints: { maxChanges: 2 } });
      expect(r.status).toBe('found');
      const again = reEvaluate(linear, r);
      for (const [k, c] of r.counterfactuals.entries()) {
        expect(again[k]).not.toBe(r.prediction.class);
        expect(c.prediction.class).toBe(again[k]);
        expect(c.sparsity).toBeLessThanOrEqual(2);
        expect(c.sparsity).toBe(c.changes.length);
        expect(['blue', 'green', 'red']).toContain(c.values.colour);
        expect(['F', 'M']).toContain(c.values.sex);
        expect(Number.isInteger(c.values.age)).toBe(true);
        expect(c.values.age as number).toBeGreaterThanOrEqual(20);
        expect(c.values.age as number).toBeLessThanOrEqual(70);
        expect(c.plausibility.oodPValue).toBeGreaterThan(0);
        expect(c.plausibility.nearestTargetDistance).toBeGreaterThanOrEqual(0);
        total++;
      }
      // Diverse: distinct changed-feature subsets.
      const subsets = r.counterfactuals.map((c) => c.changes.map((x) => x.feature).join(','));
      expect(new Set(subsets).size).toBe(subsets.length);
      // The data-backed alternative is a real training row of the other class.
      const near = r.nearestTrainingRow!;
      expect(near.prediction.class).not.toBe(r.prediction.class);
      expect(near.changes.length).toBe(near.sparsity);
    }
    expect(total).toBeGreaterThan(40);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never changes immutable features and respects directions and bounds', () => {
    for (let i = 0; i < 20; i++) {
      const x = rows.X.subarray(i * 7, (i + 1) * 7);
      const age0 = Number(rows.raw[i]![0]);
      const r = counterfactualsForRow(cfLinear, x, { count: 4, constraints: { immutable: ['sex', 'hours'], directions: { age: 'increase' }, bounds: { age: { max: 65 } } } });
      for (const c of r.counterfactuals) {
        const changed = c.changes.map((ch) => ch.feature);
        expect(changed).not.toContain('sex');
        expect(changed).not.toContain('hours');
        expect(c.values.sex).toBe(rows.raw[i]![3]);
        expect(Number(c.values.hours)).toBeCloseTo(Number(rows.raw[i]![1]), 4);
        if (changed.includes('age')) {
          expect(c.values.age as number).toBeGreaterThan(age0);
          expect(c.values.age as number).toBeLessThanOrEqual(65);
        }
      }
      const near = r.nearestTrainingRow;
      if (near) for (const ch of near.changes) expect(['age', 'colour']).toContain(ch.feature);
    }
  });

  it('says which constraint binds when nothing is within reach', () => {
    // A row far on the negative side: colour alone moves z by at most 0.5.
    let i = 0;
    while (z(i) > -1.5) i++;
    const r = counterfactualsForRow(cfLinear, rows.X.subarray(i * 7, (i + 1) * 7), { constraints: { immutable: ['age', 'hours', 'sex'] } });
    expect(r.status).toBe('none');
    expect(r.counterfactuals).toEqual([]);
    expect(r.binding).toEqual(['immutable']);
    expect(r.message).toMatch(/relaxing immutable would find one/);
  });

  it('ranks in-distribution counterfactuals first, each group cheapest first', () => {
    // With alpha 0.5 about half of any in-distribution set is flagged, so the ranking has work to do.
    let reordered = 0;
    let sets = 0;
    for (let i = 0; i < rows.n; i++) {
      const r = counterfactualsForRow(cfLinear, rows.X.subarray(i * 7, (i + 1) * 7), { count: 3, oodAlpha: 0.5 });
      if (r.status !== 'found') continue;
      sets++;
      const cs = r.counterfactuals;
      cs.forEach((c) => expect(c.plausibility.outOfDistribution).toBe(c.plausibility.oodPValue < 0.5));
      for (let k = 1; k < cs.length; k++) {
        const [a, b] = [cs[k - 1]!, cs[k]!];
        // Flags never go from flagged back to in-distribution; within a group distance never drops.
        expect(Number(a.plausibility.outOfDistribution)).toBeLessThanOrEqual(Number(b.plausibility.outOfDistribution));
        if (a.plausibility.outOfDistribution === b.plausibility.outOfDistribution) expect(a.distance).toBeLessThanOrEqual(b.distance + 1e-12);
        else if (a.distance > b.distance) reordered++;
      }
    }
    expect(sets).toBeGreaterThan(20);
    // A dearer in-distribution counterfactual was put ahead of a cheaper flagged one at least once.
    expect(reordered).toBeGreaterThan(0);
  });

  it('reports a row that already meets the goal, and reaches a target probability', () => {
    let i = 0;
    while (z(i) < 0.5) i++;
    const x = rows.X.subarray(i * 7, (i + 1) * 7);
    expect(counterfactualsForRow(cfLinear, x, { target: 1 }).status).toBe('already');
    const r = counterfactualsForRow(cfLinear, x, { target: 1, probability: 0.9 });
    expect(r.status).toBe('found');
    for (const c of r.counterfactuals) expect(c.prediction.probabilities[1]).toBeGreaterThanOrEqual(0.9);
  });

  it('rejects bad requests with one-line errors naming the argument', () => {
    const x = rows.X.subarray(0, 7);
    const names = { immutable: '--immutable', directions: '--direction', bounds: '--bounds', maxChanges: '--max-changes', outsideRange: '--outside-range' };
    const err = (req: Parameters<typeof counterfactualsForRow>[2]) => {
      try {
        counterfactualsForRow(cfLinear, x, { names, ...req });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ constraints: { immutable: ['hour'] } })).toMatch(/^--immutable: unknown feature 'hour' \(did you mean 'hours'\?\)/);
    expect(err({ constraints: { bounds: { age: { min: 80, max: 90 } } } })).toBe("--bounds: age 80..90 lies outside the training data's 20..70 (allow it with --outside-range age)");
    expect(err({ constraints: { bounds: { age: { min: 60, max: 30 } } } })).toMatch(/min 60 above max 30/);
    expect(err({ constraints: { directions: { colour: 'increase' } } })).toMatch(/'colour' is categorical/);
    expect(err({ constraints: { maxChanges: 0 } })).toMatch(/--max-changes must be a positive integer/);
    expect(err({ target: 2 })).toMatch(/target class 2 does not exist; the classes are 0 \(no\), 1 \(yes\)/);
    expect(err({ probability: 0.8 })).toMatch(/needs a target class/);
    expect(err({ target: 1, probability: 1.5 })).toMatch(/between 0 and 1/);
    for (const m of [err({ constraints: { immutable: ['hour'] } })]) expect(m.includes('\n')).toBe(false);
    // Bounds outside the data are fine once allowed.
    expect(err({ constraints: { bounds: { age: { min: 80, max: 90 } }, outsideRange: ['age'] } })).toBe('no error');
  });

  it('works on a tree ensemble (model-agnostic search) and refuses gradient search there', async () => {
    const trees = await treeTestModel(CF_ENCODING, 'binary', 4);
    expect(trees.differentiable).toBe(false);
    const labels = predict(trees, train.X, train.n).predicted!;
    const cf = prepareCounterfactuals(trees, CF_ENCODING, { X: train.X, n: train.n, y: Float32Array.from(labels) }, { ood: { holdout: 100 } });
    let found = 0;
    for (let i = 0; i < 20; i++) {
      const r = counterfactualsForRow(cf, rows.X.subarray(i * 7, (i + 1) * 7), { count: 3 });
      if (r.status !== 'found') continue;
      found++;
      const again = reEvaluate(trees, r);
      for (const [k, c] of r.counterfactuals.entries()) {
        expect(again[k]).not.toBe(r.prediction.class);
        expect(c.method).toBe('search');
      }
    }
    expect(found).toBeGreaterThan(15);
    expect(() => counterfactualsForRow(cf, rows.X.subarray(0, 7), { method: 'gradient' })).toThrow(/tree ensembles have no gradients/);
    trees.dispose();
  });
});
