/**
 * Candidates and what every search does with the valid ones before they are returned: drop the
 * changes that are not needed (sparsity), then move each remaining numeric change back toward the
 * original value as far as the goal allows (bisection on `predict`; integers stay integers). Both
 * keep a candidate valid at every accepted step, so the output is valid whenever the input is.
 */
import { throwIfAborted } from '../errors';
import type { ModelHandle } from '../model/model';
import type { ResolvedConstraints } from './constraints';
import { evaluateGoal, type Goal } from './objective';
import { rawValue, setRaw, stepCost, type FeatureSpace } from './space';

export type SearchMethod = 'gradient' | 'search';

export interface Candidate {
  /** Encoded row (width d). */
  x: Float32Array;
  /** Raw value per feature (number or category index). */
  raw: Float64Array;
  /** Indices of the features that differ from the original. */
  changed: number[];
  distance: number;
  score: number;
  method: SearchMethod;
}

/** The raw values of an encoded row. */
export function decode(space: FeatureSpace, x: ArrayLike<number>, offset = 0): Float64Array {
  return Float64Array.from(space.dims, (d) => rawValue(d, x, offset));
}

/** Builds a candidate from an encoded row (its raw values, changed set and distance from `raw0`). */
export function makeCandidate(space: FeatureSpace, raw0: Float64Array, x: Float32Array, score: number, method: SearchMethod): Candidate {
  const raw = decode(space, x);
  const changed: number[] = [];
  let distance = 0;
  space.dims.forEach((d, f) => {
    if (raw[f] !== raw0[f]) {
      changed.push(f);
      distance += stepCost(d, raw0[f]!, raw[f]!);
    }
  });
  return { x, raw, changed, distance, score, method };
}

export interface RefineContext {
  model: ModelHandle;
  space: FeatureSpace;
  goal: Goal;
  constraints: ResolvedConstraints;
  x0: Float32Array;
  raw0: Float64Array;
  signal?: AbortSignal;
}

/** Sparsifies and shortens valid candidates (see the file comment); invalid ones are dropped. */
export function refine(ctx: RefineContext, candidates: Candidate[]): Candidate[] {
  let live = candidates.filter((c) => c.score > 0);
  live = sparsify(ctx, live);
  live = shorten(ctx, live);
  return live;
}

function evaluate(ctx: RefineContext, rows: Float32Array[]): Float64Array {
  const d = ctx.x0.length;
  const X = new Float32Array(rows.length * d);
  rows.forEach((r, i) => X.set(r, i * d));
  return evaluateGoal(ctx.model, ctx.goal, X, rows.length, ctx.signal).score;
}

/** Repeatedly reverts the one change whose removal keeps the goal and saves the most distance. */
function sparsify(ctx: RefineContext, cands: Candidate[]): Candidate[] {
  const { space, raw0, x0 } = ctx;
  let current = cands;
  for (;;) {
    throwIfAborted(ctx.signal);
    const trials: Array<{ c: number; f: number; x: Float32Array }> = [];
    current.forEach((cand, c) => {
      if (cand.changed.length < 2) return;
      for (const f of cand.changed) {
        const x = Float32Array.from(cand.x);
        setRaw(space.dims[f]!, x, 0, raw0[f]!);
        // Restore the original encoding exactly (a one-hot group's original pattern).
        copyFeature(space, x0, x, f);
        trials.push({ c, f, x });
      }
    });
    if (trials.length === 0) return current;
    const scores = evaluate(ctx, trials.map((t) => t.x));
    const best = new Map<number, { i: number; saved: number }>();
    trials.forEach((t, i) => {
      if (!(scores[i]! > 0)) return;
      const saved = stepCost(space.dims[t.f]!, raw0[t.f]!, current[t.c]!.raw[t.f]!);
      const prev = best.get(t.c);
      if (!prev || saved > prev.saved) best.set(t.c, { i, saved });
    });
    if (best.size === 0) return current;
    current = current.map((cand, c) => {
      const b = best.get(c);
      return b ? makeCandidate(space, raw0, trials[b.i]!.x, scores[b.i]!, cand.method) : cand;
    });
  }
}

const BISECTION_STEPS = 14;

/**
 * For each numeric change in turn, the smallest move toward the original value's side that keeps
 * the goal: bisection on the fraction t of the change, keeping the valid end.
 */
function shorten(ctx: RefineContext, cands: Candidate[]): Candidate[] {
  const { space, raw0 } = ctx;
  const out = cands.slice();
  const slots = Math.max(0, ...cands.map((c) => c.changed.length));
  for (let s = 0; s < slots; s++) {
    const jobs = out.flatMap((cand, c) => {
      const f = cand.changed[s];
      if (f === undefined) return [];
      const dim = space.dims[f]!;
      if (dim.kind !== 'numeric') return [];
      return [{ c, f, dim, from: raw0[f]!, to: cand.raw[f]!, lo: 0, hi: 1, score: cand.score }];
    });
    if (jobs.length === 0) continue;
    const at = (j: (typeof jobs)[number], t: number) => {
      const v = j.from + t * (j.to - j.from);
      return j.dim.integer ? (j.to > j.from ? Math.ceil(v - 1e-9) : Math.floor(v + 1e-9)) : v;
    };
    for (let it = 0; it < BISECTION_STEPS; it++) {
      throwIfAborted(ctx.signal);
      const open = jobs.filter((j) => at(j, j.hi) !== at(j, j.lo) && Math.abs(at(j, (j.lo + j.hi) / 2) - at(j, j.hi)) > 0);
      if (open.length === 0) break;
      const rows = open.map((j) => {
        const x = Float32Array.from(out[j.c]!.x);
        setRaw(j.dim, x, 0, at(j, (j.lo + j.hi) / 2));
        return x;
      });
      const scores = evaluate(ctx, rows);
      open.forEach((j, i) => {
        if (scores[i]! > 0) {
          j.hi = (j.lo + j.hi) / 2;
          j.score = scores[i]!;
        } else j.lo = (j.lo + j.hi) / 2;
      });
    }
    for (const j of jobs) {
      if (j.hi === 1) continue;
      const x = Float32Array.from(out[j.c]!.x);
      setRaw(j.dim, x, 0, at(j, j.hi));
      out[j.c] = makeCandidate(space, raw0, x, j.score, out[j.c]!.method);
    }
  }
  return out;
}

/** Copies feature `f`'s encoded columns from `from` into `to`. */
export function copyFeature(space: FeatureSpace, from: ArrayLike<number>, to: Float32Array, f: number): void {
  const dim = space.dims[f]!;
  if (dim.kind === 'numeric') to[dim.column] = from[dim.column]!;
  else for (let c = dim.columns[0]; c < dim.columns[1]; c++) to[c] = from[c]!;
}
