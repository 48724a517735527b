import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { initEngine } from '../../core/engine/backend';
import * as path from 'node:path';
import { ANCHORS, REPO } from '../../../test/helpers';

async function cli(args: string[], cwd = ANCHORS) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

beforeAll(async () => {
  await initEngine();
});

describe('glassbox quality', () => {
  it('--json: per-method curves, random baseline, infidelity, sensitivity and agreement on the sampled rows', async () => {
    const r = await cli(['quality', '--json', '--methods', 'integrated-gradients,feature-ablation', '--rows', '16', '--sensitivity-samples', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.rows).toBe(16);
    expect(j.defaultMethod).toBe('saliency');
    expect(j.methods.map((m: any) => m.method)).toEqual(['integrated-gradients', 'feature-ablation']);
    for (const m of j.methods) {
      expect(m.faithfulness).toBeCloseTo(m.insertion.auc - m.deletion.auc, 10);
      expect(m.faithfulness).toBeGreaterThan(m.random.faithfulness);
      expect(m.sensitivity.samples).toBe(2);
    }
    expect(j.agreement[0]).toMatchObject({ a: 'integrated-gradients', b: 'feature-ablation', k: 3 });
    expect(['integrated-gradients', 'feature-ablation']).toContain(j.recommended);
  }, 60_000);

  it('prints a table and which method to trust; a method that cannot explain the model is a usage error', async () => {
    const r = await cli(['quality', '--methods', 'saliency', '--rows', '8', '--sensitivity-samples', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/explanation quality on 8 rows/);
    expect(r.stdout).toMatch(/saliency/);
    expect(r.stdout).toMatch(/trust |no method tested/);
    const bad = await cli(['quality', '--methods', 'linear-shap']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/linear-shap reads the structure of linear models/);
    const unknown = await cli(['quality', '--methods', 'salency']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown method 'salency'/);
  }, 60_000);

  it('a tree ensemble (XGBoost on Adult): TreeSHAP and feature ablation by default, both more faithful than random', async () => {
    const r = await cli(['quality', '--json', '--rows', '16', '--sensitivity-samples', '1'], path.join(REPO, 'server/test/fixtures/projects/xgboost-adult'));
    expect(r.stderr).toBe('');
    const j = r.json();
    expect(j.defaultMethod).toBe('tree-shap');
    expect(j.methods.map((m: any) => m.method)).toEqual(['tree-shap', 'feature-ablation']);
    for (const m of j.methods) expect(m.betterThanRandom).toBe(true);
  }, 60_000);
});
