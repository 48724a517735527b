/**
 * Drift impact (Fiddler's heuristic: importance share × drift) and the drift × importance quadrant,
 * keeping both terms beside the product so a reader sees which one drives a score.
 *
 * impact = share × drift, once with the share measured on the reference data and once on the
 * training data. The quadrant uses the reference share (how much the model relies on the feature
 * where it now runs) against `thresholds.importance` (default: 1/F, above the uniform share) and
 * the drift score against `thresholds.drift` (default 0.1, PSI's "moderate shift").
 */

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
): { thresholds: QuadrantThresholds; features: FeatureImpact[] } {
  const t: QuadrantThresholds = { drift: thresholds.drift ?? 0.1, importance: thresholds.importance ?? 1 / features.length };
  const out = features.map((feature, f): FeatureImpact => {
    const d = drift[f]!;
    const st = shares.train[f]!;
    const sr = shares.reference[f]!;
    const hiD = d >= t.drift;
    const hiI = sr >= t.importance;
    return {
      feature,
      drift: d,
      importance: { train: st, reference: sr },
      impact: { train: st * d, reference: sr * d },
      quadrant: `${hiD ? 'high' : 'low'}-drift/${hiI ? 'high' : 'low'}-importance`,
    };
  });
  return { thresholds: t, features: out };
}
