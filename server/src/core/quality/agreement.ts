/**
 * Agreement between two methods' attributions of the same rows (Krishna et al. 2022, "The
 * Disagreement Problem in Explainable Machine Learning", arXiv:2202.01602): per row, the Spearman
 * rank correlation of |attributions| over raw features and the top-k overlap (shared features among
 * each method's k largest |attributions|, divided by k), averaged over rows. Rows where either
 * method gives every feature the same |attribution| have no ranking and are left out.
 */
import { spearman } from '../util/stats';

export interface Agreement {
  a: string;
  b: string;
  /** Mean per-row Spearman of |attributions|; NaN when no row has a ranking on both sides. */
  spearman: number;
  /** Mean per-row |top-k(a) ∩ top-k(b)| / k. */
  topK: number;
  k: number;
  rows: number;
}

/** The k features of largest |value| in one row (ties by feature index). */
export function topFeatures(v: ArrayLike<number>, offset: number, F: number, k: number): number[] {
  return Array.from({ length: F }, (_, f) => f)
    .sort((i, j) => Math.abs(v[offset + j]!) - Math.abs(v[offset + i]!) || i - j)
    .slice(0, k);
}

export function agreement(a: { method: string; values: ArrayLike<number> }, b: { method: string; values: ArrayLike<number> }, n: number, F: number, k = Math.min(3, F)): Agreement {
  let rho = 0;
  let overlap = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const ra = Array.from({ length: F }, (_, f) => Math.abs(a.values[i * F + f]!));
    const rb = Array.from({ length: F }, (_, f) => Math.abs(b.values[i * F + f]!));
    const s = spearman(ra, rb);
    if (Number.isNaN(s)) continue;
    rho += s;
    const ta = new Set(topFeatures(a.values, i * F, F, k));
    overlap += topFeatures(b.values, i * F, F, k).filter((f) => ta.has(f)).length / k;
    rows++;
  }
  return { a: a.method, b: b.method, spearman: rows ? rho / rows : NaN, topK: rows ? overlap / rows : NaN, k, rows };
}
