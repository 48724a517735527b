/**
 * The bug zoo's measurements, for checks.bench.ts: every zoo project (scripts/zoo/make_zoo.py) is
 * opened as a user would open it, every check runs on its latest checkpoint, the drift report runs
 * against its reference data, and the suspects scores (and cleanlab's, when installed) are scored
 * against the flipped rows the generator recorded.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/core/config/config';
import { Project } from '../src/core/project';
import { runChecks } from '../src/core/checks/registry';
import { checkOptions, createCheckContext } from '../src/core/checks/context';
import { driftReport } from '../src/core/drift/report';
import { DEFAULT_MISLABEL_RANKING, estimateNoiseRate, mislabelScores as rankingScores, trainingDynamics, dynamicsScores } from '../src/core/influence/dynamics';
import { suspectScores, dynamicsInfluenceScores } from '../src/core/influence/suspects';
import { ranks } from '../src/core/util/stats';
import { createRng } from '../src/core/util/random';
import { parameterRandomisation, randomisationInput, randomisationMethods, reinitialised, weightedGroups } from '../src/core/checks/randomisation';
import { getMethod } from '../src/core/methods/registry';
import type { AttributionMethod } from '../src/core/methods/types';
import type { ModelHandle } from '../src/core/model/model';

export interface ZooTruth {
  id: string;
  dataset: string;
  task: string;
  arch: string;
  seed: number;
  kind: 'healthy' | 'bug';
  bug: string | null;
  detector: string | null;
  flips: number[];
  features: string[];
}

export interface ZooOutcome {
  truth: ZooTruth;
  /** Check id -> status; 'drift' -> 'fail' when some feature is in the "act" quadrant. */
  status: Record<string, 'pass' | 'fail' | 'skip' | 'error'>;
  notes: Record<string, string>;
  mislabel?: MislabelScores;
  ms: number;
}

export interface MislabelScores {
  flips: number;
  n: number;
  noiseRate?: number;
  /**
   * Score name -> precision at k = flips, AUROC, and the false-negative rate when the rows read are
   * the top ceil(estimated noise rate x n) (the budget label-suspects lists): flips left unread / flips.
   */
  scores: Record<string, { precisionAtK: number; auroc: number; fnrAtBudget?: number }>;
  /** The default ranking minus cleanlab, paired bootstrap over rows: 95% interval of the AUROC and P@k differences. */
  aumVsCleanlab?: { auroc: [number, number, number]; precisionAtK: [number, number, number] };
}

export const BOOTSTRAP = 200;

/** Flipped rows missed when reading the `budget` highest scores. */
export function fnrAtBudget(score: ArrayLike<number>, positive: Set<number>, budget: number): number {
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  let hit = 0;
  for (const i of order.slice(0, budget)) if (positive.has(i)) hit++;
  return positive.size ? 1 - hit / positive.size : NaN;
}

