/**
 * Counterfactuals of regression models: reach a target value or interval of the prediction.
 * Linear regression is checked against the closed form (the minimal MAD-scaled L1 change moves
 * only the feature with the largest |w_j| · MAD_j / scale_j, by exactly what closes the gap); a
 * small tanh MLP by re-evaluating every returned row through `predict`.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { compileEncoder } from '../data/encoding';
import { predict, wrapModel, type ModelHandle } from '../model/model';
import { inspectCheckpoint } from '../model/checkpoints';
import { loadCheckpointModel } from '../model/formats/load';
import { GlassboxError } from '../errors';
import { CF_ENCODING, cfRows } from './fixtures';
import { counterfactualsForRow, prepareCounterfactuals, type CounterfactualModel, type RowCounterfactuals } from './counterfactual';
import { Project } from '../project';
import { featureNames } from '../data/encoding';
import { withModel, writeFixture } from '../../../test/checks-fixture';
import { runCli } from '../../cli/main';

const FEATURES = ['age', 'hours', 'colour', 'sex'];
const ENCODING = { ...CF_ENCODING, label: { name: 'y' } };
/** y = COEF · x + INTERCEPT over the 7 encoded columns. */
const COEF = [0.8, 1.5, 0.2, -0.3, 0.1, 0.0, 0.4];
const INTERCEPT = 2;

const train = cfRows(600, 3);
const rows = cfRows(40, 11);

function y(i: number): number {
  return COEF.reduce((s, w, j) => s + w * rows.X[i * 7 + j]!, INTERCEPT);
}

/** The model's values for the returned rows, re-encoded from their raw values. */
function reEvaluate(model: ModelHandle, r: RowCounterfactuals): number[] {
  const enc = compileEncoder(ENCODING, FEATURES);
  const X = new Float32Array(r.counterfactuals.length * 7);
  r.counterfactuals.forEach((c, i) => enc.encode(FEATURES.map((f) => String(c.values[f])), X, i * 7));
  const p = predict(model, X, r.counterfactuals.length);
  return Array.from(p.logits);
}

function mlpRegression(): ModelHandle {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [7], units: 8, activation: 'tanh' }), tfl.layers.dense({ units: 1 })] });
  let s = 11;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, u), w.shape)));
  return wrapModel(m, '/cf-mlp-regression', {}, { encoding: ENCODING, task: 'regression' });
}

