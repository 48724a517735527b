import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main';
import { DATA, REPO, tmpDir } from '../../../test/helpers';
import { BottomKSample, byScoreThenOrdinal, mergeTopK, rowHash, TopK, type Ranked } from './sketch';
import { histogramPsi } from './merge';
import { parseShard } from './precompute';
import { tf } from '../engine/tf';

const XGB = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
const SOURCES = path.join(REPO, 'server/test/fixtures/data-sources');

/** A project on the committed XGBoost Adult checkpoints, with `reference` data of our choosing. */
function project(reference: string, train = path.join(DATA, 'adult_train.csv')): string {
  const dir = tmpDir('shard');
  fs.writeFileSync(
    path.join(dir, 'glassbox.json'),
    JSON.stringify({
      task: 'binary',
      data: { train, test: path.join(DATA, 'adult_test.csv'), reference, allowOutsideProject: true },
      label: 'income',
      classNames: ['<=50K', '>50K'],
      encoding: path.join(XGB, 'encoding.json'),
      checkpoints: { path: path.join(XGB, 'checkpoints') },
    }),
  );
  return dir;
}

async function cli(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

async function shards(cwd: string, n: number, out: string, extra: string[] = []) {
  for (let i = 1; i <= n; i++) {
    const r = await cli(cwd, ['precompute', '--shard', `${i}/${n}`, '--out', out, '--data', 'reference', '--k', '25', '--sample', '300', '--backend', 'cpu', ...extra]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
}

async function merged(cwd: string, dirs: string[]) {
  const r = await cli(cwd, ['merge', '--json', ...dirs]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('sketches', () => {
  it('top-k of any partition, merged, is the top-k of the whole (brute force)', () => {
    const items: Ranked[] = Array.from({ length: 5000 }, (_, i) => ({ ordinal: i, row: i + 2, score: Math.floor(rowHash(7, i) / 2 ** 24), data: null }));
    const whole = [...items].sort(byScoreThenOrdinal).slice(0, 37);
    for (const n of [1, 2, 3, 8]) {
      const parts = Array.from({ length: n }, (_, s) => {
        const t = new TopK(37, byScoreThenOrdinal);
        items.filter((it) => it.ordinal % n === s).forEach((it) => t.offer(it));
        return t.result();
      });
      expect(mergeTopK(parts, 37, byScoreThenOrdinal).map((r) => r.ordinal)).toEqual(whole.map((r) => r.ordinal));
    }
  });

  it('a bottom-k hash sample is uniform: each row kept with probability k/N', () => {
    const N = 2000;
    const k = 200;
    const hits = new Float64Array(10);
    for (let seed = 0; seed < 200; seed++) {
      const s = new BottomKSample<number>(k, seed);
      for (let i = 0; i < N; i++) s.offer(i, i, () => i);
      const kept = s.result();
      expect(kept.length).toBe(k);
      expect(kept.every((r) => r.data === r.ordinal)).toBe(true);
      for (const r of kept) hits[Math.floor(r.ordinal / (N / 10))]!++;
    }
    // Each tenth of the rows holds k/10 sampled rows on average: 200 seeds x 20 = 4000 per tenth, sd ~ 60.
    for (const h of hits) expect(Math.abs(h - 4000)).toBeLessThan(300);
  });

  it('PSI of a histogram equals the closed form', () => {
    const h = { name: 'x', type: 'numeric' as const, edges: [0], train: [50, 50], trainMissing: 0, counts: [25, 75], missing: 0 };
    expect(histogramPsi(h)).toBeCloseTo((0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.75 - 0.5) * Math.log(0.75 / 0.5), 12);
  });

  it('parses shard specs', () => {
    expect(parseShard('2/8')).toEqual({ index: 1, count: 8 });
    expect(() => parseShard('0/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('4/3')).toThrow(/1 <= i <= n/);
    expect(() => parseShard('a')).toThrow(/i\/n/);
  });
});

describe('glassbox precompute + merge', () => {
  it('CSV: 3 shards merged equal 1 shard, and the counts equal a direct count of the file', async () => {
    const cwd = project(path.join(DATA, 'adult_test.csv'));
    await shards(cwd, 1, 'one');
    await shards(cwd, 3, 'three');
    const a = await merged(cwd, ['one']);
    const b = await merged(cwd, ['three']);
    expect(a.shards).toBe(1);
    expect(b.shards).toBe(3);
    expect({ ...b, shards: 1 }).toEqual(a);
    // Brute force: the file's rows, and its sex column, counted directly.
    const lines = fs.readFileSync(path.join(DATA, 'adult_test.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    expect(a.rows).toBe(lines.length - 1);
    const sex = a.histograms.find((h: { name: string }) => h.name === 'sex');
    const direct: Record<string, number> = {};
    for (const l of lines.slice(1)) {
      const v = l.split(',')[header.indexOf('sex')]!;
      direct[v] = (direct[v] ?? 0) + 1;
    }
    expect(sex.counts).toEqual(direct);
    expect(a.predicted.reduce((x: number, y: number) => x + y, 0)).toBe(a.rows);
    expect(a.suspects).toHaveLength(25);
    expect(a.importance.n).toBe(300);
    expect(a.importance.shares.reduce((x: number, y: number) => x + y, 0)).toBeCloseTo(1, 12);
    // Suspects point at their CSV line: its label is the one recorded.
    for (const s of a.suspects.slice(0, 5)) expect(Number(lines[s.row - 1]!.split(',').at(-1))).toBe(s.label);
  }, 120_000);

  it('Parquet: shards by row group, merged equal 1 shard; rows addressed by index', async () => {
    const cwd = project(path.join(SOURCES, 'adult.parquet'));
    await shards(cwd, 1, 'one');
    const tensors = tf.memory().numTensors;
    await shards(cwd, 2, 'two');
    expect(tf.memory().numTensors).toBe(tensors);
    const a = await merged(cwd, ['one']);
    const b = await merged(cwd, ['two']);
    expect({ ...b, shards: 1 }).toEqual(a);
    expect(a.rows).toBe(300);
    expect(a.data.addressing).toBe('row');
    expect(a.data.unit).toBe('row-group');
    const one = JSON.parse(fs.readFileSync(path.join(cwd, 'two', 'shard-1-of-2.json'), 'utf8'));
    expect(one.rows).toBe(128 + 44); // row groups 0 and 2
    expect(Math.max(...a.suspects.map((s: { row: number }) => s.row))).toBeLessThan(300);
  }, 120_000);

  it('shards reading a prepared training side merge to the same result; a stale one is refused', async () => {
    const cwd = project(path.join(DATA, 'adult_test.csv'));
    await shards(cwd, 1, 'one');
    const prep = await cli(cwd, ['precompute', '--prepare', '--out', 'prepared', '--k', '25', '--sample', '300', '--backend', 'cpu']);
    expect(prep.stderr).toBe('');
    await shards(cwd, 2, 'prepared');
    expect({ ...(await merged(cwd, ['prepared'])), shards: 1 }).toEqual(await merged(cwd, ['one']));
    const other = await cli(cwd, ['precompute', '--prepare', '--out', 'binned', '--bins', '5', '--backend', 'cpu']);
    expect(other.code).toBe(0);
    const stale = await cli(cwd, ['precompute', '--shard', '1/2', '--out', 'binned', '--data', 'reference', '--backend', 'cpu']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/training\.json: the prepared training side is of another glassbox.json, training file or parameters/);
  }, 120_000);

  it('refuses a set that does not cover the data, twins, and shards of another run', async () => {
    const cwd = project(path.join(SOURCES, 'adult.parquet'));
    await shards(cwd, 3, 'three');
    fs.rmSync(path.join(cwd, 'three', 'shard-2-of-3.json'));
    const missing = await cli(cwd, ['merge', 'three']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the shards do not cover the data: missing 2\/3/);
    await shards(cwd, 3, 'seeded', ['--seed', '5']);
    const mixed = await cli(cwd, ['merge', 'three', path.join(cwd, 'seeded', 'shard-2-of-3.json')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/shard-2-of-3\.json: this shard belongs to another run .*parameters/);
    const twice = await cli(cwd, ['merge', 'three', path.join(cwd, 'three', 'shard-1-of-3.json')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/shard 1\/3 given twice/);
    fs.writeFileSync(path.join(cwd, 'junk.json'), '{"format":"x"}');
    const junk = await cli(cwd, ['merge', 'junk.json']);
    expect(junk.stderr).toMatch(/junk\.json: not a precompute shard/);
  }, 120_000);
});
