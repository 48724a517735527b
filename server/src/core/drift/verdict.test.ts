import { describe, it, expect } from 'vitest';
import { driftVerdict, accuracyFell, type FeatureDriftRow } from './report';
import type { PerformanceEstimate } from './cbpe';
import type { MultivariateDrift } from './multivariate';

const est = (acc: number, se: number): PerformanceEstimate => ({ rows: 1000, expectedAccuracy: acc, standardError: se, calibration: { recalibrated: false } });
const row = (feature: string, quadrant: FeatureDriftRow['quadrant']) => ({ feature, quadrant }) as FeatureDriftRow;
const mv = (drifted: boolean) => ({ drifted, auc: 0.7, pValue: 0.05 }) as MultivariateDrift;
const prediction = { scores: [] };

describe('drift verdict', () => {
  it('acts on a moved important feature or a significant estimated accuracy fall; watches a joint shift alone', () => {
    expect(driftVerdict({ features: [row('age', 'low-drift/high-importance')], prediction })).toEqual({ level: 'stable', reasons: [] });
    expect(driftVerdict({ features: [row('age', 'high-drift/high-importance')], prediction }).level).toBe('act');
    const joint = driftVerdict({ features: [], multivariate: mv(true), prediction });
    expect(joint.level).toBe('watch');
    expect(joint.reasons[0]).toMatch(/joint distribution moved: .*AUC 0\.700/);
    // A fall of 0.05 with standard errors 0.005: 7 standard errors of the difference.
    const fell = driftVerdict({ features: [], multivariate: mv(true), estimatedPerformance: { train: est(0.9, 0.005), reference: est(0.85, 0.005) }, prediction });
    expect(fell.level).toBe('act');
    expect(fell.reasons).toHaveLength(2);
    // 0.02 with standard errors 0.01: under three standard errors; 0.005 with tiny errors: under 0.01.
    expect(accuracyFell({ train: est(0.9, 0.01), reference: est(0.88, 0.01) })).toBe(false);
    expect(accuracyFell({ train: est(0.9, 1e-4), reference: est(0.895, 1e-4) })).toBe(false);
    expect(accuracyFell({ train: est(0.9, 1e-3), reference: est(0.88, 1e-3) })).toBe(true);
  });
});

describe('drift report', () => {
  it('fits the domain classifier once per pair of datasets: a second checkpoint reuses it', async () => {
    const { anchorProject } = await import('../../../test/helpers');
    const { driftReport } = await import('./report');
    const project = await anchorProject();
    const [first, , , , last] = project.checkpoints();
    const options = { importanceMethod: 'saliency', importanceRows: 50, multivariate: { rowsPerSide: 200, permutations: 4 } };
    const a = await driftReport(project, { ...options, checkpoint: first! });
    const b = await driftReport(project, { ...options, checkpoint: last! });
    expect(b.multivariate).toBe(a.multivariate);
    expect(a.multivariate!.rows).toEqual({ train: 200, reference: 200 });
    // The estimate follows the checkpoint: epoch 1 and epoch 5 differ.
    expect(a.estimatedPerformance!.reference.expectedAccuracy).not.toBe(b.estimatedPerformance!.reference.expectedAccuracy);
    const c = await driftReport(project, { ...options, checkpoint: last!, multivariate: false });
    expect(c.multivariate).toBeUndefined();
    await project.dispose();
  }, 120_000);
});
