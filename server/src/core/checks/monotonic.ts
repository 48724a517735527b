/**
 * `monotonic`: a numeric feature's effect must only rise (or only fall). Checked with individual
 * conditional expectation (ICE) curves (Goldstein et al. 2015, "Peeking Inside the Black Box"):
 * for a seeded sample of rows, the feature is set to each point of a grid of its training
 * quantiles while the rest of the row stays as it is, and the model's output is read along the
 * grid (all rows x grid points in batched forward passes).
 *
 * Output: the probability of the last class (the positive class of a binary model), or the
 * predicted value for regression. A row violates the expectation when its curve drops (for
 * `increasing`) by more than `tolerance` anywhere: the largest fall from an earlier grid point to a
 * later one. Defaults: 21 grid points (quantiles 0, 0.05, ..., 1), tolerance 0.01 probability units
 * (regression: 0.01 x the standard deviation of the curve values), at most 5% violating rows.
 */
import { GlassboxError, throwIfAborted } from '../errors';
import { takeRows } from '../data/dataset';
import { predict, type ModelHandle } from '../model/model';
import { quantile } from '../util/stats';
import type { MonotonicDirection } from '../config/config';
import { evidenceRow, EXAMPLES, num, pct, topK } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const GRID_POINTS = 21;
export const DEFAULT_MAX_VIOLATION_RATE = 0.05;
export const DEFAULT_TOLERANCE = 0.01;

export interface IceCurves {
  /** Grid in encoded units and in raw units. */
  grid: Float64Array;
  rawGrid: Float64Array;
  /** rows x grid outputs. */
  values: Float64Array;
}

/** The model output along `grid` for each row of `X` (n x width), column `column` replaced. */
export function iceCurves(ctx: { model: ModelHandle }, X: Float32Array, n: number, width: number, column: number, grid: Float64Array, signal?: AbortSignal): Float64Array {
  const G = grid.length;
  const big = new Float32Array(n * G * width);
  for (let i = 0; i < n; i++) {
    const row = X.subarray(i * width, (i + 1) * width);
    for (let g = 0; g < G; g++) {
      const o = (i * G + g) * width;
      big.set(row, o);
      big[o + column] = grid[g]!;
    }
  }
  const p = predict(ctx.model, big, n * G, signal);
  const K = p.classes;
  const out = new Float64Array(n * G);
  for (let r = 0; r < n * G; r++) out[r] = p.probabilities ? p.probabilities[r * K + K - 1]! : p.logits[r]!;
  return out;
}

/** Largest wrong-way change along one curve, and the grid indices where it happens. */
export function worstViolation(curve: ArrayLike<number>, direction: MonotonicDirection): { drop: number; from: number; to: number } {
  const sign = direction === 'increasing' ? 1 : -1;
  let best = { drop: 0, from: 0, to: 0 };
  let peak = 0;
  for (let k = 1; k < curve.length; k++) {
    if (sign * curve[k - 1]! > sign * curve[peak]!) peak = k - 1;
    const drop = sign * (curve[peak]! - curve[k]!);
    if (drop > best.drop) best = { drop, from: peak, to: k };
  }
  return best;
}

export const monotonic = {
  id: 'monotonic',
  title: 'Monotonic relations',
  description: 'features expected to be monotonic are, along ICE curves of sampled rows',
  reference: 'Goldstein et al. 2015, arXiv:1309.6392',
  needs: ['model', 'train', 'expectation'],
  defaultSeverity: 'error',
  async run(ctx, signal) {
    const specs = Object.entries(ctx.config.raw.expectations?.monotonic ?? {});
    if (specs.length === 0) return skip('no expectations.monotonic in glassbox.json');
    const train = await ctx.train();
    const data = await ctx.evaluation();
    const rows = ctx.sample(data, ctx.options.sampleSize, 3);
    const n = rows.length;
    const X = takeRows(data, rows);
    const { width } = ctx.encoding;
    const findings: Finding[] = [];
    const measured: Record<string, { rate: number; worst: number }> = {};
    for (const [name, spec] of specs) {
      throwIfAborted(signal);
      const location = ctx.config.locate(['expectations', 'monotonic', name]);
      const feature = ctx.encoding.features[ctx.feature(name, location)]!;
      if (feature.type !== 'numeric') throw new GlassboxError('config', `monotonic expectations need a numeric feature; '${name}' is categorical`, location);
      const direction = typeof spec === 'string' ? spec : spec.direction;
      const maxRate = typeof spec === 'string' ? DEFAULT_MAX_VIOLATION_RATE : (spec.maxViolationRate ?? DEFAULT_MAX_VIOLATION_RATE);
      const tolerance = typeof spec === 'string' ? DEFAULT_TOLERANCE : (spec.tolerance ?? DEFAULT_TOLERANCE);
      const column = feature.columns[0];
      const sorted = Float64Array.from({ length: train.n }, (_, i) => train.X[i * width + column]!).sort();
      const grid = Float64Array.from(new Set(Array.from({ length: GRID_POINTS }, (_, g) => quantile(sorted, g / (GRID_POINTS - 1)))));
      if (grid.length < 2) {
        measured[name] = { rate: 0, worst: 0 };
        continue;
      }
      const toRaw = (v: number) => (feature.transform === 'standardize' ? v * feature.std + feature.mean : v);
      const G = grid.length;
      const values = iceCurves(ctx, X, n, width, column, grid, signal);
      let tol = tolerance;
      if (ctx.task === 'regression') {
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        tol = tolerance * Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      }
      const worst = Array.from({ length: n }, (_, i) => worstViolation(values.subarray(i * G, (i + 1) * G), direction));
      const drops = Float64Array.from(worst, (w) => w.drop);
      const violating = drops.reduce((c, d) => c + (d > tol ? 1 : 0), 0);
      const rate = n ? violating / n : 0;
      measured[name] = { rate, worst: Math.max(0, ...drops) };
      if (rate <= maxRate) continue;
      const what = ctx.task === 'regression' ? 'prediction' : `P(${ctx.encoding.label?.classes?.[ctx.model.classes - 1] ?? `class ${ctx.model.classes - 1}`})`;
      findings.push({
        message: `'${name}' is expected to be ${direction} but its ICE curve goes the other way in ${pct(rate)} of ${n} sampled rows (allowed ${pct(maxRate)}; worst fall of ${what} ${num(measured[name]!.worst)})`,
        measured: rate,
        limit: maxRate,
        metric: 'violation rate',
        subject: name,
        location,
        evidence: topK(drops, EXAMPLES)
          .filter((i) => drops[i]! > tol)
          .map((i) => {
            const w = worst[i]!;
            const a = values[i * G + w.from]!;
            const b = values[i * G + w.to]!;
            return evidenceRow(data, rows[i]!, `raising ${name} from ${num(toRaw(grid[w.from]!))} to ${num(toRaw(grid[w.to]!))} moves ${what} from ${num(a)} to ${num(b)}`, {
              from: toRaw(grid[w.from]!),
              to: toRaw(grid[w.to]!),
              outputFrom: a,
              outputTo: b,
            });
          }),
        details: { direction, tolerance: tol, gridPoints: G, rows: n },
      });
    }
    const text = Object.entries(measured).map(([k, v]) => `${k} ${pct(v.rate)} of rows violate`).join(', ');
    return outcome(findings, `monotonic as expected: ${text}`, `not monotonic: ${findings.map((f) => f.subject).join(', ')}`, { measured });
  },
} satisfies Check;
