/**
 * 1. The bug zoo (scripts/zoo/make_zoo.py writes it to .cache/zoo): per check, the detection rate
 *    on projects with its own kind of planted bug and the false-alarm rate on healthy projects,
 *    with counts; the mislabel scores against cleanlab side by side. Without a zoo, how to make it.
 *    GLASSBOX_ZOO=<dir> reads another zoo; GLASSBOX_ZOO_ONLY=1 skips the timings below.
 * 2. Time of each model check on the reference Adult MLP (5 checkpoints, 32,561 training rows), each
 * with a fresh context (so checks reading importance shares pay for them), and ICE curves batched
 * (rows x grid points in one pass) against one forward pass per row as the baseline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/core/config/config';
import { initEngine } from '../src/core/engine/backend';
import { Project } from '../src/core/project';
import { takeRows } from '../src/core/data/dataset';
import { predict } from '../src/core/model/model';
import { CHECKS, runChecks } from '../src/core/checks/registry';
import { checkOptions, createCheckContext } from '../src/core/checks/context';
import { iceCurves } from '../src/core/checks/monotonic';
import { time, printTable, peakRssMiB } from './util';
import { BOOTSTRAP, randomisationSamples, runZooProject, zooProjects, type RandomisationSample, type ZooOutcome } from './checks.bench.zoo';
import { WEIGHT_INDEPENDENT_SIMILARITY } from '../src/core/checks/randomisation';
import { DEFAULT_MISLABEL_RANKING } from '../src/core/influence/dynamics';

async function zoo(): Promise<void> {
  const dir = process.env.GLASSBOX_ZOO ?? path.join(__dirname, '../../.cache/zoo');
  const folders = zooProjects(dir);
  if (folders.length === 0) {
    console.log(`\nno bug zoo in ${dir}: make it with\n  .venv/bin/python scripts/zoo/make_zoo.py   (a few minutes; --only KIND for part of it)`);
    return;
  }
  const outcomes: ZooOutcome[] = [];
  for (const [i, folder] of folders.entries()) {
    const o = await runZooProject(folder);
    outcomes.push(o);
    const fired = Object.entries(o.status).filter(([, s]) => s === 'fail' || s === 'error').map(([id]) => id);
    console.log(`[${i + 1}/${folders.length}] ${o.truth.id}: ${fired.length ? `fired ${fired.join(', ')}` : 'quiet'} (${(o.ms / 1000).toFixed(1)} s)`);
    if (o.status.error) console.log(`    error: ${o.notes.error}`);
  }
  const detectors = [...new Set(outcomes.flatMap((o) => Object.keys(o.status)).filter((k) => k !== 'error'))];
  const healthy = outcomes.filter((o) => o.truth.kind === 'healthy');
  const rows = detectors.map((id) => {
    const own = outcomes.filter((o) => o.truth.detector === id);
    const ran = (os: ZooOutcome[]) => os.filter((o) => o.status[id] === 'pass' || o.status[id] === 'fail');
    const hit = ran(own).filter((o) => o.status[id] === 'fail').length;
    const alarms = ran(healthy).filter((o) => o.status[id] === 'fail');
    const other = ran(outcomes.filter((o) => o.truth.kind === 'bug' && o.truth.detector !== id)).filter((o) => o.status[id] === 'fail').length;
    return [
      id,
      own.length ? `${hit}/${ran(own).length}` : '-',
      own.length && ran(own).length ? pctText(hit / ran(own).length) : '-',
      `${alarms.length}/${ran(healthy).length}`,
      ran(healthy).length ? pctText(alarms.length / ran(healthy).length) : '-',
      other,
      alarms.map((o) => o.truth.id).slice(0, 3).join(' ') || '',
    ];
  });
  printTable(`bug zoo: ${outcomes.length} projects (${healthy.length} healthy) from ${dir}`, ['check', 'detected', 'rate', 'false alarms', 'rate', 'fired on other bugs', 'false alarms on'], rows);
  const missed = outcomes.filter((o) => o.truth.detector && o.status[o.truth.detector] === 'pass');
  if (missed.length) console.log(`\nmissed: ${missed.map((o) => `${o.truth.id} (${o.notes[o.truth.detector!]})`).join('\n        ')}`);
  const byBug = new Map<string, ZooOutcome[]>();
  for (const o of outcomes) if (o.truth.bug) byBug.set(o.truth.bug, [...(byBug.get(o.truth.bug) ?? []), o]);
  printTable('detection per planted bug', ['bug', 'detector', 'detected'], [...byBug].map(([bug, os]) => [bug, os[0]!.truth.detector ?? '', `${os.filter((o) => o.status[o.truth.detector!] === 'fail').length}/${os.length}`]));
  const noisy = outcomes.filter((o) => o.mislabel);
  if (noisy.length) {
    const names = [...new Set(noisy.flatMap((o) => Object.keys(o.mislabel!.scores)))];
    printTable(
      'mislabelled rows: precision at k = flips / AUROC (k = flipped rows); noise rate estimated vs planted',
      ['project', 'flips', 'noise est.', ...names],
      noisy.map((o) => [
        o.truth.id,
        `${o.mislabel!.flips}/${o.mislabel!.n}`,
        o.mislabel!.noiseRate === undefined ? '-' : pctText(o.mislabel!.noiseRate),
        ...names.map((s) => {
          const v = o.mislabel!.scores[s];
          return v ? `${v.precisionAtK.toFixed(3)} / ${v.auroc.toFixed(3)}` : '-';
        }),
      ]),
    );
  }
  if (noisy.length) {
    const names = [...new Set(noisy.flatMap((o) => Object.keys(o.mislabel!.scores)))];
    printTable(
      'false-negative rate when reading the top (estimated noise rate x n) rows: flips left unread / flips',
      ['project', 'planted', 'noise est.', ...names],
      noisy.filter((o) => o.mislabel!.flips).map((o) => [
        o.truth.id,
        pctText(o.mislabel!.flips / o.mislabel!.n),
        o.mislabel!.noiseRate === undefined ? '-' : pctText(o.mislabel!.noiseRate),
        ...names.map((s) => {
          const v = o.mislabel!.scores[s]?.fnrAtBudget;
          return v === undefined ? '-' : v.toFixed(3);
        }),
      ]),
    );
    const paired = noisy.filter((o) => o.mislabel!.aumVsCleanlab);
    const ci = (q: [number, number, number]) => `${q[1] >= 0 ? '+' : ''}${q[1].toFixed(3)} [${q[0].toFixed(3)}, ${q[2].toFixed(3)}]`;
    const verdict = (q: [number, number, number]) => (q[0] > 0 ? 'Glassbox better' : q[2] < 0 ? 'cleanlab better' : 'no difference');
    printTable(
      `${DEFAULT_MISLABEL_RANKING} (the default ranking) minus cleanlab (out-of-fold), paired bootstrap over rows (${BOOTSTRAP} draws): median [95% interval]`,
      ['project', 'AUROC difference', '', 'P@k difference', ''],
      paired.map((o) => {
        const v = o.mislabel!.aumVsCleanlab!;
        return [o.truth.id, ci(v.auroc), verdict(v.auroc), ci(v.precisionAtK), verdict(v.precisionAtK)];
      }),
    );
    const count = (key: 'auroc' | 'precisionAtK', what: string) => paired.filter((o) => verdict(o.mislabel!.aumVsCleanlab![key]) === what).length;
    console.log(`
AUROC: Glassbox better on ${count('auroc', 'Glassbox better')}, cleanlab better on ${count('auroc', 'cleanlab better')}, no difference on ${count('auroc', 'no difference')} of ${paired.length}; P@k: ${count('precisionAtK', 'Glassbox better')} / ${count('precisionAtK', 'cleanlab better')} / ${count('precisionAtK', 'no difference')}`);
  }
  await randomisationTable(folders.filter((f) => outcomes.find((o) => f.endsWith(o.truth.id))?.truth.kind === 'healthy'));
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(outcomes, null, 1));
}

/** The randomisation similarities the check's 0.8 limit is chosen from (checks/randomisation.ts). */
async function randomisationTable(healthy: string[]): Promise<void> {
  const samples: RandomisationSample[] = [];
  for (const f of healthy) samples.push(...(await randomisationSamples(f)));
  if (!samples.length) return;
  const groups = new Map<string, RandomisationSample[]>();
  for (const s of samples) {
    groups.set(s.method, [...(groups.get(s.method) ?? []), s]);
  }
  const q = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return `${s[0]!.toFixed(2)} / ${s[Math.floor(s.length / 2)]!.toFixed(2)} / ${s[s.length - 1]!.toFixed(2)}`;
  };
  printTable(
    `randomisation test on ${healthy.length} healthy zoo models: final similarity (every layer re-initialised) and null (two random networks), min / median / max; flagged at final >= ${WEIGHT_INDEPENDENT_SIMILARITY}`,
    ['method', 'models', 'final', 'null', 'final - null', 'flagged'],
    [...groups].map(([method, v]) => [method, v.length, q(v.map((s) => s.final)), q(v.map((s) => s.nullSimilarity)), q(v.map((s) => s.final - s.nullSimilarity)), `${v.filter((s) => s.final >= WEIGHT_INDEPENDENT_SIMILARITY).length}/${v.length}`]),
  );
}