/**
 * Paired bootstrap (rows resampled with replacement, the same draw for both scores) of a − b in
 * AUROC and in precision at k = flipped rows drawn: [2.5%, 50%, 97.5%] quantiles. An interval above
 * 0 says a beats b on this project beyond row-sampling chance.
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, positive: Set<number>, draws = BOOTSTRAP, seed = 1): { auroc: [number, number, number]; precisionAtK: [number, number, number] } {
  const rng = createRng(seed);
  const n = a.length;
  const dA: number[] = [];
  const dP: number[] = [];
  for (let d = 0; d < draws; d++) {
    const idx = Int32Array.from({ length: n }, () => Math.floor(rng.next() * n));
    const sa = Float64Array.from(idx, (i) => a[i]!);
    const sb = Float64Array.from(idx, (i) => b[i]!);
    const pos = new Set<number>();
    idx.forEach((i, j) => positive.has(i) && pos.add(j));
    dA.push(auroc(sa, pos) - auroc(sb, pos));
    dP.push(precisionAtK(sa, pos) - precisionAtK(sb, pos));
  }
  const q = (v: number[]): [number, number, number] => {
    const s = [...v].sort((x, y) => x - y);
    const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]!;
    return [at(0.025), at(0.5), at(0.975)];
  };
  return { auroc: q(dA), precisionAtK: q(dP) };
}

export function zooProjects(dir: string): string[] {
  const index = path.join(dir, 'index.json');
  if (!fs.existsSync(index)) return [];
  return (JSON.parse(fs.readFileSync(index, 'utf8')) as string[]).map((id) => path.join(dir, id));
}

const python = path.resolve(__dirname, '../../.venv/bin/python');

/** cleanlab's score per row (higher = more suspect), computed once per project and cached. */
export function cleanlabScores(folder: string): Float64Array | undefined {
  const out = path.join(folder, 'cleanlab.json');
  const train = path.join(folder, 'data', 'train.csv');
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(train).mtimeMs) {
    if (!fs.existsSync(python)) return undefined;
    const script = path.resolve(__dirname, '../../scripts/zoo/cleanlab_scores.py');
    const r = spawnSync(python, [script, folder], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`cleanlab on ${path.basename(folder)}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
      return undefined;
    }
  }
  return Float64Array.from((JSON.parse(fs.readFileSync(out, 'utf8')) as { score: number[] }).score);
}

/** Precision among the k highest scores, k = number of positives. */
export function precisionAtK(score: ArrayLike<number>, positive: Set<number>): number {
  const k = positive.size;
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  let hit = 0;
  for (const i of order.slice(0, k)) if (positive.has(i)) hit++;
  return k ? hit / k : NaN;
}

/** Area under the ROC curve of `score` separating `positive` rows (ties count one half). */
export function auroc(score: ArrayLike<number>, positive: Set<number>): number {
  const r = ranks(score);
  const P = positive.size;
  const N = score.length - P;
  let sum = 0;
  for (const i of positive) sum += r[i]!;
  return P && N ? (sum - (P * (P + 1)) / 2) / (P * N) : NaN;
}

export async function runZooProject(folder: string): Promise<ZooOutcome> {
  const truth = JSON.parse(fs.readFileSync(path.join(folder, 'zoo.json'), 'utf8')) as ZooTruth;
  const file = path.join(folder, 'glassbox.json');
  const project = new Project(parseConfig(fs.readFileSync(file, 'utf8'), file));
  const started = performance.now();
  const status: ZooOutcome['status'] = {};
  const notes: ZooOutcome['notes'] = {};
  let mislabel: MislabelScores | undefined;
  try {
    const checkpoint = project.latestCheckpoint();
    const model = await project.model(checkpoint);
    const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
    const report = await runChecks(ctx);
    for (const r of report.results) {
      status[r.id] = r.status;
      notes[r.id] = r.summary;
    }
    if (project.config.data.reference ?? project.config.data.test) {
      const drift = await driftReport(project);
      const act = drift.features.filter((f) => f.quadrant === 'high-drift/high-importance');
      status.drift = act.length ? 'fail' : 'pass';
      notes.drift = act.length ? `act: ${act.map((f) => `${f.feature} (${f.drift.toFixed(3)})`).join(', ')}` : `largest drift ${Math.max(...drift.features.map((f) => f.drift)).toFixed(3)}`;
    }
    if (truth.detector === 'label-suspects' || truth.id.startsWith('mislabel-')) mislabel = await mislabelScores(project, folder, truth);
  } catch (e) {
    status.error = 'error';
    notes.error = (e as Error).message;
  } finally {
    await project.dispose();
  }
  return { truth, status, notes, ...(mislabel ? { mislabel } : {}), ms: Math.round(performance.now() - started) };
}

async function mislabelScores(project: Project, folder: string, truth: ZooTruth): Promise<MislabelScores> {
  const train = await project.dataset('train');
  const series = project.checkpoints().filter((c) => c.state === 'ready');
  const dynamics = await trainingDynamics(project, train, series);
  const flips = new Set(truth.flips);
  const scores: MislabelScores['scores'] = {};
  const noise = estimateNoiseRate(dynamics);
  const budget = noise ? Math.max(1, Math.ceil(noise.rate * train.n)) : undefined;
  const add = (name: string, s: ArrayLike<number> | undefined) => {
    if (s && flips.size) scores[name] = { precisionAtK: precisionAtK(s, flips), auroc: auroc(s, flips), ...(budget ? { fnrAtBudget: fnrAtBudget(s, flips, budget) } : {}) };
  };
  const aum = dynamicsScores(dynamics);
  add('area under the margin', aum);
  add('forgetting events', dynamics.forgetting);
  const ranking = rankingScores(dynamics, DEFAULT_MISLABEL_RANKING);
  add(`${DEFAULT_MISLABEL_RANKING} (default)`, ranking);
  const checkpoint = project.latestCheckpoint();
  const model = await project.model(checkpoint);
  const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
  const index = await ctx.influenceOrSkip();
  if (typeof index !== 'string') {
    add('combined (loss + self-influence-last)', suspectScores(index, 'combined'));
    add('self-influence-last', suspectScores(index, 'self-influence-last'));
    add('dynamics + influence', dynamicsInfluenceScores(dynamics, index));
  }
  await ctx.release();
  const cleanlab = flips.size ? cleanlabScores(folder) : undefined;
  add('cleanlab find_label_issues (out-of-fold)', cleanlab);
  const vs = cleanlab ? pairedBootstrap(ranking, cleanlab, flips) : undefined;
  return { flips: flips.size, n: train.n, ...(noise ? { noiseRate: noise.rate } : {}), scores, ...(vs ? { aumVsCleanlab: vs } : {}) };
}

/** Final and null similarity of one method on one zoo model (randomisation cascade). */
export interface RandomisationSample {
  project: string;
  method: string;
  /** Registered method, or a planted weight-independent one (share of it that ignores the weights). */
  planted: number;
  final: number;
  nullSimilarity: number;
}

/**
 * A planted insensitive method: `base` run on a fixed random network instead of the model it is
 * given (so it ignores the weights entirely), mixed per row with `base` on the real model:
 * a = planted · â_fixed + (1 − planted) · â_model, each row scaled to unit L1 norm first. With
 * planted = 1 the method is what Adebayo et al. warn about (an explanation that would look the same
 * for any model); 0.5 is half of it.
 */
function plantedMethod(base: AttributionMethod, fixed: ModelHandle, planted: number): AttributionMethod {
  const unit = (a: Float64Array, n: number, F: number) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let f = 0; f < F; f++) s += Math.abs(a[i * F + f]!);
      for (let f = 0; f < F; f++) a[i * F + f] = s > 0 ? a[i * F + f]! / s : 0;
    }
    return a;
  };
  return {
    ...base,
    id: `planted ${Math.round(planted * 100)}% ${base.id}`,
    async attribute(input, params) {
      const onFixed = await base.attribute({ ...input, model: fixed }, params);
      const F = onFixed.grouped.length / input.n;
      const a = unit(Float64Array.from(onFixed.grouped), input.n, F);
      if (planted < 1) {
        const b = unit(Float64Array.from((await base.attribute(input, params)).grouped), input.n, F);
        for (let k = 0; k < a.length; k++) a[k] = planted * a[k]! + (1 - planted) * b[k]!;
      }
      return { ...onFixed, grouped: a };
    },
  };
}

/**
 * The randomisation test's similarities on every healthy zoo network: the registered gradient
 * methods (which depend on the weights) and planted weight-independent ones built on input x
 * gradient and Integrated Gradients (which do not, fully or half). The distributions the rule in
 * checks/randomisation.ts is chosen from.
 */
export async function randomisationSamples(folder: string): Promise<RandomisationSample[]> {
  const file = path.join(folder, 'glassbox.json');
  const project = new Project(parseConfig(fs.readFileSync(file, 'utf8'), file));
  const out: RandomisationSample[] = [];
  try {
    const checkpoint = project.latestCheckpoint();
    const model = await project.model(checkpoint);
    if (!model.differentiable || !model.withParameters) return out;
    const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
    const real = randomisationMethods(undefined);
    const input = await randomisationInput(ctx, real);
    const fixed = await reinitialised(model, input.expect, new Set(weightedGroups(model)), 977);
    try {
      const planted = (['input-x-gradient', 'integrated-gradients'] as const).flatMap((id) => [1, 0.5].map((share) => plantedMethod(getMethod(id), fixed, share)));
      const result = await parameterRandomisation({ ...input, methods: [...real, ...planted] });
      for (const m of result.methods) {
        if (m.degenerateAt) continue;
        const share = /^planted (\d+)%/.exec(m.method);
        out.push({ project: path.basename(folder), method: m.method, planted: share ? Number(share[1]) / 100 : 0, final: m.final, nullSimilarity: m.nullSimilarity });
      }
    } finally {
      fixed.dispose();
      await ctx.release();
    }
  } finally {
    await project.dispose();
  }
  return out;
}
