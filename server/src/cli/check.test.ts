import { beforeAll, describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './main';
import { initEngine } from '../core/engine/backend';
import { linear, withModel, writeFixture } from '../../test/checks-fixture';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

beforeAll(async () => {
  await initEngine();
});

// Columns: x1, x2, noise, grp=A, grp=B, leak.
describe('glassbox check', () => {
  it('exits 0 when every check passes, and reports skipped checks as skipped', async () => {
    const dir = writeFixture();
    // The data's own log-odds: y = [x1 + 0.5 x2 + 0.3 e > 0] gives about 5.6 x1 + 2.8 x2 (probit
    // scaled to logit), so the model is calibrated as well as accurate.
    await withModel(dir, linear([5.6, 2.8, 0, 0, 0, 0]));
    const r = await cli(['check'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}protected {2,}under epsilon 5\.0%: grp 0\.0%/m);
    expect(r.stdout).toMatch(/^glassbox check on checkpoint epoch-1 \(\w+\); importance: mean \|kernel-shap\| over \d+ rows/);
    expect(r.stdout).toMatch(/^PASS {2}label-suspects {2,}\d+ of the top \d+ suspects/m);
    expect(r.stdout).toMatch(/^SKIP {2}protected-influence {2,}needs a model with a hidden layer/m);
    expect(r.stdout).toMatch(/^SKIP {2}ood-reference {2,}too few training rows to calibrate p < 0\.01 \(120 held out/m);
    expect(r.stdout).toMatch(/^SKIP {2}checkpoint-reset {2,}epoch-1 is the first checkpoint/m);
    expect(r.stdout).toMatch(/passed, 0 failed, 0 warning\(s\), \d+ skipped: ok$/m);
  });

  it('exits 1 with the finding at its glassbox.json line; --json carries the same report', async () => {
    // Saliency shares: grp=B rows give grp exactly 3/6 of their attribution.
    const dir = writeFixture({ config: { checks: { importanceMethod: 'saliency' } } });
    await withModel(dir, linear([2, 1, 0, 0, 3, 0]));
    const r = await cli(['check', '--only', 'protected,irrelevant', '--github-annotations'], dir);
    expect(r.code).toBe(1);
    const line = fs.readFileSync(path.join(dir, 'glassbox.json'), 'utf8').split('\n').findIndex((l) => l.includes('"protected": [')) + 2;
    expect(r.stdout).toContain(`FAIL  protected`);
    expect(r.stdout).toContain(`glassbox.json:${line}:5: protected attribute 'grp' carries`);
    expect(r.stdout).toMatch(/test\.csv:\d+ {2}row \d+: 'grp' carries 50\.0% of this row's attribution/);
    expect(r.stdout).toContain(`::error file=glassbox.json,line=${line},title=glassbox protected::protected attribute 'grp'`);
    const j = await cli(['check', '--json', '--only', 'protected,irrelevant'], dir);
    expect(j.code).toBe(1);
    const report = j.json();
    expect(report.ok).toBe(false);
    expect(report.results.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
      ['irrelevant', 'pass'],
      ['protected', 'fail'],
    ]);
    const f = report.results[1].findings[0];
    expect(f).toMatchObject({ metric: 'global importance share', limit: 0.05, subject: 'grp', location: { file: path.join(dir, 'glassbox.json'), line } });
    expect(f.evidence[0]).toMatchObject({ file: path.join(dir, 'test.csv') });
  });

  it('severity warning reports without failing; off skips', async () => {
    const warn = writeFixture({ config: { checks: { severity: { protected: 'warning' } } } });
    await withModel(warn, linear([2, 1, 0, 0, 3, 0]));
    const r = await cli(['check', '--only', 'protected'], warn);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^WARN {2}protected/m);
    const off = writeFixture({ config: { checks: { severity: { protected: 'off' } } } });
    await withModel(off, linear([2, 1, 0, 0, 3, 0]));
    const o = await cli(['check', '--json'], off);
    expect(o.code).toBe(0);
    expect(o.json().results.find((x: { id: string }) => x.id === 'protected')).toMatchObject({ status: 'skip', severity: 'off' });
  });

  it('exits 2 on input errors, naming the place', async () => {
    const dir = writeFixture({ config: { checks: { severity: { protectd: 'error' } } } });
    await withModel(dir, linear([2, 1, 0, 0, 0, 0]));
    const r = await cli(['check'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/glassbox\.json:\d+:\d+: unknown check 'protectd' in checks\.severity \(did you mean 'protected'\?\) \(checks: [a-z-, ]+\)\n$/);
    const only = await cli(['check', '--only', 'monotone'], writeFixture());
    expect(only.code).toBe(2);
    const bad = writeFixture({ config: { checks: { severity: { protected: 'fatal' } } } });
    const v = await cli(['check'], bad);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/'checks\.severity\.protected' must be one of "error", "warning", "off"/);
    const m = writeFixture({ config: { checks: { methods: ['salency'] } } });
    await withModel(m, linear([2, 1, 0, 0, 0, 0]));
    const mr = await cli(['check', '--only', 'randomisation'], m);
    expect(mr.code).toBe(2);
    expect(mr.stderr).toMatch(/glassbox\.json:\d+:\d+: checks\.methods: unknown method 'salency' \(did you mean 'saliency'\?\)/);
  });
});
