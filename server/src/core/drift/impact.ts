/**
 * Drift impact (Fiddler's heuristic: importance share × drift) and the drift × importance quadrant,
 * keeping both terms beside the product so a reader sees which one drives a score.
 *
 * impact = share × drift, once with the share measured on the reference data and once on the
 * training data. The quadrant uses the reference share (how much the model relies on the feature
 * where it now runs) against `thresholds.importance` (default: 1/F, above the uniform share) and
 * the drift score against `thresholds.drift` (default 0.1, PSI's "moderate shift").
 *
 * Given the features' two-sample p-values, "high drift" also needs significance: the
 * Benjamini–Hochberg q-value below `alpha` (default 0.01, stats.ts). Effect size and significance
 * both: on 54 reference rows one empty bin lifts PSI over 0.1 by chance, and on 300,000 rows a
 * negligible shift is significant; neither alone is a reason to act.
 */
import { benjaminiHochberg, DRIFT_ALPHA } from './stats';


export type DriftMetric = 'psi' | 'js' | 'ks' | 'wasserstein';

export interface QuadrantThresholds {
  drift: number;
  importance: number;
}

export type Quadrant = 'high-drift/high-importance' | 'high-drift/low-importance' | 'low-drift/high-importance' | 'low-drift/low-importance';

export interface FeatureImpact {
  feature: string;
  drift: number;
  importance: { train: number; reference: number };
  impact: { train: number; reference: number };
  quadrant: Quadrant;
  /** Two-sample test p-value and its Benjamini–Hochberg q-value, when p-values were given. */
  pValue?: number;
  qValue?: number;
}

export const QUADRANT_ADVICE: Record<Quadrant, string> = {
  'high-drift/high-importance': 'act: the model relies on a feature that moved',
  'high-drift/low-importance': 'watch: moved, but the model barely uses it',
  'low-drift/high-importance': 'stable and important',
  'low-drift/low-importance': 'stable and minor',
};

export function driftImpact(
  features: readonly string[],
  drift: ArrayLike<number>,
  shares: { train: ArrayLike<number>; reference: ArrayLike<number> },
  thresholds: Partial<QuadrantThresholds> = {},
  pValues?: ArrayLike<number>,
  alpha = DRIFT_ALPHA,
): { thresholds: QuadrantThresholds; features: FeatureImpact[] } {
  const t: QuadrantThresholds = { drift: thresholds.drift ?? 0.1, importance: thresholds.importance ?? 1 / features.length };
  const q = pValues ? benjaminiHochberg(pValues) : undefined;
  const out = features.map((feature, f): FeatureImpact => {
    const d = drift[f]!;
    const st = shares.train[f]!;
    const sr = shares.reference[f]!;
    // A NaN q (an empty side) is never significant.
    const hiD = d >= t.drift && (!q || q[f]! < alpha);
    const hiI = sr >= t.importance;
    return {
      ...(pValues ? { pValue: pValues[f]!, qValue: q![f]! } : {}),
      feature,
      drift: d,
      importance: { train: st, reference: sr },
      impact: { train: st * d, reference: sr * d },
      quadrant: `${hiD ? 'high' : 'low'}-drift/${hiI ? 'high' : 'low'}-importance`,
    };
  });
  return { thresholds: t, features: out };
}
