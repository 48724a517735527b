/**
 * Data at scale: the per-row precompute (drift histograms + importance sample + top-loss suspects)
 * over ROWS x 50 features in Parquet, one process, with peak RSS. The data, a logistic model and
 * glassbox.json are generated once under .cache/scale/<rows>/ by scale-data.py (.venv's pyarrow
 * and scikit-learn); the training file has as many rows as the scored one, so a run reads 3 x ROWS
 * rows (schema fit, training reservoir, scored file). Baseline in the same run: reading the scored file alone (no model, no summaries), which
 * bounds what the precompute can reach.
 *
 *   GLASSBOX_SCALE_ROWS=10000000 npm run bench -- scale      (default 1,000,000)
 *
 * Peak RSS is the process's maxRSS after the run (util.ts), so run this benchmark alone.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine } from '../src/core/engine/backend';
import { openSource } from '../src/core/data/source';
import { Project } from '../src/core/project';
import { precomputeShard } from '../src/core/shard/precompute';
import { peakRssMiB, printTable } from './util';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const rows = Number(process.env.GLASSBOX_SCALE_ROWS ?? 1_000_000);
  const dir = path.join(ROOT, '.cache', 'scale', String(rows));
  if (!fs.existsSync(path.join(dir, 'glassbox.json'))) {
    const python = path.join(ROOT, '.venv', 'bin', 'python');
    console.log(`generating ${rows} rows x 50 features in ${dir} ...`);
    const r = spawnSync(python, [path.join(ROOT, 'server', 'bench', 'scale-data.py'), dir, String(rows)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('scale-data.py failed (needs .venv with pyarrow and scikit-learn: python/requirements-test.txt)');
  }
  await initEngine({ prefer: 'cpu' as never });

  let t0 = performance.now();
  const src = await openSource(path.join(dir, 'reference.parquet'), { typed: true });
  let n = 0;
  for await (const r of src.records) n += r.values.length > 0 ? 1 : 0;
  const readMs = performance.now() - t0;
  const readRss = peakRssMiB();

  const project = Project.open(path.join(dir, 'glassbox.json'));
  const checkpoint = project.latestCheckpoint();
  t0 = performance.now();
  const result = await precomputeShard(project, { role: 'reference', shard: { index: 0, count: 1 }, checkpoint });
  const ms = performance.now() - t0;
  const rss = peakRssMiB();
  if (result.rows !== rows || n !== rows) throw new Error(`read ${n} / precomputed ${result.rows} of ${rows} rows`);
  const shifted = result.drift.filter((h) => h.name === 'x0' || h.name === 'x1').length;
  printTable(`Per-row precompute, ${rows.toLocaleString('en')} rows x 50 features (Parquet, ${Math.round(fs.statSync(path.join(dir, 'reference.parquet')).size / 2 ** 20)} MiB), one process`, ['pass', 'seconds', 'rows/s', 'peak RSS MiB'], [
    ['read only (baseline)', (readMs / 1000).toFixed(1), Math.round((rows / readMs) * 1000), Math.round(readRss)],
    ['precompute (train reservoir + drift + suspects + importance sample)', (ms / 1000).toFixed(1), Math.round((rows / ms) * 1000), Math.round(rss)],
  ]);
  console.log(`suspects ${result.suspects.length}, importance sample ${result.sample.length}, drifted features present ${shifted}/2`);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
