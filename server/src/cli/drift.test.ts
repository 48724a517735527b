import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './main';
import { ANCHORS, DATA, tmpDir } from '../../test/helpers';

async function cli(args: string[], cwd = ANCHORS) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/**
 * A reference made from 3,000 Adult test rows with a timestamp column, hours_per_week shifted by
 * +15 from row 1,000 on (so drift rises in the later chunks), and an unseen workclass.
 */
function writeProject(dir: string, drift: Record<string, unknown>): string {
  const lines = fs.readFileSync(path.join(DATA, 'adult_test.csv'), 'utf8').split('\n').filter(Boolean);
  const header = lines[0]!.split(',');
  const hours = header.indexOf('hours_per_week');
  const work = header.indexOf('workclass');
  const out = [[...header, 'timestamp'].join(',')];
  for (let i = 1; i <= 3000; i++) {
    const v = lines[i]!.split(',');
    if (i > 1000) v[hours] = String(Number(v[hours]) + 15);
    if (i % 100 === 0) v[work] = 'Space-Force';
    out.push([...v, `2026-01-${String(1 + Math.floor((i - 1) / 100)).padStart(2, '0')}`].join(','));
  }
  fs.writeFileSync(path.join(dir, 'prod.csv'), out.join('\n') + '\n');
  const config = {
    data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: path.join(DATA, 'adult_test.csv'), reference: 'prod.csv' },
    label: 'income',
    encoding: path.join(ANCHORS, 'encoding.json'),
    checkpoints: { path: path.join(ANCHORS, 'adult-mlp/checkpoints') },
    model: { output: 'logits' },
    drift,
  };
  const file = path.join(dir, 'glassbox.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

describe('glassbox drift and ood', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('drift');
  });

  it('drift --json on the anchors config: per-feature table matching the scipy anchors, quadrant, prediction drift', async () => {
    const r = await cli(['drift', '--json', '--importance-rows', '500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.rows).toEqual({ train: 32561, reference: 16281 });
    expect(out.features).toHaveLength(14);
    const age = out.features.find((f: { feature: string }) => f.feature === 'age');
    expect(age.drift).toBeCloseTo(0.001006254, 8);
    expect(age.stats.ks.statistic).toBeCloseTo(0.00819421, 7);
    expect(age.impact.reference).toBeCloseTo(age.importance.reference * age.drift, 12);
    expect(age.quadrant).toMatch(/^low-drift\//);
    const shares = out.features.reduce((s: number, f: { importance: { train: number } }) => s + f.importance.train, 0);
    expect(shares).toBeCloseTo(1, 10);
    // Test accuracy at epoch 5 is 0.85732 (training.json).
    expect(out.prediction.performance.reference.accuracy).toBeCloseTo(0.85732, 4);
    expect(out.prediction.scores[0].psi).toBeLessThan(0.01);
    expect(out.attributionDrift.spearman).toBeGreaterThan(0.9);
  });

  it('drift on a reference with a planted shift, an unseen category and a timestamp', async () => {
    const file = writeProject(dir, { timestamp: 'timestamp', chunkSize: 500, thresholds: { drift: 0.2 } });
    const r = await cli(['drift', '--json', '--config', file, '--importance-rows', '500'], dir);
    expect(r.stderr).toBe('');
    const out = r.json();
    const hours = out.features.find((f: { feature: string }) => f.feature === 'hours_per_week');
    expect(hours.rank).toBe(1);
    expect(hours.drift).toBeGreaterThan(0.2);
    expect(hours.quadrant).toMatch(/^high-drift\//);
    expect(out.thresholds.drift).toBe(0.2);
    const work = out.features.find((f: { feature: string }) => f.feature === 'workclass');
    expect(work.stats.unseen).toEqual({ rows: 30, categories: [{ category: 'Space-Force', count: 30 }] });
    expect(out.chunks.items).toHaveLength(6);
    expect(out.chunks.items[0].from).toBe('2026-01-01');
    expect(out.chunks.ordered).toBe(true);
    expect(out.chunks.items[0].weightedDrift).toBeLessThan(out.chunks.items[5].weightedDrift);
    expect(out.chunks.correlation.metric).toBe('accuracy');
    const text = await cli(['drift', '--config', file, '--importance-rows', '200'], dir);
    expect(text.stdout).toMatch(/unseen in workclass: Space-Force \(30\)/);
  });

  it('names the config line when the timestamp column is missing, and rejects bad options', async () => {
    const file = writeProject(dir, { timestamp: 'when' });
    const r = await cli(['drift', '--config', file], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/glassbox\.json:\d+:\d+: drift\.timestamp: .*'when'/);
    // A reference file that does not exist is reported at its data.reference line.
    fs.rmSync(path.join(dir, 'prod.csv'));
    const missing = await cli(['drift', '--config', file], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/glassbox\.json:\d+(:\d+)?: .*prod\.csv/);
    const bad = await cli(['drift', '--metric', 'kl']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--metric must be one of psi, js, ks, wasserstein/);
    const method = await cli(['drift', '--importance-method', 'shapely']);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/unknown method 'shapely'.*\(methods: saliency/);
  });

  it('ood --top K --json ranks test rows with their reasons', async () => {
    const r = await cli(['ood', '--json', '--top', '3', '--data', 'test']);
    expect(r.stderr).toBe('');
    const out = r.json();
    expect(out.rows).toBe(16281);
    expect(out.spaces).toEqual(['encoded', 'hidden']);
    expect(out.top).toHaveLength(3);
    const [first, second] = out.top;
    expect(first.pValue).toBeLessThanOrEqual(second.pValue);
    expect(first.features).toHaveLength(3);
    expect(first.features[0].value).toBeDefined();
    expect(first.line).toBe(first.row + 2);
    // About 1 % of test rows (distributed like training) fall below p = 0.01.
    expect(out.flagged.p01 / out.rows).toBeLessThan(0.03);
  });
});
