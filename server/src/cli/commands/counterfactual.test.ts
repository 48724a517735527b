/**
 * `glassbox counterfactual` and `glassbox robustness` on the real projects (XGBoost trees and a
 * PyTorch MLP exported to ONNX, server/test/fixtures/projects): every counterfactual, re-encoded
 * from the raw values it prints, flips the model's prediction; bad input is one line, exit 2.
 */
import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { runCli } from '../main';
import { REPO } from '../../../test/helpers';
import { Project } from '../../core/project';
import { initEngine } from '../../core/engine/backend';
import { compileEncoder } from '../../core/data/encoding';
import { predict } from '../../core/model/model';

const PROJECTS = path.join(REPO, 'server/test/fixtures/projects');

async function cli(project: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: path.join(PROJECTS, project), stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

interface CfRow {
  row: number;
  status: string;
  prediction: { class: number };
  counterfactuals: Array<{ values: Record<string, string | number>; changes: Array<{ feature: string }>; prediction: { class: number }; sparsity: number }>;
  nearestTrainingRow: { row: number; line: number; prediction: { class: number } } | null;
}

/** Predicts the printed counterfactual rows through the project's own encoding and model. */
async function recheck(project: string, rows: CfRow[]): Promise<void> {
  await initEngine();
  const p = Project.open(path.join(PROJECTS, project, 'glassbox.json'));
  const { encoding } = await p.schema();
  const model = await p.model(p.latestCheckpoint());
  const names = encoding.features.map((f) => f.name);
  const enc = compileEncoder(encoding, names);
  for (const r of rows) {
    if (r.counterfactuals.length === 0) continue;
    const X = new Float32Array(r.counterfactuals.length * encoding.width);
    r.counterfactuals.forEach((c, i) => enc.encode(names.map((n) => String(c.values[n])), X, i * encoding.width));
    const predicted = predict(model, X, r.counterfactuals.length).predicted!;
    r.counterfactuals.forEach((c, i) => {
      expect(predicted[i]).not.toBe(r.prediction.class);
      expect(predicted[i]).toBe(c.prediction.class);
    });
  }
  await p.dispose();
}

describe('glassbox counterfactual', () => {
  for (const project of ['xgboost-adult', 'pytorch-adult']) {
    it(`on ${project}: valid, sparse counterfactuals for rows 0-5 that keep sex and race`, async () => {
      const r = await cli(project, ['counterfactual', '0-5', '--immutable', 'sex,race', '--max-changes', '2', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = r.json();
      const rows = out.rows as CfRow[];
      expect(rows.map((x) => x.row)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(rows.filter((x) => x.status === 'found').length).toBeGreaterThanOrEqual(5);
      for (const row of rows) {
        for (const c of row.counterfactuals) {
          expect(c.sparsity).toBeLessThanOrEqual(2);
          for (const ch of c.changes) expect(['sex', 'race']).not.toContain(ch.feature);
          expect(Number.isInteger(c.values.age)).toBe(true);
        }
        if (row.nearestTrainingRow) expect(row.nearestTrainingRow.prediction.class).not.toBe(row.prediction.class);
      }
      await recheck(project, rows);
    }, 120_000);
  }

  it('prints a readable report with the changes and the nearest real row', async () => {
    const r = await cli('pytorch-adult', ['counterfactual', '--row', '1', '--target', '>50K']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/predicted <=50K .*goal: >50K/);
    expect(r.stdout).toMatch(/ 1\. .* → /);
    expect(r.stdout).toMatch(/nearest real >50K row: .*adult_train\.csv:\d+/);
  }, 120_000);

  it('refuses bad input in one line with exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--immutable', 'sexx'], /^glassbox counterfactual: --immutable: unknown feature 'sexx' \(did you mean 'sex'\?\)/],
      [['--target', 'rich'], /--target: no class 'rich'; the classes are 0 \(<=50K\), 1 \(>50K\)/],
      [['--bounds', 'age=200..300'], /--bounds: age 200..300 lies outside the training data's 17..90 \(allow it with --outside-range age\)/],
      [['--bounds', 'age=abc'], /--bounds expects FEATURE=MIN..MAX/],
      [['--direction', 'workclass=increase'], /--direction: 'workclass' is categorical/],
      [['--probability', '0.9'], /a target probability needs a target class/],
      [['--line', '3', '--rows', path.join(REPO, 'test-workspace/data/german_credit.csv')], /column '.*' used by the model is not in the header/],
      [['--method', 'fast'], /--method must be auto, gradient or search/],
    ];
    for (const [args, re] of cases) {
      const r = await cli('xgboost-adult', ['counterfactual', '--row', '0', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const g = await cli('xgboost-adult', ['counterfactual', '--row', '0', '--method', 'gradient']);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/gradient search needs a differentiable model; tree ensembles have no gradients/);
  }, 120_000);
});

describe('glassbox robustness', () => {
  it('on the ONNX MLP: flip radii by PGD, per class, with sensitivity; the same rows for the same seed', async () => {
    const r = await cli('pytorch-adult', ['robustness', '--sample', '40', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out.rows).toBe(40);
    expect(out.norms.map((n: { norm: string; method: string }) => `${n.norm}:${n.method}`)).toEqual(['l2:pgd', 'linf:pgd']);
    for (const n of out.norms) {
      expect(n.perClass.reduce((s: number, c: { rows: number }) => s + c.rows, 0)).toBe(40);
      expect(n.overall.flipped).toBeGreaterThan(0.5);
    }
    // L∞ radius ≤ L2 radius row by row is not guaranteed for upper bounds, but the L∞ ball of
    // radius r contains the L2 ball of radius r: the medians must be ordered.
    expect(out.norms[1].overall.median).toBeLessThanOrEqual(out.norms[0].overall.median + 1e-6);
    const again = await cli('pytorch-adult', ['robustness', '--sample', '40', '--norm', 'l2', '--json']);
    expect(again.json().perRow.map((p: { row: number }) => p.row)).toEqual(out.perRow.map((p: { row: number }) => p.row));
    const bad = await cli('pytorch-adult', ['robustness', '--norm', 'l1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--norm must be l2, linf or both, got 'l1'/);
  }, 180_000);

  it('on XGBoost: random-direction upper bounds and a readable table', async () => {
    const r = await cli('xgboost-adult', ['robustness', '--sample', '20', '--norm', 'l2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/random-directions \(upper bound\)/);
    expect(r.stdout).toMatch(/local sensitivity/);
  }, 180_000);
});
