/**
 * Mislabelled-row rankings against cleanlab, side by side in the same run: every bug-zoo project
 * with flipped labels (scripts/zoo/make_zoo.py: the full Adult with 5% / 10% flipped symmetrically
 * and class-dependently, and the zoo's German Credit, breast cancer and wine noise cases), scored by
 * precision at k = number of flips and AUROC for each ranking Glassbox can build from the training
 * run, and by cleanlab's `find_label_issues` on out-of-fold probabilities (scripts/zoo/cleanlab_scores.py,
 * the project's own architecture refitted on 5 folds). The default ranking is then compared with
 * cleanlab by a paired bootstrap over rows.
 *   GLASSBOX_ZOO=<dir>          another zoo (default .cache/zoo)
 *   GLASSBOX_MISLABEL=<text>    only projects whose id contains it
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/core/config/config';
import { initEngine } from '../src/core/engine/backend';
import { Project } from '../src/core/project';
import { checkOptions, createCheckContext } from '../src/core/checks/context';
import { MISLABEL_RANKINGS, DEFAULT_MISLABEL_RANKING, estimateNoiseRate, mislabelScores, noiseAdjustedScores, trainingDynamics } from '../src/core/influence/dynamics';
import { ranks } from '../src/core/util/stats';
import { auroc, BOOTSTRAP, cleanlabScores, pairedBootstrap, precisionAtK, zooProjects, type ZooTruth } from './checks.bench.zoo';
import { printTable } from './util';

interface Measured {
  id: string;
  flips: number;
  n: number;
  noiseRate?: number;
  /** Estimated share of each class's confident slice carrying another label. */
  perClass?: number[];
  /** Ranking name -> [P@k, AUROC]. */
  scores: Map<string, [number, number]>;
  vs?: ReturnType<typeof pairedBootstrap>;
}

const CLEANLAB = 'cleanlab (out-of-fold)';

/** Mean of the rows' ranks under each score, scaled to (0, 1]: rank averaging, ties halved. */
function rankAverage(...scores: ArrayLike<number>[]): Float64Array {
  const n = scores[0]!.length;
  const out = new Float64Array(n);
  for (const s of scores) {
    const r = ranks(s);
    for (let i = 0; i < n; i++) out[i] += r[i]! / (n * scores.length);
  }
  return out;
}

