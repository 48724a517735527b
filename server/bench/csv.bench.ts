/**
 * CSV reading throughput: Glassbox's `openCsv` (records with source lines, field-count checks)
 * against csv-parse consumed directly, on a generated file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse';
import { openCsv } from '../src/core/data/csv';
import { createRng } from '../src/core/util/random';
import { time, printTable } from './util';

async function main(): Promise<void> {
  const rows = 300_000;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-csv-')), 'data.csv');
  const rng = createRng(1);
  const lines = ['a,b,c,d,e,f,g,h,i'];
  for (let i = 0; i < rows; i++) lines.push(Array.from({ length: 9 }, (_, j) => (j % 2 ? String(rng.int(1000)) : 'xyz'[rng.int(3)])).join(','));
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const ours = await time(async () => {
    const { records } = await openCsv(file);
    let n = 0;
    for await (const r of records) n += r.line > 0 ? 1 : 0;
    if (n !== rows) throw new Error(`read ${n} rows`);
  }, 3);
  const plain = await time(async () => {
    let n = 0;
    for await (const r of fs.createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true }))) n += (r as string[]).length > 0 ? 1 : 0;
    if (n !== rows + 1) throw new Error(`read ${n} rows`);
  }, 3);
  printTable(`CSV read, ${rows} rows x 9 columns`, ['reader', 'median ms', 'rows/s', 'vs csv-parse'], [
    ['openCsv (lines, checks)', ours.medianMs, Math.round((rows / ours.medianMs) * 1000), ours.medianMs / plain.medianMs],
    ['csv-parse, async iterator', plain.medianMs, Math.round((rows / plain.medianMs) * 1000), 1],
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
