/**
 * Model-agnostic counterfactual search (any model `predict` runs: tree ensembles, networks, linear
 * models): a beam search over feature subsets of growing size, in the spirit of GeCo (Schleich et
 * al. 2021) and DiCE's random sampling, but exhaustive per feature. Level 1 tries every allowed
 * single change (each training category; numeric training quantiles within the allowed interval)
 * in one batched forward pass; each later level extends the most promising invalid changes (score
 * gain per unit distance) by one more feature. Valid rows are collected until enough distinct
 * feature subsets are found or `maxChanges` is reached; `refine` then makes them minimal.
 */
import { throwIfAborted } from '../errors';
import { allowedInterval } from './constraints';
import { evaluateGoal } from './objective';
import { makeCandidate, type Candidate, type RefineContext } from './refine';
import { setRaw, stepCost, type FeatureSpace } from './space';

export interface SearchOptions {
  /** Distinct feature subsets to collect before stopping (default 6). */
  want?: number;
  /** Partial changes kept per level (default 16). */
  beam?: number;
  /** Numeric values tried per feature when extending a partial change (default 12). */
  valuesPerFeature?: number;
  /**
   * Distinct valid subsets already found by another search: levels beyond the first are searched
   * only while `have` + this search's subsets fall short of `want` (default 0).
   */
  have?: number;
}

interface Move {
  f: number;
  value: number;
  cost: number;
}

interface State {
  x: Float32Array;
  features: number[];
  values: number[];
  cost: number;
  score: number;
}

/** Allowed new raw values of each mutable feature for the row (never its current value). */
export function movesFor(space: FeatureSpace, ctx: RefineContext, numericLimit: number): Move[][] {
  const { constraints, raw0 } = ctx;
  return space.dims.map((dim, f) => {
    if (!constraints.mutable[f]) return [];
    const v0 = raw0[f]!;
    if (dim.kind === 'categorical') return dim.observed.filter((k) => k !== v0).map((k) => ({ f, value: k, cost: 1 }));
    const [a, b] = allowedInterval(constraints, f, v0);
    if (!(a <= b)) return [];
    const values = new Set<number>();
    for (const q of dim.quantiles) if (q >= a && q <= b) values.add(q);
    const ends = dim.integer ? [Math.ceil(a), Math.floor(b)] : [a, b];
    for (const e of ends) if (e >= a && e <= b) values.add(e);
    values.delete(v0);
    let list = [...values].sort((p, q) => p - q);
    if (list.length > numericLimit) list = spread(list, v0, numericLimit);
    return list.map((value) => ({ f, value, cost: stepCost(dim, v0, value) }));
  });
}

/** `limit` values of a sorted list, spread evenly on both sides of v0 (near values first). */
function spread(list: number[], v0: number, limit: number): number[] {
  const below = list.filter((v) => v < v0).reverse();
  const above = list.filter((v) => v > v0);
  const pick = (side: number[], k: number) => (k >= side.length ? side : Array.from({ length: k }, (_, i) => side[Math.round((i * (side.length - 1)) / Math.max(1, k - 1))]!));
  const kb = below.length === 0 ? 0 : above.length === 0 ? limit : Math.ceil(limit / 2);
  return [...pick(below, Math.min(kb, below.length)), ...pick(above, limit - Math.min(kb, below.length))];
}

export function searchCounterfactuals(ctx: RefineContext, options: SearchOptions = {}): Candidate[] {
  const { space, x0, raw0, constraints } = ctx;
  const want = options.want ?? 6;
  const beamWidth = options.beam ?? 16;
  const d = x0.length;
  const allMoves = movesFor(space, ctx, Infinity);
  const someMoves = movesFor(space, ctx, options.valuesPerFeature ?? 12);
  const base = evaluateGoal(ctx.model, ctx.goal, x0, 1, ctx.signal).score[0]!;
  const found: Candidate[] = [];
  const subsets = new Set<string>();
  let beam: State[] = [{ x: x0, features: [], values: [], cost: 0, score: base }];
  for (let level = 1; level <= constraints.maxChanges && beam.length > 0; level++) {
    throwIfAborted(ctx.signal);
    const moves = level === 1 ? allMoves : someMoves;
    const next: State[] = [];
    const seen = new Set<string>();
    for (const s of beam) {
      for (const fm of moves) {
        if (fm.length === 0 || s.features.includes(fm[0]!.f)) continue;
        for (const m of fm) {
          // Changes are unordered: {a, b} is reached from a and from b; keep one.
          const k = [...s.features.map((f, i) => `${f}=${s.values[i]}`), `${m.f}=${m.value}`].sort().join(',');
          if (seen.has(k)) continue;
          seen.add(k);
          const x = Float32Array.from(s.x);
          setRaw(space.dims[m.f]!, x, 0, m.value);
          next.push({ x, features: [...s.features, m.f], values: [...s.values, m.value], cost: s.cost + m.cost, score: NaN });
        }
      }
    }
    if (next.length === 0) break;
    const X = new Float32Array(next.length * d);
    next.forEach((s, i) => X.set(s.x, i * d));
    const scores = evaluateGoal(ctx.model, ctx.goal, X, next.length, ctx.signal).score;
    next.forEach((s, i) => (s.score = scores[i]!));
    const valid = next.filter((s) => s.score > 0).sort((a, b) => a.cost - b.cost);
    for (const s of valid) {
      const key = [...s.features].sort((p, q) => p - q).join(',');
      // The cheapest valid row of each subset; further ones only add near-duplicates.
      if (subsets.has(key)) continue;
      subsets.add(key);
      found.push(makeCandidate(space, raw0, s.x, s.score, 'search'));
    }
    if (subsets.size + (options.have ?? 0) >= want) break;
    // Extend the partial changes that moved the score most per unit of distance, at most a few
    // per feature subset so the beam keeps different subsets.
    const perSubset = new Map<string, number>();
    beam = next
      .filter((s) => !(s.score > 0) && s.score > base && Number.isFinite(s.cost))
      .sort((a, b) => (b.score - base) / b.cost - (a.score - base) / a.cost)
      .filter((s) => {
        const key = [...s.features].sort((p, q) => p - q).join(',');
        const n = perSubset.get(key) ?? 0;
        perSubset.set(key, n + 1);
        return n < 2;
      })
      .slice(0, beamWidth);
  }
  return found;
}
