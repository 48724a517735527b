import { beforeAll, describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { checkOptions, createCheckContext } from './context';
import { CHECKS, runChecks } from './registry';
import { worstViolation } from './monotonic';
import { fitRule, majorityClass, outOfFoldSkill, ruleSkill } from './leakage';
import { Project } from '../project';
import { importanceProvider } from '../importance/shares';
import { kinked, linear, withModel, writeFixture } from '../../../test/checks-fixture';

/** Runs checks with saliency shares: their closed forms on linear models are what these tests assert. */
async function run(project: Project, only: string[]) {
  const checkpoint = project.latestCheckpoint();
  const model = await project.model(checkpoint);
  const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config, importanceProvider('saliency')) });
  const report = await runChecks(ctx, { only });
  await project.dispose();
  return report;
}

/** 1-based line of the first occurrence of `text` in the fixture's glassbox.json. */
function lineOf(dir: string, text: string): number {
  return fs.readFileSync(path.join(dir, 'glassbox.json'), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

beforeAll(async () => {
  await initEngine();
});

// Columns: x1, x2, noise, grp=A, grp=B, leak.
const CLEAN = [2, 1, 0, 0, 0, 0];

describe('expectation checks', () => {
  it('share importance with glassbox importance by default (KernelSHAP), a configured method otherwise', () => {
    const config = { raw: { checks: {} }, locate: () => ({ file: 'glassbox.json' }) } as never;
    expect(checkOptions(config).importance.id).toBe('mean |kernel-shap|');
    const named = { raw: { checks: { importanceMethod: 'saliency' } }, locate: () => ({ file: 'glassbox.json' }) } as never;
    expect(checkOptions(named).importance.id).toBe('mean |saliency|');
  });

  it('worstViolation finds the largest wrong-way change', () => {
    expect(worstViolation([0, 1, 3, 2, 0.5, 4], 'increasing')).toEqual({ drop: 2.5, from: 2, to: 4 });
    expect(worstViolation([3, 2, 1], 'increasing').drop).toBe(2);
    expect(worstViolation([3, 2, 1], 'decreasing').drop).toBe(0);
    expect(worstViolation([1, 2, 2, 3], 'increasing').drop).toBe(0);
  });

  it('pass on a model that honours every expectation, without leaking tensors', async () => {
    const dir = writeFixture();
    const project = await withModel(dir, linear(CLEAN));
    const before = tf.memory().numTensors;
    const report = await run(project, ['irrelevant', 'protected', 'monotonic', 'expected-top', 'leakage']);
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['leakage', 'pass'],
      ['irrelevant', 'pass'],
      ['protected', 'pass'],
      ['monotonic', 'pass'],
      ['expected-top', 'pass'],
    ]);
    expect(report.ok).toBe(true);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });

  it('irrelevant: a feature the model uses is reported at its expectation line with its share', async () => {
    const dir = writeFixture();
    // |w| = 2, 1, 2 (noise): noise share = 2/5.
    const report = await run(await withModel(dir, linear([2, 1, 2, 0, 0, 0])), ['irrelevant']);
    const r = report.results[0]!;
    expect(r.status).toBe('fail');
    const f = r.findings[0]!;
    expect(f.subject).toBe('noise');
    expect(f.measured).toBeCloseTo(0.4, 6);
    expect(f.limit).toBe(0.05);
    expect(f.location!.line).toBe(lineOf(dir, '"feature": "noise"') - 1);
    expect(f.evidence).toHaveLength(5);
    expect(f.evidence[0]!.line).toBe(f.evidence[0]!.row + 2);
    expect(report.ok).toBe(false);
  });

  it('protected: an attribute made important on purpose fails globally and per row', async () => {
    const dir = writeFixture();
    // Weight 3 on grp=B: B rows give grp 3/6 of their attribution, A rows 0.
    const report = await run(await withModel(dir, linear([2, 1, 0, 0, 3, 0])), ['protected']);
    const r = report.results[0]!;
    expect(r.status).toBe('fail');
    const [global, local] = r.findings;
    expect(global!.metric).toBe('global importance share');
    // Mean |saliency|: x1 2, x2 1, grp 3 * P(B); share = 3p / (3 + 3p).
    const test = fs.readFileSync(path.join(dir, 'test.csv'), 'utf8').trim().split('\n').slice(1);
    const p = test.filter((l) => l.split(',')[3] === 'B').length / test.length;
    expect(global!.measured).toBeCloseTo((3 * p) / (3 + 3 * p), 6);
    expect(local!.metric).toBe('rows over epsilon');
    expect(local!.measured).toBeCloseTo(p, 6);
    expect(global!.location!.line).toBe(lineOf(dir, '"protected": [') + 1);
    expect(local!.evidence[0]!.values!.share).toBeCloseTo(0.5, 6);
  });

  it('protected: epsilon from expectations.protected is honoured and located', async () => {
    const dir = writeFixture({ config: { expectations: { protected: { epsilon: 0.6, maxRowRate: 0.2 } } } });
    const report = await run(await withModel(dir, linear([2, 1, 0, 0, 3, 0])), ['protected']);
    expect(report.results[0]!.status).toBe('pass');
    const tight = writeFixture({ config: { expectations: { protected: { epsilon: 0.01, maxRowRate: 0.9 } } } });
    const r2 = await run(await withModel(tight, linear([2, 1, 0, 0, 3, 0])), ['protected']);
    expect(r2.results[0]!.findings.map((f) => f.metric)).toEqual(['global importance share']);
    expect(r2.results[0]!.findings[0]!.location!.line).toBe(lineOf(tight, '"epsilon"'));
  });

  it('monotonic: a relation broken on purpose is found with its worst rows; an intact one is not', async () => {
    const ok = await run(await withModel(writeFixture(), kinked(1)), ['monotonic']);
    expect(ok.results[0]!.status).toBe('pass');
    expect((ok.results[0]!.details!.measured as Record<string, { rate: number }>).x1!.rate).toBe(0);
    const dir = writeFixture();
    const bad = await run(await withModel(dir, kinked(4)), ['monotonic']);
    const f = bad.results[0]!.findings[0]!;
    expect(f.subject).toBe('x1');
    expect(f.location!.line).toBe(lineOf(dir, '"x1": "increasing"'));
    // Past x1 = 0 the logit falls with slope 2: every row whose curve is not saturated violates.
    expect(f.measured).toBeGreaterThan(0.8);
    const worst = f.evidence[0]!;
    expect(Number(worst.values!.outputTo)).toBeLessThan(Number(worst.values!.outputFrom) - 0.1);
    expect(Number(worst.values!.from)).toBeGreaterThanOrEqual(-0.2);
  });

  it('protectedMaxShare (the older key) still sets epsilon and is where the finding points', async () => {
    const dir = writeFixture({ config: { expectations: { protectedMaxShare: 0.02 } } });
    const r = await run(await withModel(dir, linear([2, 1, 0, 0, 3, 0])), ['protected']);
    const f = r.results[0]!.findings[0]!;
    expect(f.limit).toBe(0.02);
    expect(f.location!.line).toBe(lineOf(dir, '"protectedMaxShare"'));
  });

  it('every check, opt-in ones included, runs on a two-layer model without leaking tensors', async () => {
    const project = await withModel(writeFixture(), kinked(1));
    const checkpoint = project.latestCheckpoint();
    const model = await project.model(checkpoint);
    const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
    const before = tf.memory().numTensors;
    const report = await runChecks(ctx, { only: CHECKS.map((c) => c.id) });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.results.map((r) => r.id)).toEqual(CHECKS.map((c) => c.id));
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(byId).toMatchObject({ monotonic: 'pass', randomisation: 'pass', 'data-randomisation': 'pass' });
    expect(['pass', 'fail']).toContain(byId['label-suspects']);
    expect(['pass', 'fail']).toContain(byId['protected-influence']);
    await project.dispose();
  });

  it('config errors name the expectation line', async () => {
    const dir = writeFixture({ config: { expectations: { monotonic: { grp: 'increasing' }, irrelevant: ['nosie'] } } });
    const project = await withModel(dir, linear(CLEAN));
    await expect(run(project, ['irrelevant'])).rejects.toThrow(/'nosie' is not a model feature \(did you mean 'noise'\?\)/);
    const p2 = await withModel(dir, linear(CLEAN), 'epoch-2', 2);
    await expect(run(p2, ['monotonic'])).rejects.toThrow(/numeric feature; 'grp' is categorical/);
  });
});