const pctText = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<void> {
  const engine = await initEngine();
  await zoo();
  if (process.env.GLASSBOX_ZOO_ONLY) return;
  // The reference project plus the demo's expectations, so every check has work to do.
  const file = path.join(__dirname, '../../server/test/anchors/glassbox.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  raw.protected = ['sex', 'race'];
  raw.expectations = {
    irrelevant: [{ feature: 'fnlwgt', maxShare: 0.05 }],
    monotonic: { education_num: 'increasing' },
    expectedTop: { features: ['capital_gain', 'marital_status', 'education_num'], k: 5 },
  };
  const project = new Project(parseConfig(JSON.stringify(raw, null, 2), file));
  const checkpoint = project.latestCheckpoint();
  const model = await project.model(checkpoint);
  await project.dataset('train');
  const test = await project.dataset('test');
  const rows: Array<Array<string | number>> = [];
  for (const check of CHECKS) {
    let status = '';
    const t = await time(async () => {
      const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
      const report = await runChecks(ctx, { only: [check.id] });
      status = report.results[0]!.status;
    }, 3);
    rows.push([check.id, status, t.medianMs]);
  }
  printTable(`glassbox check on the Adult MLP, backend ${engine.backend}`, ['check', 'status', 'median ms'], rows);

  const n = 500;
  const width = test.width;
  const X = takeRows(test, Array.from({ length: n }, (_, i) => i));
  const grid = Float64Array.from({ length: 21 }, (_, g) => -2 + (4 * g) / 20);
  const batched = await time(() => iceCurves({ model }, X, n, width, 0, grid));
  const perRow = await time(() => {
    for (let i = 0; i < n; i++) iceCurves({ model }, X.subarray(i * width, (i + 1) * width), 1, width, 0, grid);
  }, 3);
  const single = await time(() => predict(model, X, n));
  printTable(`ICE curves, ${n} rows x ${grid.length} grid points`, ['path', 'median ms', 'vs batched'], [
    ['batched: one pass over rows x grid', batched.medianMs, 1],
    ['one forward pass per row', perRow.medianMs, perRow.medianMs / batched.medianMs],
    ['(reference: plain forward pass of the rows)', single.medianMs, single.medianMs / batched.medianMs],
  ]);
  console.log(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB`);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
