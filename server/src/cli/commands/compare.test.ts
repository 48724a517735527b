import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../main';
import { initEngine } from '../../core/engine/backend';
import { linear, withModel, writeFixture } from '../../../test/checks-fixture';
import { tmpDir } from '../../../test/helpers';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

beforeAll(async () => {
  await initEngine();
});

/** A second run of the fixture project: same data files, its own checkpoints. */
async function secondRun(first: string, w: number[]): Promise<string> {
  const dir = tmpDir('run2');
  const cfg = JSON.parse(fs.readFileSync(path.join(first, 'glassbox.json'), 'utf8'));
  cfg.data = { train: path.join(first, 'train.csv'), test: path.join(first, 'test.csv'), allowOutsideProject: true };
  fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify(cfg));
  await withModel(dir, linear(w), 'epoch-1', 1);
  return dir;
}

describe('glassbox compare', () => {
  it('says no change for a checkpoint with itself, and compares two runs on the same data', async () => {
    const dir = writeFixture();
    await withModel(dir, linear([2, 1, 0, 0, 0, 0]), 'epoch-1', 1);
    await withModel(dir, linear([0.5, 2, 0, 0, 0, 0]), 'epoch-2', 2);
    const same = await cli(['compare', 'epoch-2', 'epoch-2', '--no-drift'], dir);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^compare epoch-2 \(A, glassbox\.json\) with epoch-2 \(B, glassbox\.json\): no change$/m);
    expect(same.stdout).toMatch(/^0 of 300 rows of test\.csv changed predicted class$/m);
    expect(same.stdout).toContain('check results unchanged');

    const within = (await cli(['compare', 'epoch-1', 'epoch-2', '--json', '--no-checks', '--no-drift'], dir)).json();
    // The second run's only checkpoint has epoch-2's weights: the same flips as within the first run.
    const run2 = await secondRun(dir, [0.5, 2, 0, 0, 0, 0]);
    const across = await cli(['compare', 'epoch-1', `${run2}@epoch-1`, '--json', '--no-checks', '--no-drift'], dir);
    expect(across.stderr).toBe('');
    const j = across.json();
    expect(j.flipped.rows).toBe(within.flipped.rows);
    expect(j.flipped.rows).toBeGreaterThan(0);
    expect(j.ranks).toEqual(within.ranks);
    expect(j.b.config).toBe(path.join(run2, 'glassbox.json'));
    // A folder holding a glassbox.json names that project's latest checkpoint.
    const folder = await cli(['compare', 'epoch-2', run2, '--json', '--no-checks', '--no-drift'], dir);
    expect(folder.json().changed).toBe(false);
  });

  it('refuses what cannot be compared with one line, exit 2', async () => {
    const dir = writeFixture();
    await withModel(dir, linear([2, 1, 0, 0, 0, 0]));
    const other = writeFixture();
    await withModel(other, linear([2, 1, 0, 0, 0, 0]));
    const otherData = await cli(['compare', 'epoch-1', other], dir);
    expect(otherData.code).toBe(2);
    expect(otherData.stderr).toBe(`glassbox compare: ${path.join(other, 'glassbox.json')}: cannot compare epoch-1 with epoch-1: they are evaluated on different data (${path.join(dir, 'test.csv')} vs ${path.join(other, 'test.csv')})\n`);
    const one = await cli(['compare', 'epoch-1'], dir);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/^glassbox compare: compare takes two checkpoints or projects, got 1;/);
    const unknown = await cli(['compare', 'epoch-1', 'epoch-9'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no checkpoint 'epoch-9' \(known: epoch-1\)/);
  });
});

describe('glassbox timeline', () => {
  it('prints one row per checkpoint; --json has the shares per checkpoint', async () => {
    const dir = writeFixture();
    await withModel(dir, linear([2, 1, 0, 0, 0, 0]), 'epoch-1', 1);
    await withModel(dir, linear([0.5, 2, 0, 0, 0, 0]), 'epoch-2', 2);
    const r = await cli(['timeline'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^timeline of 2 checkpoint\(s\); importance: mean \|kernel-shap\|$/m);
    expect(r.stdout).toMatch(/^epoch-1 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +(\d+|-) +(ok|FAILED) +([\d.]+|-)$/m);
    const j = (await cli(['timeline', '--json', '--no-checks'], dir)).json();
    expect(j.points.map((p: { checkpoint: { name: string } }) => p.checkpoint.name)).toEqual(['epoch-1', 'epoch-2']);
    expect(j.points[0].suspects).toEqual({ count: null, reason: 'checks not run' });
  });
});
