/**
 * A run over time: for every ready checkpoint of the series, in order, the metrics on each data
 * set, the importance share of each raw feature, the number of strongly suspect training rows and
 * the status of every check. Each point is `evaluate` of compare.ts (so each equals what
 * `glassbox check` reports for that checkpoint); drift is left out (it compares data, not
 * checkpoints).
 *
 * Suspects count: what the `label-suspects` check states for that checkpoint (its rows ranked by the
 * area under the margin over the series up to it, any model kind); null with the reason when the
 * check skipped (e.g. regression).
 *
 * Robustness: the median minimal L2 flip distance (core/robustness `flipSummary`) over one fixed
 * sample of rows (`robustnessRows`: seeded, the same rows for every checkpoint), so the numbers of
 * two checkpoints compare directly; each equals `glassbox robustness --norm l2` on that checkpoint
 * with the same `--sample` and `--seed`. Null with the reason for regression models.
 */
import type { Project } from '../project';
import type { Dataset } from '../data/dataset';
import { takeRows } from '../data/dataset';
import { evaluate, type DataMetrics } from './compare';
import { GlassboxError, throwIfAborted } from '../errors';
import { createRng, sampleWithoutReplacement } from '../util/random';
import { flipSummary, type FlipSummary } from '../robustness';
import { classNamesOf } from './shared';

/** Rows sampled for robustness by default (the timeline's and `glassbox robustness`'). */
export const ROBUSTNESS_SAMPLE = 200;

/**
 * The fixed robustness sample: `sample` rows of the test data (else reference, else training),
 * drawn without replacement with `seed`, in file order. The same project, sample and seed give the
 * same rows, whichever checkpoint is measured.
 */
export async function robustnessRows(project: Project, sample = ROBUSTNESS_SAMPLE, seed = 0, role?: string): Promise<{ dataset: Dataset; rows: number[] }> {
  if (!(Number.isInteger(sample) && sample >= 1)) throw new GlassboxError('usage', `the robustness sample must be a positive whole number of rows, got ${sample}`);
  const r = role ?? (['test', 'reference', 'train'] as const).find((x) => project.dataPath(x))!;
  const dataset = await project.dataset(r as 'train');
  const rows = [...sampleWithoutReplacement(dataset.n, Math.min(sample, dataset.n), createRng(seed))].sort((a, b) => a - b);
  return { dataset, rows };
}

/** Column means of an n x F row-major matrix. */
export function perRowMean(local: ArrayLike<number>, n: number, F: number): number[] {
  const out = new Array<number>(F).fill(0);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) out[f]! += local[i * F + f]! / n;
  return out;
}

export interface TimelinePoint {
  checkpoint: { name: string; dir: string; hash?: string };
  metrics: DataMetrics[];
  /** Share per feature, in `Timeline.features` order. */
  shares: number[];
  /** Mean of the rows' local shares (each row sums to 1), over `rows` explained rows. */
  perRowMean: number[];
  rows: number;
  suspects: { count: number | null; reason?: string };
  /** Minimal flip distance over the timeline's robustness sample; null with why when not measured. */
  robustness: FlipSummary | null;
  robustnessReason?: string;
  checks: Array<{ id: string; status: 'pass' | 'fail' | 'skip'; severity: string }> | null;
  ok: boolean | null;
}

export interface Timeline {
  config: string;
  provider: string;
  features: string[];
  points: TimelinePoint[];
  /** Checkpoints of the series not analysed (half-written or broken), with why. */
  skipped: Array<{ name: string; problem: string }>;
  /** The rows every point's robustness is measured on (absent when robustness is off). */
  robustnessSample?: { file: string; rows: number[]; seed: number };
}

export interface TimelineOptions {
  /** Run the checks at each checkpoint (default true; the suspects count needs them). */
  checks?: boolean;
  signal?: AbortSignal;
  /**
   * Free each checkpoint's model after its point (`Project.dispose`), for long series in a
   * one-shot process. Off by default: a shared Project (the daemon's) keeps its loaded models.
   */
  freeModels?: boolean;
  onProgress?: (done: number, total: number, checkpoint: string) => void;
  /** Minimal flip distance per checkpoint on a fixed sample (default on, 200 rows, seed 0); false: off. */
  robustness?: false | { sample?: number; seed?: number };
}

export async function timeline(project: Project, options: TimelineOptions = {}): Promise<Timeline> {
  const series = project.checkpoints();
  const ready = series.filter((c) => c.state === 'ready');
  if (ready.length === 0) project.latestCheckpoint(); // throws the "no complete checkpoint" error
  const points: TimelinePoint[] = [];
  let features: string[] = [];
  let provider = '';
  const rob = options.robustness === false ? undefined : (options.robustness ?? {});
  const seed = rob?.seed ?? 0;
  const sample = rob ? await robustnessRows(project, rob.sample ?? ROBUSTNESS_SAMPLE, seed) : undefined;
  const sampleX = sample ? takeRows(sample.dataset, sample.rows) : undefined;
  for (const [k, checkpoint] of ready.entries()) {
    throwIfAborted(options.signal);
    options.onProgress?.(k, ready.length, checkpoint.name);
    const e = await evaluate({ project, checkpoint }, { checks: options.checks !== false, drift: false, ...(options.signal ? { signal: options.signal } : {}) });
    features = e.importance.features;
    provider = e.importance.provider;
    const ls = e.checks?.results.find((r) => r.id === 'label-suspects');
    // The check's count of strongly suspect rows (its detail key has had two names).
    const flagged = ls?.details?.stronglySuspect ?? ls?.details?.flagged;
    const suspects: TimelinePoint['suspects'] = !e.checks
      ? { count: null, reason: 'checks not run' }
      : ls && ls.status !== 'skip' && typeof flagged === 'number'
        ? { count: flagged }
        : { count: null, reason: ls?.summary ?? 'label-suspects did not run' };
    let robustness: FlipSummary | null = null;
    let robustnessReason: string | undefined = rob ? undefined : 'robustness not measured';
    if (sample && sampleX) {
      const model = await project.model(checkpoint);
      if (model.task === 'regression') robustnessReason = 'prediction flips need a classifier; this model is a regression model';
      else {
        const { encoding } = await project.schema();
        const classes = classNamesOf(project, encoding);
        robustness = flipSummary(model, encoding, sampleX, sample.rows.length, { seed, ...(classes ? { classLabels: classes } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      }
    }
    points.push({
      checkpoint: e.checkpoint,
      metrics: e.metrics,
      shares: e.importance.shares,
      perRowMean: perRowMean(e.importance.local, e.importance.rows.length, e.importance.features.length),
      rows: e.importance.rows.length,
      suspects,
      checks: e.checks ? e.checks.results.map((r) => ({ id: r.id, status: r.status, severity: r.severity })) : null,
      ok: e.checks ? e.checks.ok : null,
      robustness,
      ...(robustnessReason ? { robustnessReason } : {}),
    });
    if (options.freeModels) await project.dispose();
  }
  options.onProgress?.(ready.length, ready.length, '');
  return {
    config: project.config.file,
    provider,
    features,
    points,
    skipped: series.filter((c) => c.state !== 'ready').map((c) => ({ name: c.name, problem: c.problem ?? c.state })),
    ...(sample ? { robustnessSample: { file: sample.dataset.file, rows: sample.rows, seed } } : {}),
  };
}
