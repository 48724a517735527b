// Runs the benchmarks: every server/bench/<name>.bench.ts is bundled with esbuild and run in turn;
// each prints its own tables, with its reference library run in the same process pair and
// alternated with Glassbox when Python has it (server/bench/reference.ts, scripts/reference/;
// `npm run setup:python` installs it). Speed is measured here, never in unit tests; CI does not run it.
//   GLASSBOX_BENCH_PAIRS=<n>   alternated pairs per workload (default 5)
//   npm run bench              all benchmarks
//   npm run bench -- drift     only those whose name contains "drift"
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benchDir = path.join(root, 'server', 'bench');
const names = fs.readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((n) => filter.length === 0 || filter.some((f) => n.includes(f)));
if (names.length === 0) {
  console.error(`no benchmark matches ${filter.join(', ')}`);
  process.exit(2);
}
const outDir = path.join(root, 'dist', 'bench');
await esbuild.build({
  entryPoints: names.map((n) => path.join(benchDir, `${n}.bench.ts`)),
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@tensorflow/*'],
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
let failed = 0;
for (const n of names) {
  console.log(`\n#### ${n} ${'#'.repeat(Math.max(0, 70 - n.length))}`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(outDir, `${n}.bench.js`)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
