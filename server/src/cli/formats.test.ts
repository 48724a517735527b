/**
 * The CLI on projects trained outside Glassbox (server/test/fixtures/projects: XGBoost and a
 * PyTorch MLP exported to ONNX, both written by the Python package): every command answers, with
 * the method the model allows, and the numbers satisfy their closed forms.
 */
import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { runCli } from './main';
import * as fs from 'node:fs';
import { REPO, tmpDir } from '../../test/helpers';
import { Project } from '../core/project';
import { initEngine } from '../core/engine/backend';
import { predict } from '../core/model/model';

const PROJECTS = path.join(REPO, 'server/test/fixtures/projects');

async function cli(project: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: path.join(PROJECTS, project), stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('glassbox on an XGBoost project', () => {
  it('explains rows with exact TreeSHAP that adds up to each class\'s log-odds', async () => {
    const r = await cli('xgboost-adult', ['explain', '--row', '0-3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out.method).toBe('tree-shap');
    const base = out.extras.baseValue as number[];
    for (const [i, row] of (out.rows as Array<{ attributions: Record<string, number>; prediction: { class: number; probability: number } }>).entries()) {
      const sum = Object.values(row.attributions).reduce((a, b) => a + b, 0);
      const p = row.prediction.probability;
      // The predicted class's log-odds: log(p / (1 - p)).
      expect(base[i]! + sum).toBeCloseTo(Math.log(p / (1 - p)), 3);
      expect(Object.keys(row.attributions)).toContain('occupation');
    }
  });

  it('ranks suspect rows by the area under the margin, equal to the margins of each checkpoint', async () => {
    const r = await cli('xgboost-adult', ['suspects', '--top', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out.score).toBe('aum');
    expect(out.checkpoints.map((c: { name: string }) => c.name)).toEqual(['round-10', 'round-20', 'round-30']);
    await initEngine();
    const project = Project.open(path.join(PROJECTS, 'xgboost-adult/glassbox.json'));
    const train = await project.dataset('train');
    const rows = out.rows as Array<{ row: number; aum: number; label: number }>;
    const margins = rows.map(() => 0);
    for (const c of project.checkpoints()) {
      const model = await project.model(c);
      rows.forEach((r, k) => {
        const p = predict(model, train.X.subarray(r.row * train.width, (r.row + 1) * train.width), 1);
        const own = p.logits[r.label]!;
        margins[k] += (own - p.logits[1 - r.label]!) / 3;
      });
    }
    rows.forEach((r, k) => expect(r.aum).toBeCloseTo(margins[k]!, 4));
    // Most suspect first: the lowest margins.
    expect(rows.map((r) => r.aum)).toEqual([...rows.map((r) => r.aum)].sort((a, b) => a - b));
    await project.dispose();
  });

  it('runs the checks, skipping with a reason those that need gradients', async () => {
    const r = await cli('xgboost-adult', ['check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const checks = r.json().results as Array<{ id: string; status: string; summary: string }>;
    expect(checks.find((c) => c.id === 'randomisation')).toMatchObject({ status: 'skip', summary: expect.stringMatching(/applies to networks/) });
    expect(checks.find((c) => c.id === 'leakage')?.status).toBe('pass');
  });

  it('says why influence does not apply, in one line with exit 2', async () => {
    const r = await cli('xgboost-adult', ['influence', '--row', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/xgboost.json: influence \(TracIn\) follows gradients, and this tree ensemble has none/);
  });
});

describe('glassbox on a PyTorch (ONNX) project', () => {
  it('explains with Integrated Gradients whose attributions add up to the logit change', async () => {
    const r = await cli('pytorch-adult', ['explain', '--row', '0-2', '--method', 'integrated-gradients', '--param', 'steps=64', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out.method).toBe('integrated-gradients');
    const gaps = out.extras.completenessGap as number[] | undefined;
    expect(gaps?.length).toBe(3);
    for (const g of gaps!) expect(Math.abs(g)).toBeLessThan(1e-2);
  });

  it('traces influence exactly over the network\'s dense layers and names them', async () => {
    const r = await cli('pytorch-adult', ['influence', '--row', '0', '--top', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out.scope).toMatch(/dense layers/);
    expect(out.checkpoints).toHaveLength(3);
    expect(out.rows[0].proponents).toHaveLength(3);
  });
});

describe('bad model files', () => {
  /** A copy of a fixture project whose newest checkpoint is replaced by `model` (saved as `name`). */
  function projectWith(base: string, name: string, model: string): string {
    const root = tmpDir(`bad-${name}`);
    const src = path.join(PROJECTS, base);
    fs.copyFileSync(path.join(src, 'encoding.json'), path.join(root, 'encoding.json'));
    const config = fs.readFileSync(path.join(src, 'glassbox.json'), 'utf8').replaceAll('../../../../../test-workspace', path.join(REPO, 'test-workspace'));
    fs.writeFileSync(path.join(root, 'glassbox.json'), config.replace(/"\$schema": "[^"]*",/, ''));
    fs.mkdirSync(path.join(root, 'checkpoints', 'epoch-9'), { recursive: true });
    fs.copyFileSync(model, path.join(root, 'checkpoints', 'epoch-9', name));
    return root;
  }
  const ONNX = path.join(REPO, 'server/test/fixtures/onnx');
  const TREES = path.join(REPO, 'server/test/fixtures/trees');
  const cases: Array<[string, string, string, RegExp]> = [
    ['truncated ONNX file', 'pytorch-adult', path.join(ONNX, 'bad_truncated.onnx'), /no complete checkpoint .*epoch-9: model.onnx is not a complete ONNX model/],
    ['newer opset', 'pytorch-adult', path.join(ONNX, 'bad_opset25.onnx'), /model.onnx: opset 25 is newer than Glassbox supports/],
    ['string input', 'pytorch-adult', path.join(ONNX, 'bad_string_input.onnx'), /model.onnx: .*string/],
    ['input width that does not match the data', 'pytorch-adult', path.join(ONNX, 'mlp.onnx'), /model.onnx: the model expects input shape \[batch, 14\] but the encoded data has shape \[batch, \d+\]/],
    ['booster with another feature count', 'xgboost-adult', path.join(TREES, 'xgb-regression.json'), /xgboost.json: .*(trained on \d+ input columns|task is binary)/],
  ];
  for (const [what, base, model, message] of cases) {
    it(`a ${what} gives one line at the file and exit 2`, async () => {
      const name = model.endsWith('.onnx') ? 'model.onnx' : 'xgboost.json';
      const root = projectWith(base, name, model);
      let stderr = '';
      const code = await runCli(['predict', '--limit', '3'], { cwd: root, stdout: () => {}, stderr: (s) => (stderr += s) });
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    });
  }
});
