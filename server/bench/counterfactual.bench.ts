/**
 * Counterfactuals on the reference Adult MLP over the first 200 test rows, 3 per row, `sex` and
 * `race` immutable: validity (re-encoded and re-evaluated through `predict`), features changed,
 * MAD-L1 distance, plausibility (mean distance to the 5 nearest training rows of the new class;
 * share flagged out of distribution by the OOD score; Glassbox returns in-distribution ones first)
 * and milliseconds per counterfactual set (wall, and CPU time: on a loaded machine the wall-time
 * tail is mostly waiting for a core),
 * for Glassbox's default search (gradient + model-agnostic), each search alone, and DiCE (dice-ml,
 * random sampling, its default model-agnostic method) in the same run when /work/main/.venv has
 * it (scripts/reference/dice_counterfactuals.py). DiCE's rows are scored by the same code.
 *
 *   npm run bench -- counterfactual        GLASSBOX_CF_ROWS=50 for a quicker run
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { initEngine } from '../src/core/engine/backend';
import { Project } from '../src/core/project';
import { assessRows, counterfactualsForRow, prepareCounterfactuals, type AssessedRow, type RawValue } from '../src/core/counterfactual';
import { scoreOod } from '../src/core/drift/ood';
import { printTable } from './util';

const ROOT = path.join(__dirname, '../..');
const ANCHORS = path.join(ROOT, 'server/test/anchors');
const ROWS = Number(process.env.GLASSBOX_CF_ROWS ?? 200);
const COUNT = 3;
const IMMUTABLE = ['sex', 'race'];

interface SideResult {
  name: string;
  rows: number;
  /** Rows with at least one valid counterfactual. */
  rowsValid: number;
  returned: number;
  valid: number;
  changed: number[];
  distance: number[];
  nearest: number[];
  ood: number;
  ms: number[];
  /** CPU time per set (user + system, all threads): wall time on a shared machine includes waiting for a core. */
  cpuMs: number[];
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
function pct(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function summarise(r: SideResult): Array<string | number> {
  return [
    r.name,
    `${((100 * r.rowsValid) / r.rows).toFixed(1)} %`,
    r.returned ? `${((100 * r.valid) / r.returned).toFixed(1)} %` : 'n/a',
    (r.returned / r.rows).toFixed(2),
    median(r.changed),
    median(r.distance).toFixed(2),
    median(r.nearest).toFixed(2),
    r.returned ? `${((100 * r.ood) / r.returned).toFixed(1)} %` : 'n/a',
    median(r.ms).toFixed(1),
    pct(r.ms, 0.95).toFixed(1),
    r.cpuMs.length ? `${median(r.cpuMs).toFixed(1)} / ${pct(r.cpuMs, 0.95).toFixed(1)}` : 'n/a',
  ];
}

function add(side: SideResult, assessed: Array<Pick<AssessedRow, 'valid' | 'sparsity' | 'distance' | 'plausibility'>>): void {
  side.returned += assessed.length;
  if (assessed.some((a) => a.valid)) side.rowsValid++;
  for (const a of assessed) {
    if (a.valid) side.valid++;
    side.changed.push(a.sparsity);
    side.distance.push(a.distance);
    side.nearest.push(a.plausibility.nearestTargetDistance);
    if (a.plausibility.outOfDistribution) side.ood++;
  }
}

function empty(name: string): SideResult {
  return { name, rows: 0, rowsValid: 0, returned: 0, valid: 0, changed: [], distance: [], nearest: [], ood: 0, ms: [], cpuMs: [] };
}

async function main(): Promise<void> {
  const engine = await initEngine();
  const project = Project.open(path.join(ANCHORS, 'glassbox.json'));
  const model = await project.model(project.latestCheckpoint());
  const { encoding } = await project.schema();
  const train = await project.dataset('train');
  const test = await project.dataset('test', { keepRaw: true });
  const width = encoding.width;
  const t0 = performance.now();
  const cf = prepareCounterfactuals(model, encoding, train);
  void cf.ood; // fitted on first use; part of the one-off preparation
  const prepareMs = performance.now() - t0;
  const n = Math.min(ROWS, test.n);
  const x = (i: number) => test.X.subarray(i * width, (i + 1) * width);
  // Reference for the OOD column: how many of the query rows themselves the OOD score flags.
  const own = scoreOod(cf.ood, model, encoding, test.X.subarray(0, n * width), n);
  const ownOod = own.pValue.filter((p) => p < 0.05).length / n;

  const sides: SideResult[] = [];
  for (const method of ['auto', 'gradient', 'search'] as const) {
    const side = empty(method === 'auto' ? 'Glassbox (gradient + search)' : method === 'gradient' ? 'Glassbox gradient only' : 'Glassbox model-agnostic search only');
    // Warm-up: the first call compiles kernels.
    counterfactualsForRow(cf, x(0), { count: COUNT, constraints: { immutable: IMMUTABLE }, method });
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      const c0 = process.cpuUsage();
      const r = counterfactualsForRow(cf, x(i), { count: COUNT, constraints: { immutable: IMMUTABLE }, method });
      side.ms.push(performance.now() - s);
      const cpu = process.cpuUsage(c0);
      side.cpuMs.push((cpu.user + cpu.system) / 1000);
      side.rows++;
      // Independent re-check of what was returned, by the same scorer DiCE's rows go through.
      add(side, assessRows(cf, x(i), r.counterfactuals.map((c) => c.values)));
    }
    sides.push(side);
  }

  const python = path.join(ROOT, '.venv', 'bin', 'python');
  const script = path.join(ROOT, 'scripts', 'reference', 'dice_counterfactuals.py');
  let diceNote = '';
  if (!fs.existsSync(python)) diceNote = `DiCE side skipped: no Python venv at ${python} (npm run setup:python, then pip install dice-ml)`;
  else {
    const run = spawnSync(python, [script, '--rows', String(n), '--total', String(COUNT), '--method', 'random', '--immutable', IMMUTABLE.join(',')], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, OMP_NUM_THREADS: String(Math.min(2, os.cpus().length)) },
    });
    if (run.status !== 0) {
      const why = /No module named 'dice_ml'/.test(run.stderr) ? 'dice-ml is not installed in .venv (pip install -r python/requirements-test.txt)' : run.stderr.trim().split('\n').pop();
      diceNote = `DiCE side skipped: ${why}`;
    } else {
      const out = JSON.parse(run.stdout) as { rows: Array<{ row: number; seconds: number; counterfactuals: Array<Record<string, RawValue>> }> };
      const side = empty('DiCE 0.12 random (dice-ml)');
      for (const r of out.rows) {
        side.rows++;
        side.ms.push(r.seconds * 1000);
        add(side, assessRows(cf, x(r.row), r.counterfactuals));
      }
      sides.push(side);
    }
  }

  printTable(
    `counterfactuals, Adult MLP (108 -> 64 -> 64 -> 2), first ${n} test rows, ${COUNT} per row, immutable ${IMMUTABLE.join(', ')}; backend ${engine.backend}, ${os.cpus().length} cores; preparation (feature space, OOD fit, training predictions) ${prepareMs.toFixed(0)} ms once`,
    ['method', 'rows with a valid CF', 'returned CFs valid', 'CFs per row', 'median features changed', 'median distance (MAD-L1)', 'median dist. to 5 nearest of new class', 'OOD (p < 0.05)', 'median ms per set', 'p95 ms', 'CPU ms median / p95'],
    sides.map(summarise),
  );
  console.log(`\nOOD reference: ${(100 * ownOod).toFixed(1)} % of the ${n} query rows themselves have p < 0.05 (5 % expected for rows like the training data).`);
  if (diceNote) console.log(`\n${diceNote}`);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
