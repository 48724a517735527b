import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import { runCli } from './main';
import { ANCHORS } from '../../test/helpers';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: ANCHORS, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('glassbox importance', () => {
  it('aggregates a method over a filtered slice of rows', async () => {
    const r = await cli(['importance', '--json', '--method', 'feature-ablation', '--param', 'backgroundSize=8', '--where', 'sex=Female', '--where', 'age>40', '--limit', '40', '--sample', '10']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.method).toBe('feature-ablation');
    expect(out.rows).toBe(40);
    expect(out.features).toHaveLength(14);
    expect(out.shares.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 10);
    expect(out.sample.rows).toHaveLength(10);
    // Every sampled row is in the slice: its source line satisfies the filter.
    const lines = fs.readFileSync(out.file, 'utf8').split('\n');
    const header = lines[0]!.split(',');
    for (const line of out.sample.lines as number[]) {
      const raw = lines[line - 1]!.split(',');
      expect(raw[header.indexOf('sex')]!.trim()).toBe('Female');
      expect(Number(raw[header.indexOf('age')])).toBeGreaterThan(40);
    }
    expect(out.byPredictedClass.reduce((a: number, c: { n: number }) => a + c.n, 0)).toBe(40);
    expect(out.byTrueClass.map((c: { label: string }) => c.label).length).toBeGreaterThan(0);
  });

  it('uses KernelSHAP by default and reports one-line errors', async () => {
    const r = await cli(['importance', '--json', '--limit', '5']);
    expect(r.code).toBe(0);
    expect(r.json().method).toBe('kernel-shap');
    expect(r.json().params.samples).toBe(128);
    const bad = await cli(['importance', '--where', 'sx=Male']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^glassbox importance: --where: no column 'sx' in the data.*'sex'.*\n$/);
  });
});
