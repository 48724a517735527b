/**
 * Data at scale, one process, with peak RSS after each pass, over ROWS x 50 features in Parquet:
 * - read only (baseline): decoding the scored file, no encoding, no model; bounds the rest;
 * - chunks: the same file encoded through `readChunks` (core/data/chunks.ts), the streamed pass
 *   every per-row analysis reads instead of a whole in-memory data set;
 * - precompute: drift histograms + predictions + top-loss suspects + importance sample
 *   (core/shard/precompute.ts; with the schema fit and training reservoir, each a pass over the
 *   training file);
 * - OOD: the Mahalanobis detector fitted in one streamed pass over the first OOD_TRAIN training
 *   rows, and every scored row scored in chunks keeping the 100 most unusual (core/drift/ood.ts).
 * The data, a logistic model and glassbox.json are generated once under .cache/scale/<rows>/ by
 * scale-data.py (.venv's pyarrow and scikit-learn); the training file has as many rows as the
 * scored one.
 *
 *   GLASSBOX_SCALE_ROWS=10000000 npm run bench -- scale      (default 1,000,000)
 *
 * Peak RSS is the process's maxRSS so far (util.ts), so run this benchmark alone; the goal is
 * under 2 GB (2048 MiB) at 10M rows.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine } from '../src/core/engine/backend';
import { openSource } from '../src/core/data/source';
import { readChunks } from '../src/core/data/chunks';
import { fitOodStream, scoreOodStream } from '../src/core/drift/ood';
import { Project } from '../src/core/project';
import { precomputeShard } from '../src/core/shard/precompute';
import { peakRssMiB, printTable } from './util';

const ROOT = path.resolve(__dirname, '..', '..');
/** Training rows the OOD detector is fitted on (a covariance of 90 encoded columns is settled long before). */
const OOD_TRAIN = 1_000_000;

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
  const scored = path.join(dir, 'reference.parquet');
  const table: Array<Array<string | number>> = [];
  const pass = async (name: string, n: number, work: () => Promise<void>) => {
    const t0 = performance.now();
    await work();
    const ms = performance.now() - t0;
    table.push([name, (ms / 1000).toFixed(1), Math.round((n / ms) * 1000), Math.round(peakRssMiB())]);
    console.log(`${name}: ${(ms / 1000).toFixed(1)} s, peak RSS ${Math.round(peakRssMiB())} MiB`);
  };

  let read = 0;
  await pass('read only (baseline: decode, no model)', rows, async () => {
    const src = await openSource(scored, { typed: true });
    for await (const r of src.records) read += r.values.length > 0 ? 1 : 0;
  });

  const project = Project.open(path.join(dir, 'glassbox.json'));
  const checkpoint = project.latestCheckpoint();
  let result: Awaited<ReturnType<typeof precomputeShard>> | undefined;
  await pass('precompute: schema fit + training reservoir (training file) + drift, predictions, suspects, importance sample', rows, async () => {
    result = await precomputeShard(project, { role: 'reference', shard: { index: 0, count: 1 }, checkpoint });
  });
  const { encoding } = await project.schema();

  let encoded = 0;
  let checksum = 0;
  await pass('chunks: encode every row (readChunks, 4,096 rows a chunk)', rows, async () => {
    const reader = await readChunks(scored, encoding);
    for await (const c of reader.chunks) {
      encoded += c.n;
      checksum += c.X[0]!;
    }
  });

  const model = await project.model(checkpoint);
  let ood: Awaited<ReturnType<typeof scoreOodStream>> | undefined;
  await pass(`OOD: fit on ${Math.min(OOD_TRAIN, rows).toLocaleString('en')} training rows (one pass) + score every row, top 100 kept`, rows, async () => {
    const det = await fitOodStream(model, encoding, (await readChunks(project.dataPath('train')!, encoding, { limit: Math.min(OOD_TRAIN, rows), labels: false })).chunks);
    ood = await scoreOodStream(det, model, encoding, (await readChunks(scored, encoding, { labels: false })).chunks);
  });

  if (result!.rows !== rows || read !== rows || encoded !== rows || ood!.n !== rows) throw new Error(`read ${read} / precomputed ${result!.rows} / encoded ${encoded} / OOD ${ood!.n} of ${rows} rows`);
  const shifted = result!.drift.filter((h) => h.name === 'x0' || h.name === 'x1').length;
  printTable(`${rows.toLocaleString('en')} rows x 50 features (Parquet, ${Math.round(fs.statSync(scored).size / 2 ** 20)} MiB), one process; peak RSS is the maximum so far`, ['pass', 'seconds', 'rows/s', 'peak RSS MiB'], table);
  console.log(`suspects ${result!.suspects.length}, importance sample ${result!.sample.length}, drifted features present ${shifted}/2, OOD rows p <= 0.01: ${ood!.atMost01}, encoded checksum ${checksum.toFixed(3)}`);
  console.log(`peak RSS ${Math.round(peakRssMiB())} MiB: ${peakRssMiB() < 2048 ? 'under' : 'OVER'} the 2 GB goal`);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