describe('leaking feature', () => {
  it('flags a column that equals the label in training but not in the reference data', async () => {
    const dir = writeFixture({ leak: true });
    const report = await run(await withModel(dir, linear([1, 0.5, 0, 0, 0, 4])), ['leakage']);
    const r = report.results[0]!;
    expect(r.status).toBe('fail');
    const f = r.findings[0]!;
    expect(f.subject).toBe('leak');
    // Skill 1 in training (the column is the label), about 0 on the test rows (a coin): a drop of ~1.
    expect(f.details!.trainSkill as number).toBeCloseTo(1, 6);
    expect((f.details!.referenceSkill as number)).toBeLessThan(0.2);
    expect(f.measured).toBeCloseTo(1 - (f.details!.referenceSkill as number), 12);
    expect(f.limit).toBe(0.64);
    expect(r.severity).toBe('error');
    expect(f.evidence.length).toBe(5);
    expect(f.location!.line).toBe(lineOf(dir, '"leak": {'));
  });

  it('does not flag the same model when the column is not a leak, nor a leak the model ignores', async () => {
    const clean = await run(await withModel(writeFixture(), linear([1, 0.5, 0, 0, 0, 4])), ['leakage']);
    expect(clean.results[0]!.status).toBe('pass');
    const ignored = await run(await withModel(writeFixture({ leak: true }), linear(CLEAN)), ['leakage']);
    expect(ignored.results[0]!.status).toBe('pass');
    const skills = ignored.results[0]!.details!.skills as Record<string, { train: number }>;
    expect(skills.leak!.train).toBe(1);
  });

  it('without labelled held-out rows: a warning from the training skill alone (an error only when glassbox.json says so)', async () => {
    const unlabelled = (severity?: string) => {
      const dir = writeFixture({ leak: true, config: { data: { train: 'train.csv', reference: 'ref.csv' }, ...(severity ? { checks: { severity: { leakage: severity } } } : {}) } });
      // The test rows without their label column: reference data as production sends it.
      const lines = fs.readFileSync(path.join(dir, 'test.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -1).join(','));
      fs.writeFileSync(path.join(dir, 'ref.csv'), lines.join('\n') + '\n');
      return dir;
    };
    const r = (await run(await withModel(unlabelled(), linear([1, 0.5, 0, 0, 0, 4])), ['leakage'])).results[0]!;
    expect(r.status).toBe('fail');
    expect(r.severity).toBe('warning');
    const f = r.findings[0]!;
    expect(f).toMatchObject({ subject: 'leak', severity: 'warning', limit: 0.8, metric: 'single-feature skill on training data' });
    expect(f.measured).toBeCloseTo(1, 6);
    expect(f.message).toMatch(/no labelled held-out data to confirm it generalises/);
    const configured = (await run(await withModel(unlabelled('error'), linear([1, 0.5, 0, 0, 0, 4])), ['leakage'])).results[0]!;
    expect(configured.status).toBe('fail');
    expect(configured.severity).toBe('error');
  });

  it('training skill out of fold: a coin scores its own bins in sample, not out of fold; the label itself scores 1 both ways', async () => {
    const project = Project.open(path.join(writeFixture({ leak: true }), 'glassbox.json'));
    const { encoding, task } = await project.schema();
    const train = await project.dataset('train');
    const majority = majorityClass(train.y!, 2);
    const f = (name: string) => encoding.features.findIndex((x) => x.name === name);
    // 'noise' is N(0, 1) independent of y: 20 bins of 30 rows each fit their own labels in sample.
    const inSample = ruleSkill(fitRule(encoding, task, f('noise'), train, 2), task, train, majority);
    const oof = outOfFoldSkill(encoding, task, f('noise'), train, 2, majority);
    expect(inSample).toBeGreaterThan(0.05);
    expect(oof).toBeLessThan(inSample);
    expect(Math.abs(oof)).toBeLessThan(0.1);
    expect(outOfFoldSkill(encoding, task, f('leak'), train, 2, majority)).toBe(1);
    await project.dispose();
  });

  it('a strong genuine feature (skill ≈ 0.66 in training and on test rows) is not a leak with or without labels', async () => {
    // x1 alone: y = [x1 + 0.5 x2 + 0.3 e > 0], so x1's bins predict about 83% of labels everywhere.
    const r = (await run(await withModel(writeFixture(), linear([4, 0.1, 0, 0, 0, 0])), ['leakage'])).results[0]!;
    expect(r.status).toBe('pass');
    const x1 = (r.details!.skills as Record<string, { share: number; train: number; reference: number }>).x1!;
    expect(x1.share).toBeGreaterThan(0.9);
    expect(x1.train).toBeGreaterThan(0.5);
    expect(x1.train).toBeLessThan(0.8);
    expect(x1.train - x1.reference).toBeLessThan(0.64);
  });
});

describe('checks on a regression model', () => {
  it('leakage, monotonic and importance checks work on a one-output model', async () => {
    const dir = writeFixture({ leak: true, config: { task: 'regression', model: { output: 'value' }, protected: [] } });
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 1, name: 'value' })] });
    const w = [tf.tensor2d([[1], [0.5], [0], [0], [0], [-3]]), tf.zeros([1])];
    m.setWeights(w);
    tf.dispose(w);
    const report = await run(await withModel(dir, m), ['leakage', 'irrelevant', 'monotonic', 'randomisation']);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    // Decreasing in leak, which equals the label in training (R² of its bin means: 1) and not in test.
    expect(byId.leakage!.status).toBe('fail');
    expect(byId.leakage!.findings[0]!.subject).toBe('leak');
    expect(byId.leakage!.findings[0]!.details!.trainSkill as number).toBeCloseTo(1, 6);
    expect(byId.leakage!.findings[0]!.measured).toBeGreaterThanOrEqual(0.64);
    expect(byId.monotonic!.status).toBe('pass');
    expect(byId.irrelevant!.status).toBe('pass');
    expect(byId.randomisation!.status).toBe('pass');
  });
});

