/**
 * Global importance per raw feature: mean |gradient saliency| over up to `IMPORTANCE_ROWS` training
 * rows (a seeded sample), normalised to shares that sum to 1. Saliency is the method every model
 * supports; the share is what the editor shows on a CSV header and what trends over checkpoints.
 *
 * Findings: an `expectations.irrelevant` feature whose share exceeds its `maxShare`.
 */
import { featureNames } from '../../core/data/encoding';
import { takeRows } from '../../core/data/dataset';
import { getMethod } from '../../core/methods/registry';
import { resolveParams } from '../../core/methods/params';
import { createRng, sampleWithoutReplacement } from '../../core/util/random';
import type { AnalysisStep, Finding, StepOutput } from './types';

export const IMPORTANCE_ROWS = 1000;

export interface ImportanceResult extends StepOutput {
  method: string;
  rows: number;
  features: string[];
  /** Mean |attribution| per feature, in the model's output units per input unit. */
  meanAbs: number[];
  /** meanAbs / sum(meanAbs). */
  share: number[];
}

export const importanceStep = {
  id: 'importance',
  title: 'Global importance',
  priority: 20,
  invalidatedBy: ['data', 'config'],
  async run({ project, checkpoint, signal, progress }) {
    const { encoding } = await project.schema();
    const model = await project.model(checkpoint);
    const ds = await project.dataset('train');
    const n = Math.min(IMPORTANCE_ROWS, ds.n);
    const rows = n === ds.n ? Int32Array.from({ length: n }, (_, i) => i) : sampleWithoutReplacement(ds.n, n, createRng(0));
    const X = takeRows(ds, rows);
    const method = getMethod('saliency');
    const params = resolveParams(method.id, method.params, { absolute: true });
    const r = await method.attribute({ model, encoding, X, n, target: { kind: 'predicted' }, signal, onProgress: (f) => progress(f) }, params);
    const features = featureNames(encoding);
    const F = features.length;
    const meanAbs = new Array<number>(F).fill(0);
    for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) meanAbs[f]! += Math.abs(r.grouped[i * F + f]!) / n;
    const total = meanAbs.reduce((a, b) => a + b, 0) || 1;
    const share = meanAbs.map((v) => v / total);
    const findings: Finding[] = [];
    const irrelevant = project.config.raw.expectations?.irrelevant ?? [];
    irrelevant.forEach((entry, i) => {
      const spec = typeof entry === 'string' ? { feature: entry, maxShare: 0.05 } : { maxShare: 0.05, ...entry };
      const f = features.indexOf(spec.feature);
      if (f < 0 || share[f]! <= spec.maxShare) return;
      const where = project.config.locate(['expectations', 'irrelevant', i]);
      findings.push({
        severity: 'warning',
        feature: spec.feature,
        message: `'${spec.feature}' carries ${(share[f]! * 100).toFixed(1)}% of global importance (expected at most ${(spec.maxShare * 100).toFixed(1)}%) at checkpoint ${checkpoint.name}`,
        file: where.file,
        ...(where.line !== undefined ? { line: where.line } : {}),
      });
    });
    return { method: 'saliency', rows: n, features, meanAbs, share, findings };
  },
} satisfies AnalysisStep<ImportanceResult>;