async function measure(folder: string): Promise<Measured | undefined> {
  const truth = JSON.parse(fs.readFileSync(path.join(folder, 'zoo.json'), 'utf8')) as ZooTruth;
  if (!truth.flips.length || truth.task === 'regression') return undefined;
  const cleanlab = cleanlabScores(folder);
  if (!cleanlab) return undefined;
  const file = path.join(folder, 'glassbox.json');
  const project = new Project(parseConfig(fs.readFileSync(file, 'utf8'), file));
  try {
    const train = await project.dataset('train');
    const series = project.checkpoints().filter((c) => c.state === 'ready');
    const dynamics = await trainingDynamics(project, train, series);
    const flips = new Set(truth.flips);
    const scores = new Map<string, [number, number]>();
    const add = (name: string, s: ArrayLike<number>) => scores.set(name, [precisionAtK(s, flips), auroc(s, flips)]);
    for (const r of MISLABEL_RANKINGS) add(r, mislabelScores(dynamics, r));
    // How much the noise-adjusted margin depends on the weight of the pooled flip rate.
    const noiseEstimate = estimateNoiseRate(dynamics);
    if (noiseEstimate && dynamics.meanLogits) {
      for (const prior of [0, 200, 800]) add(`aum-noise-adjusted, prior ${prior} rows`, noiseAdjustedScores(dynamics.meanLogits, dynamics.labels, dynamics.n, dynamics.classes, noiseEstimate, prior));
    }
    const checkpoint = project.latestCheckpoint();
    const model = await project.model(checkpoint);
    const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
    const index = await ctx.influenceOrSkip();
    if (typeof index !== 'string') {
      const si = index.selfInfluence({ layers: 'last', bias: false });
      add('self-influence-last', si);
      add('aum + self-influence-last', rankAverage(mislabelScores(dynamics, 'aum'), si));
      add('aum-adjusted + self-influence-last', rankAverage(mislabelScores(dynamics, 'aum-adjusted'), si));
      add('aum + forgetting + self-influence-last', rankAverage(mislabelScores(dynamics, 'aum'), dynamics.forgetting, si));
    }
    await ctx.release();
    add(CLEANLAB, cleanlab);
    const noise = estimateNoiseRate(dynamics);
    const vs = pairedBootstrap(mislabelScores(dynamics, DEFAULT_MISLABEL_RANKING), cleanlab, flips);
    return { id: truth.id, flips: flips.size, n: train.n, ...(noise ? { noiseRate: noise.rate, perClass: noise.perClass.map((c) => c.rate) } : {}), scores, vs };
  } finally {
    await project.dispose();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<void> {
  await initEngine();
  const dir = process.env.GLASSBOX_ZOO ?? path.join(__dirname, '../../.cache/zoo');
  const only = process.env.GLASSBOX_MISLABEL;
  const folders = zooProjects(dir).filter((f) => /\/(mislabel|noise)-/.test(f) && (!only || path.basename(f).includes(only)));
  if (folders.length === 0) {
    console.log(`\nno noisy bug-zoo projects in ${dir}: make them with\n  .venv/bin/python scripts/zoo/make_zoo.py --only noise mislabel mislabel-weighted`);
    return;
  }
  const out: Measured[] = [];
  for (const f of folders) {
    const t = performance.now();
    const m = await measure(f);
    if (m) out.push(m);
    console.log(`${path.basename(f)}: ${m ? 'scored' : 'skipped (no flips or no cleanlab)'} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  const names = [...new Set(out.flatMap((m) => [...m.scores.keys()]))];
  const cell = (m: Measured, s: string) => {
    const v = m.scores.get(s);
    return v ? `${v[0].toFixed(3)} / ${v[1].toFixed(3)}` : '-';
  };
  printTable('mislabelled rows: precision at k = flips / AUROC', ['project', 'flips', 'noise est.', 'per class', ...names], out.map((m) => [m.id, `${m.flips}/${m.n}`, m.noiseRate === undefined ? '-' : pct(m.noiseRate), m.perClass?.map(pct).join(' ') ?? '-', ...names.map((s) => cell(m, s))]));
  // Per ranking: on how many projects it is strictly above cleanlab in both P@k and AUROC, and the means.
  const summary = names.map((s) => {
    const have = out.filter((m) => m.scores.has(s));
    const mean = (j: 0 | 1) => have.reduce((a, m) => a + m.scores.get(s)![j], 0) / have.length;
    const above = (j: 0 | 1) => have.filter((m) => m.scores.get(s)![j] > m.scores.get(CLEANLAB)![j]).length;
    const adult = have.filter((m) => m.id.startsWith('mislabel-adult'));
    const adultAbove = adult.filter((m) => m.scores.get(s)![0] > m.scores.get(CLEANLAB)![0] && m.scores.get(s)![1] > m.scores.get(CLEANLAB)![1]).length;
    return [s, mean(0).toFixed(3), mean(1).toFixed(3), `${above(0)}/${have.length}`, `${above(1)}/${have.length}`, `${adultAbove}/${adult.length}`];
  });
  printTable('per ranking over the projects: mean P@k, mean AUROC, projects strictly above cleanlab', ['ranking', 'mean P@k', 'mean AUROC', 'P@k above', 'AUROC above', 'full Adult: both above'], summary);
  const ci = (q: [number, number, number]) => `${q[1] >= 0 ? '+' : ''}${q[1].toFixed(3)} [${q[0].toFixed(3)}, ${q[2].toFixed(3)}]`;
  printTable(
    `${DEFAULT_MISLABEL_RANKING} (the default) minus cleanlab, paired bootstrap over rows (${BOOTSTRAP} draws): median [95% interval]`,
    ['project', 'P@k difference', 'AUROC difference'],
    out.map((m) => [m.id, ci(m.vs!.precisionAtK), ci(m.vs!.auroc)]),
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
