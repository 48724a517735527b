/**
 * `generalisation-gap`: the model does much better on its training rows than on held-out rows
 * (overfitting, or a test set that is not from the training distribution).
 *
 * Skill on both sides from one seeded sample of at most `GAP_ROWS` rows each: accuracy for
 * classification, R² (1 − SSE/SST, SST about the held-out mean) for regression. The gap is
 * train − held-out. Sample-size aware: its standard error is sqrt(a_t(1−a_t)/n_t + a_h(1−a_h)/n_h)
 * for accuracies (binomial); for R², a bootstrap over held-out rows (200 resamples, seeded).
 * Flagged when gap >= GAP_MIN and gap >= GAP_Z standard errors, so a 54-row test set's chance
 * dip is not called overfitting. Thresholds from the bug zoo (docs/cli.md, `glassbox check`).
 * Held-out rows: test data, else labelled reference data; without either the check is skipped.
 */
import { takeRows, type Dataset } from '../data/dataset';
import { predict, type ModelHandle } from '../model/model';
import { createRng } from '../util/random';
import { num, pct } from './evidence';
import { labelledHeldOut, labelledRows } from './heldout';
import { outcome, skip, type Check, type Finding } from './types';

export const GAP_MIN = 0.1;
export const GAP_MIN_REGRESSION = 0.2;
export const GAP_Z = 3;
const GAP_ROWS = 20000;
const BOOTSTRAP = 200;

export interface Skill {
  /** Accuracy, or R² for regression. */
  value: number;
  n: number;
  /** Per-row contributions kept for the bootstrap (regression): squared error and label. */
  se?: Float64Array;
  y?: Float64Array;
}

export function skill(model: ModelHandle, ds: Dataset, rows: Int32Array, signal?: AbortSignal): Skill {
  const p = predict(model, takeRows(ds, rows), rows.length, signal);
  const y = Float64Array.from(rows, (r) => ds.y![r]!);
  if (model.task === 'regression') {
    const se = Float64Array.from(y, (v, i) => (v - p.logits[i]!) ** 2);
    return { value: rSquared(se, y, Int32Array.from(y, (_, i) => i)), n: rows.length, se, y };
  }
  let hit = 0;
  for (let i = 0; i < rows.length; i++) if (p.predicted![i] === y[i]) hit++;
  return { value: rows.length ? hit / rows.length : NaN, n: rows.length };
}

function rSquared(se: Float64Array, y: Float64Array, idx: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < idx.length; i++) mean += y[idx[i]!]! / idx.length;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < idx.length; i++) {
    sse += se[idx[i]!]!;
    sst += (y[idx[i]!]! - mean) ** 2;
  }
  return sst > 0 ? 1 - sse / sst : NaN;
}

/** Standard error of train − held-out skill (see the file comment). */
export function gapStandardError(train: Skill, held: Skill, seed: number): number {
  if (!held.se) {
    const v = (s: Skill) => (s.n ? (s.value * (1 - s.value)) / s.n : NaN);
    return Math.sqrt(v(train) + v(held));
  }
  const rng = createRng(seed + 17);
  const draws: number[] = [];
  const idx = new Int32Array(held.n);
  for (let b = 0; b < BOOTSTRAP; b++) {
    for (let i = 0; i < held.n; i++) idx[i] = rng.int(held.n);
    const r = rSquared(held.se, held.y!, idx);
    if (Number.isFinite(r)) draws.push(r);
  }
  const m = draws.reduce((a, b) => a + b, 0) / draws.length;
  return Math.sqrt(draws.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, draws.length - 1));
}

export const generalisationGap = {
  id: 'generalisation-gap',
  title: 'Train / held-out gap',
  description: 'the model does not do much better on its training rows than on held-out rows (overfitting)',
  needs: ['model', 'train', 'labels'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    const train = await ctx.train();
    if (!train.y) return skip('the training data has no labels');
    const held = await labelledHeldOut(ctx);
    if (!held) return skip('no labelled held-out data (data.test, or data.reference with labels)');
    const t = skill(ctx.model, train, labelledRows(ctx, train, GAP_ROWS, 21), signal);
    const h = skill(ctx.model, held, labelledRows(ctx, held, GAP_ROWS, 22), signal);
    const regression = ctx.task === 'regression';
    const metric = regression ? 'R²' : 'accuracy';
    const gap = t.value - h.value;
    const se = gapStandardError(t, h, ctx.options.seed);
    const min = regression ? GAP_MIN_REGRESSION : GAP_MIN;
    const fmt = (v: number) => (regression ? num(v, 3) : pct(v));
    const text = `${metric} ${fmt(t.value)} on ${t.n} training rows vs ${fmt(h.value)} on ${h.n} rows of ${ctx.project.relative(held.file)}: gap ${num(gap, 3)} (± ${num(se, 3)})`;
    const findings: Finding[] = [];
    if (gap >= min && gap >= GAP_Z * se) {
      findings.push({
        message: `${text}: the model fits its training rows much better than unseen ones (overfitting, or held-out data from elsewhere); at ${ctx.checkpoint.name}`,
        measured: gap,
        limit: min,
        metric: `${metric} gap (train − held-out)`,
        subject: ctx.checkpoint.name,
        location: { file: ctx.checkpoint.file },
        evidence: [],
        details: { train: t.value, heldOut: h.value, standardError: se, rows: { train: t.n, heldOut: h.n } },
      });
    }
    return outcome(findings, text, text, { train: t.value, heldOut: h.value, gap, standardError: se });
  },
} satisfies Check;
