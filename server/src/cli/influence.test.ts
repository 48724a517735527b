/**
 * `glassbox influence` and `glassbox suspects` end to end on the reference Adult MLP, with a project
 * in a temporary directory (so the precomputed store lands there) that declares protected attributes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './main';
import { ANCHORS, DATA, tmpDir } from '../../test/helpers';
import { protectedShares } from '../core/influence/fairness';

let dir: string;
beforeAll(() => {
  dir = tmpDir('influence-cli');
  const config = {
    data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: path.join(DATA, 'adult_test.csv') },
    label: 'income',
    encoding: path.join(ANCHORS, 'encoding.json'),
    checkpoints: { path: path.join(ANCHORS, 'adult-mlp/checkpoints') },
    model: { output: 'logits' },
    protected: ['sex', 'race'],
  };
  fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify(config));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('glassbox influence / suspects', () => {
  it('influence --row names training rows with lines, values, labels and all three scores', async () => {
    // One checkpoint keeps the precompute short; the anchor tests cover the series.
    const r = await cli(['influence', '--row', '0', '--top', '5', '--json', '--checkpoint', 'epoch-5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.method).toBe('relatif');
    expect(out.checkpoints).toHaveLength(1);
    expect(out.checkpoints[0].learningRate).toBe(0.001); // from the checkpoint metadata
    const row = out.rows[0];
    expect(row.line).toBe(2);
    expect(row.labelSource).toBe('given');
    expect(row.proponents).toHaveLength(5);
    const p = row.proponents[0];
    expect(p.line).toBe(p.index + 2);
    expect(typeof p.values.age).toBe('string');
    expect(p.score).toBe(p.scores.relatif);
    expect(row.proponents.map((x: { score: number }) => x.score)).toEqual([...row.proponents.map((x: { score: number }) => x.score)].sort((a, b) => b - a));
    expect(row.opponents[0].score).toBeLessThan(0);
    expect(row.nearestInput).toHaveLength(5);
    expect(row.nearestHidden).toHaveLength(5);
    expect(row.nearestOtherClass.label).not.toBe(row.label);
    expect(row.nearestOtherClass.distance).toBeGreaterThanOrEqual(row.nearestInput[0].distance);
    expect(row.fairness.map((f: { attribute: string }) => f.attribute)).toEqual(['sex', 'race']);
    expect(out.checkpoints.every((c: { reused: boolean }) => !c.reused)).toBe(true);
    // Second run: the store is reused, and --method tracin ranks by the raw score.
    const again = await cli(['influence', '--line', '2', '--top', '3', '--method', 'tracin', '--json', '--checkpoint', 'epoch-5', '--learning-rate', '1']);
    const a = again.json();
    expect(a.checkpoints.every((c: { reused: boolean }) => c.reused)).toBe(true);
    expect(a.rows[0].proponents[0].score).toBe(a.rows[0].proponents[0].scores.tracin);
  }, 120_000);

  it('suspects lists rows with a reason', async () => {
    const r = await cli(['suspects', '--top', '5', '--json', '--checkpoint', 'epoch-5']);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.rows).toHaveLength(5);
    expect(out.rows[0].reason).toMatch(/^label \S+ but the model gives it p=.*; self-influence rank [\d,]+ of 32,561$/);
    expect(out.rows[0].pLabel).toBeLessThan(0.5);
  }, 120_000);

  it('rejects an unknown method in one line', async () => {
    const r = await cli(['influence', '--method', 'magic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--method must be one of tracin, tracin-cos, relatif/);
  });
});

describe('protectedShares', () => {
  it('compares the top-k share of the query value with its share in the training set', () => {
    const header = ['sex', 'age'];
    const raw = [['F', '1'], ['M', '2'], ['F', '3'], ['M', '4']];
    const s = protectedShares(['sex', 'missing'], header, raw, { sex: 'F' }, [0, 2, 1]);
    expect(s).toEqual([{ attribute: 'sex', value: 'F', topShare: 2 / 3, baseShare: 0.5, k: 3 }]);
  });
});
