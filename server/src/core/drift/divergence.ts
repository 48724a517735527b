/**
 * Distances between two binned distributions (proportions over the same bins), shared by numeric
 * and categorical features and by prediction drift.
 *
 * - PSI (population stability index) = Σ (q′ − p′) ln(q′ / p′) with p′ = max(p, ε), q′ = max(q, ε),
 *   ε = 1e-4 and no renormalisation: an empty bin counts as 0.01 % rather than making PSI infinite.
 *   Usual reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift (Siddiqi 2006,
 *   "Credit Risk Scorecards").
 * - Jensen–Shannon distance, base 2 (in [0, 1]): √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2, on the
 *   unsmoothed proportions; the divergence is its square. Same as scipy.spatial.distance.jensenshannon.
 */

export const PSI_EPSILON = 1e-4;

/** Counts to proportions (all zeros stay zeros). */
export function proportions(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Float64Array(counts.length);
  if (total > 0) for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}

/** PSI of `q` (current / reference data) against `p` (training), both proportions over the same bins. */
export function psi(p: ArrayLike<number>, q: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = Math.max(p[i]!, epsilon);
    const b = Math.max(q[i]!, epsilon);
    s += (b - a) * Math.log(b / a);
  }
  return s;
}

/** Jensen–Shannon distance in base 2 between proportions `p` and `q`. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = (a + b) / 2;
    if (a > 0) s += a * Math.log2(a / m);
    if (b > 0) s += b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, s / 2));
}
