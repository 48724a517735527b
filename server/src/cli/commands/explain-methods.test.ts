import { describe, it, expect } from 'vitest';
import { runCli } from '../main';
import { ANCHORS } from '../../../test/helpers';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: ANCHORS, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('glassbox explain with the gradient methods', () => {
  it('integrated-gradients: per raw feature, summing to f(x) - f(training mean)', async () => {
    const r = await cli(['explain', '--json', '--row', '0,1', '--method', 'integrated-gradients', '--param', 'steps=64']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.params).toEqual({ baseline: 'mean', steps: 64, rule: 'gausslegendre', batchSize: 8192 });
    const { targetAtInput, targetAtBaseline } = out.extras;
    out.rows.forEach((row: { attributions: Record<string, number> }, i: number) => {
      expect(Object.keys(row.attributions)).toHaveLength(14);
      const total = Object.values(row.attributions).reduce((s, v) => s + v, 0);
      expect(total).toBeCloseTo(targetAtInput[i] - targetAtBaseline[i], 2);
    });
  });

  it('stochastic methods take --seed (determinism itself: registry.test.ts) and report it', async () => {
    const args = ['explain', '--json', '--row', '3', '--method', 'smoothgrad', '--param', 'samples=20'];
    const a = (await cli([...args, '--seed', '5'])).json();
    const c = (await cli([...args, '--seed', '6'])).json();
    expect(a.seed).toBe(5);
    expect(c.rows[0].attributions).not.toEqual(a.rows[0].attributions);
    const bad = await cli([...args, '--seed', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--seed must be an integer, got 'x'/);
  });
});
