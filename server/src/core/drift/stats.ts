/**
 * Significance for the drift verdict: a drift score alone (PSI, JS, KS statistic) grows with the
 * noise of a small sample, so "act" also needs the feature's two-sample test to reject "same
 * distribution" after multiple-testing control over the features.
 *
 * - Per feature p-value: KS two-sample (numeric), chi-squared homogeneity (categorical), as the
 *   drift table computes them (numeric.ts, categorical.ts).
 * - Benjamini–Hochberg (1995) false-discovery-rate adjustment over the features of one report:
 *   q_(i) = min_{j >= i} p_(j) · m / j, capped at 1 (the same as R's p.adjust(method = "BH") and
 *   statsmodels' multipletests(method = "fdr_bh")).
 * - Additive smoothing of bin counts, (c + ½) / (n + ½ B) (Jeffreys' prior): an empty bin of a
 *   54-row sample becomes about 1/118, not the 1e-4 floor that lets one empty bin add 0.4 to PSI.
 */
import type { NumericDrift } from './numeric';
import type { CategoricalDrift } from './categorical';

/** False-discovery rate at which a drifted feature counts as significant. */
export const DRIFT_ALPHA = 0.01;
export const PSEUDO_COUNT = 0.5;

/** The feature's two-sample test p-value (NaN when a side is empty). */
export function driftPValue(s: NumericDrift | CategoricalDrift): number {
  return s.type === 'numeric' ? s.ks.pValue : s.chi2.pValue;
}

/** Benjamini–Hochberg adjusted p-values (q-values), in input order; NaN stays NaN and is not counted. */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: p.length }, (_, i) => i).filter((i) => !Number.isNaN(p[i]!));
  idx.sort((a, b) => p[a]! - p[b]!);
  const m = idx.length;
  const q = new Float64Array(p.length).fill(NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r]!;
    running = Math.min(running, (p[i]! * m) / (r + 1));
    q[i] = running;
  }
  return q;
}

/** Proportions after adding `pseudo` to every bin's count. */
export function smoothedProportions(counts: ArrayLike<number>, pseudo = PSEUDO_COUNT): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]! + pseudo;
  return Float64Array.from({ length: counts.length }, (_, i) => (counts[i]! + pseudo) / total);
}