describe('regression counterfactuals', () => {
  let linear: ModelHandle;
  let cfLinear: CounterfactualModel;
  beforeAll(async () => {
    await initEngine();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-cf-linreg-'));
    fs.writeFileSync(path.join(dir, 'glassbox-linear.json'), JSON.stringify({ format: 'glassbox-linear', version: 1, coef: [COEF], intercept: [INTERCEPT], link: 'identity' }));
    linear = await loadCheckpointModel(inspectCheckpoint(dir), { encoding: ENCODING, task: 'regression' });
    cfLinear = prepareCounterfactuals(linear, ENCODING, { X: train.X, n: train.n }, { ood: { holdout: 100 } });
  });

  it('linear regression: reaching y0 + 1 moves only the most efficient feature, by the closed-form distance 1 / max_j |w_j| MAD_j / scale_j', () => {
    const [age, hours] = cfLinear.space.dims;
    if (age?.kind !== 'numeric' || hours?.kind !== 'numeric') throw new Error('numeric dims expected');
    // Value moved per unit of MAD-scaled distance.
    const eff = [Math.abs(COEF[0]!) * age.mad / age.scale, Math.abs(COEF[1]!) * hours.mad / hours.scale];
    expect(eff[1]).toBeGreaterThan(eff[0]!);
    let checked = 0;
    for (let i = 0; i < rows.n; i++) {
      const y0 = y(i);
      const hoursRaw = Number(rows.raw[i]![1]);
      const needed = hoursRaw + (1 / COEF[1]!) * hours.scale;
      if (needed > hours.max) continue;
      // oodAlpha 0: rank by distance alone, so the first is the cheapest.
      const r = counterfactualsForRow(cfLinear, rows.X.subarray(i * 7, (i + 1) * 7), { targetValue: { min: y0 + 1 }, constraints: { immutable: ['colour', 'sex'] }, oodAlpha: 0 });
      expect(r.status).toBe('found');
      expect(r.goal.interval).toEqual({ min: y0 + 1, max: Infinity });
      expect(r.prediction.value).toBeCloseTo(y0, 4);
      const best = r.counterfactuals[0]!;
      expect(best.changes.map((c) => c.feature)).toEqual(['hours']);
      expect(Math.abs(best.distance - 1 / eff[1]!) / (1 / eff[1]!)).toBeLessThan(2e-3);
      expect(Math.abs(Number(best.values.hours) - needed)).toBeLessThan(2e-3 * Math.abs(needed - hoursRaw) + 1e-6);
      reEvaluate(linear, r).forEach((v) => expect(v).toBeGreaterThanOrEqual(y0 + 1 - 1e-5));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('a bare target value is reached from either side; an interval is met on both ends', () => {
    const x = rows.X.subarray(0, 7);
    const y0 = y(0);
    const up = counterfactualsForRow(cfLinear, x, { targetValue: y0 + 0.5 });
    expect(up.goal.interval).toEqual({ min: y0 + 0.5, max: Infinity });
    reEvaluate(linear, up).forEach((v) => expect(v).toBeGreaterThanOrEqual(y0 + 0.5 - 1e-5));
    const down = counterfactualsForRow(cfLinear, x, { targetValue: y0 - 0.5 });
    expect(down.goal.interval).toEqual({ min: -Infinity, max: y0 - 0.5 });
    reEvaluate(linear, down).forEach((v) => expect(v).toBeLessThanOrEqual(y0 - 0.5 + 1e-5));
    const band = counterfactualsForRow(cfLinear, x, { targetValue: { min: y0 + 0.4, max: y0 + 0.6 } });
    expect(band.status).toBe('found');
    reEvaluate(linear, band).forEach((v) => {
      expect(v).toBeGreaterThanOrEqual(y0 + 0.4 - 1e-5);
      expect(v).toBeLessThanOrEqual(y0 + 0.6 + 1e-5);
    });
    const already = counterfactualsForRow(cfLinear, x, { targetValue: { max: y0 + 1 } });
    expect(already.status).toBe('already');
    expect(already.message).toMatch(/^the row's prediction .* is already ≤ /);
  });

  it('refuses class targets, a missing or empty goal and one out of reach, in one line', () => {
    const x = rows.X.subarray(0, 7);
    const err = (req: Parameters<typeof counterfactualsForRow>[2]) => {
      try {
        counterfactualsForRow(cfLinear, x, req);
      } catch (e) {
        expect(e).toBeInstanceOf(GlassboxError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({})).toBe('counterfactuals of a regression model need a target value or interval to reach (e.g. >= 50000)');
    expect(err({ target: 1 })).toMatch(/^this is a regression model: give the value to reach/);
    expect(err({ targetValue: { min: 3, max: 2 } })).toBe('the target interval is empty: 3 > 2');
    expect(err({ targetValue: 1e6 })).toMatch(/^the target ≥ 1000000 is out of reach: the model predicts .* on the training data$/);
  });

  it('tanh MLP regression: every counterfactual reaches the target when re-evaluated through predict; immutable features stay', () => {
    const mlp = mlpRegression();
    const cf = prepareCounterfactuals(mlp, ENCODING, { X: train.X, n: train.n }, { ood: { holdout: 100 } });
    const values = Array.from(predict(mlp, train.X, train.n).logits);
    const spread = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length - (values.reduce((s, v) => s + v, 0) / values.length) ** 2);
    let found = 0;
    for (let i = 0; i < 20; i++) {
      const x = rows.X.subarray(i * 7, (i + 1) * 7);
      const v0 = predict(mlp, x, 1).logits[0]!;
      const target = v0 + (i % 2 ? 0.5 : -0.5) * spread;
      const r = counterfactualsForRow(cf, x, { targetValue: target, constraints: { immutable: ['sex'] } });
      if (r.status !== 'found') {
        expect(r.status).toBe('none');
        expect(r.message).toMatch(/^no counterfactual that brings the prediction [≥≤] /);
        continue;
      }
      const after = reEvaluate(mlp, r);
      after.forEach((v, k) => {
        expect(i % 2 ? v >= target - 1e-5 : v <= target + 1e-5).toBe(true);
        expect(r.counterfactuals[k]!.prediction.value).toBeCloseTo(v, 4);
        expect(r.counterfactuals[k]!.values.sex).toBe(rows.raw[i]![3]);
        expect(Number.isInteger(r.counterfactuals[k]!.values.age)).toBe(true);
      });
      found += after.length;
    }
    expect(found).toBeGreaterThan(20);
    expect(tf.memory().numTensors).toBeLessThan(1000);
  });

  it('`glassbox counterfactual --target-value` on a regression project: every row reaches the value through predict; bad values exit 2 with one line', async () => {
    const dir = writeFixture({ config: { task: 'regression', expectations: {} } });
    // y = 1.5 x1 + 0.5 x2 over the encoded columns x1, x2, noise, grp=A, grp=B, leak.
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 1 })] });
    m.setWeights([tf.tensor2d([1.5, 0.5, 0, 0, 0, 0], [6, 1]), tf.tensor1d([0])]);
    await withModel(dir, m, 'epoch-1', 1);
    const run = async (args: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(args, { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s) });
      return { code, out, err };
    };
    const r = await run(['counterfactual', '--json', '--row', '0,1,2,3', '--target-value', '>=1.5', '--immutable', 'none']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    const project = Project.open(path.join(dir, 'glassbox.json'));
    const { encoding } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const names = featureNames(encoding);
    const enc = compileEncoder(encoding, names);
    let checked = 0;
    for (const row of json.rows) {
      expect(row.goal.interval.min).toBe(1.5);
      if (row.status === 'already') {
        expect(row.prediction.value).toBeGreaterThanOrEqual(1.5);
        continue;
      }
      expect(row.status).toBe('found');
      for (const c of row.counterfactuals) {
        const X = new Float32Array(encoding.width);
        enc.encode(names.map((n) => String(c.values[n])), X, 0);
        const v = predict(model, X, 1).logits[0]!;
        expect(v).toBeGreaterThanOrEqual(1.5 - 1e-5);
        expect(c.prediction.value).toBeCloseTo(v, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
    await project.dispose();
    const text = await run(['counterfactual', '--row', '0', '--target-value', '<=-1', '--immutable', 'none']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/goal: ≤ -1\n/);
    const bad = await run(['counterfactual', '--row', '0', '--target-value', 'high']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toMatch(/--target-value expects a number, >=V, <=V or MIN\.\.MAX, got 'high'$/);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    const none = await run(['counterfactual', '--row', '0']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/counterfactuals of a regression model need a target value or interval to reach/);
  });
});
