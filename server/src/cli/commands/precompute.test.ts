/**
 * `glassbox precompute` and `glassbox merge` on Parquet data (server/test/fixtures/parquet, written
 * by pyarrow; the XGBoost series of server/test/fixtures/projects/xgboost-adult scores it): rows
 * addressed by index, shards merged equal to one process, and every bad input one line naming the
 * file (and row group), exit 2, nothing merged.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { REPO, tmpDir } from '../../../test/helpers';

const FIXTURES = path.join(REPO, 'server/test/fixtures/parquet');
const XGB = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as { trainRows: number; testRows: number; corruptRowGroup: number; corruptRows: [number, number] };

/** A project whose data are `train` and `test` files of the fixtures folder. */
function project(train: string, test: string): string {
  const root = tmpDir('cli-parquet');
  fs.copyFileSync(path.join(FIXTURES, train), path.join(root, 'train.parquet'));
  fs.copyFileSync(path.join(FIXTURES, test), path.join(root, 'test.parquet'));
  fs.copyFileSync(path.join(XGB, 'encoding.json'), path.join(root, 'encoding.json'));
  fs.cpSync(path.join(XGB, 'checkpoints'), path.join(root, 'checkpoints'), { recursive: true });
  const config = { task: 'binary', data: { train: 'train.parquet', test: 'test.parquet' }, label: 'income', encoding: 'encoding.json', checkpoints: { path: 'checkpoints' } };
  fs.writeFileSync(path.join(root, 'glassbox.json'), JSON.stringify(config, null, 2));
  return root;
}

async function cli(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** A refusal: exit 2, one line on stderr, nothing on stdout. */
function refused(r: { code: number; stdout: string; stderr: string }): string {
  expect([r.code, r.stdout]).toEqual([2, '']);
  const text = r.stderr.trim();
  expect(text.split('\n')).toHaveLength(1);
  return text;
}

describe('glassbox precompute and merge on Parquet data', () => {
  let good: string;
  beforeAll(() => {
    good = project('train.parquet', 'test.parquet');
  });

  it('merges 3 shards (by row group) to the single-process result; suspects are row indices of the file', async () => {
    for (const s of ['1/1', '1/3', '2/3', '3/3']) {
      const r = await cli(good, ['precompute', '--data', 'test', '--shard', s, '--k', '20', '--sample', '50', '--out', s === '1/1' ? 'one' : 'three']);
      expect(r.code, r.stderr).toBe(0);
    }
    const one = await cli(good, ['merge', 'one', '--json']);
    const three = await cli(good, ['merge', 'three', '--json']);
    expect(one.code, one.stderr).toBe(0);
    const a = JSON.parse(one.stdout);
    const b = JSON.parse(three.stdout);
    expect(b.shards).toBe(3);
    expect({ ...b, shards: 1 }).toEqual(a);
    expect(a.rows).toBe(manifest.testRows);
    expect(a.data.addressing).toBe('row');
    // Every suspect's row is a 0-based index with the label that row has in the file.
    const labels = fs.readFileSync(path.join(REPO, 'test-workspace/data/adult_test.csv'), 'utf8').split('\n').slice(1, manifest.testRows + 1).map((l) => l.split(',').at(-1)!.trim());
    // The classes are the training labels' sorted values '0' and '1', so a class index reads as its label.
    expect(new Set(labels)).toEqual(new Set(['0', '1']));
    for (const s of a.suspects as Array<{ row: number; label: number }>) expect([s.row, String(s.label)]).toEqual([s.row, labels[s.row]]);
    const text = await cli(good, ['merge', 'three']);
    expect(text.stdout).toMatch(new RegExp(`highest-loss rows\\n  row ${a.suspects[0].row}: loss`));
  });

  it('refuses a Parquet file with a corrupt row group, naming the file and the group', async () => {
    const root = project('train-corrupt.parquet', 'test.parquet');
    const line = refused(await cli(root, ['precompute', '--data', 'train', '--out', 'out']));
    expect(line).toContain('train.parquet');
    expect(line).toContain(`corrupt Parquet row group ${manifest.corruptRowGroup} (rows ${manifest.corruptRows[0]}–${manifest.corruptRows[1]})`);
    expect(fs.existsSync(path.join(root, 'out', 'shard-1-of-1.json'))).toBe(false);
  });

  it('refuses data whose columns differ from the training schema, and nested columns, naming the column', async () => {
    const renamed = refused(await cli(project('train.parquet', 'test-renamed.parquet'), ['precompute', '--data', 'test', '--out', 'out']));
    expect(renamed).toMatch(/test\.parquet.*column 'age' used by the model is not in the header/);
    // A binary file has no lines: the error names the file alone, not a line 1 of its bytes.
    expect(renamed).not.toMatch(/test\.parquet:\d/);
    // Same names, another type: `age` written as text ('39') where the training file has integers.
    const retyped = refused(await cli(project('train.parquet', 'test-retyped.parquet'), ['precompute', '--data', 'test', '--out', 'out']));
    expect(retyped).toMatch(/test\.parquet: column 'age' holds text here but numbers in the training file train\.parquet: write it with the training file's type$/);
    const nested = refused(await cli(project('train.parquet', 'test-nested.parquet'), ['precompute', '--data', 'test', '--out', 'out']));
    expect(nested).toMatch(/test\.parquet.*column 'tags' is nested/);
  });

  it('merges nothing from a shard set that does not cover the data or mixes runs', async () => {
    for (const s of ['1/3', '3/3']) expect((await cli(good, ['precompute', '--data', 'test', '--shard', s, '--out', 'gap'])).code).toBe(0);
    expect(refused(await cli(good, ['merge', 'gap']))).toMatch(/the shards do not cover the data: missing 2\/3/);
    // Shard 2/3 of a run with other parameters completes the set by count, not by run.
    expect((await cli(good, ['precompute', '--data', 'test', '--shard', '2/3', '--k', '7', '--out', 'other'])).code).toBe(0);
    expect(refused(await cli(good, ['merge', 'gap', 'other']))).toMatch(/belongs to another run/);
  });
});
