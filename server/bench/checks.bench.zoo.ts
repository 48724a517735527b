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
import { estimateNoiseRate, trainingDynamics, dynamicsScores } from '../src/core/influence/dynamics';
import { suspectScores, dynamicsInfluenceScores } from '../src/core/influence/suspects';
import { ranks } from '../src/core/util/stats';

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
  /** Score name -> precision at k = flips, AUROC, false-negative rate at a budget of k rows. */
  scores: Record<string, { precisionAtK: number; auroc: number }>;
}

export function zooProjects(dir: string): string[] {
  const index = path.join(dir, 'index.json');
  if (!fs.existsSync(index)) return [];
  return (JSON.parse(fs.readFileSync(index, 'utf8')) as string[]).map((id) => path.join(dir, id));
}

const python = path.resolve(__dirname, '../../.venv/bin/python');

/** cleanlab's score per row (higher = more suspect), computed once per project and cached. */
function cleanlabScores(folder: string): Float64Array | undefined {
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
  const add = (name: string, s: ArrayLike<number> | undefined) => {
    if (s && flips.size) scores[name] = { precisionAtK: precisionAtK(s, flips), auroc: auroc(s, flips) };
  };
  add('area under the margin', dynamicsScores(dynamics));
  add('forgetting events', dynamics.forgetting);
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
  add('cleanlab find_label_issues (out-of-fold)', flips.size ? cleanlabScores(folder) : undefined);
  const noise = estimateNoiseRate(dynamics);
  return { flips: flips.size, n: train.n, ...(noise ? { noiseRate: noise.rate } : {}), scores };
}
