/**
 * Drift and drift impact of the analysed checkpoint: the core's drift report (per-feature drift
 * between the training data and the reference data, else the test data; importance shares on both
 * sides; impact = share × drift; the drift × importance quadrant), configured by `drift` in
 * glassbox.json exactly as `glassbox drift` is (metric, bins, thresholds, importance method/rows).
 *
 * Findings: a feature in the high-drift/high-importance quadrant (drift at or above
 * `thresholds.drift` and reference importance share at or above `thresholds.importance`), i.e. drift
 * impact above thresholds.drift × thresholds.importance, is a warning shown wherever the feature's
 * name is a string literal in training code and glassbox.json, with the numbers and the checkpoint.
 */
import { driftReport } from '../../core/drift/report';
import { driftOptionsFromConfig } from '../../core/drift/options';
import { QUADRANT_ADVICE, type FeatureImpact } from '../../core/drift/impact';
import type { AnalysisStep, Finding, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

/** A feature's drift x importance as the report has it (impact.ts), without the test's p/q-values. */
export type DriftFeature = Pick<FeatureImpact, 'feature' | 'drift' | 'importance' | 'impact' | 'quadrant'>;

export interface DriftResult extends StepOutput {
  train: string;
  reference: string;
  metric: string;
  thresholds: { drift: number; importance: number };
  importanceMethod: string;
  /** Largest reference impact first. */
  features: DriftFeature[];
  attributionDrift: { spearman: number; ndcg: number };
}

const fmt = (x: number) => (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(2));

export const driftStep = {
  ...STEP_CATALOG.drift,
  async run({ project, checkpoint, signal, progress }) {
    const options = { ...driftOptionsFromConfig(project.config), checkpoint, signal };
    // The editor has no per-chunk view yet: skip the chunked pass.
    delete options.timestamp;
    delete options.chunkSize;
    progress(0, 'drift per feature');
    const report = await driftReport(project, options);
    const rel = (f: string) => project.relative(f);
    const features: DriftFeature[] = report.features.map((f) => ({ feature: f.feature, drift: f.drift, importance: f.importance, impact: f.impact, quadrant: f.quadrant }));
    const t = report.thresholds;
    const findings: Finding[] = features
      .filter((f) => f.quadrant === 'high-drift/high-importance')
      .map((f) => ({
        severity: 'warning',
        code: 'drift-impact',
        feature: f.feature,
        message:
          `'${f.feature}' drifted: ${report.metric} ${fmt(f.drift)} (threshold ${fmt(t.drift)}) in ${rel(report.reference)} vs ${rel(report.train)}, ` +
          `importance share ${(f.importance.reference * 100).toFixed(1)}% (threshold ${(t.importance * 100).toFixed(1)}%), drift impact ${fmt(f.impact.reference)}: ` +
          `${QUADRANT_ADVICE[f.quadrant]} (checkpoint ${checkpoint.name})`,
      }));
    progress(1);
    return {
      train: report.train,
      reference: report.reference,
      metric: report.metric,
      thresholds: t,
      importanceMethod: report.importanceMethod,
      features,
      attributionDrift: report.attributionDrift,
      findings,
    };
  },
} satisfies AnalysisStep<DriftResult>;
