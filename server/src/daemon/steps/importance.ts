/**
 * Global importance per raw feature: mean |attribution| of the project-wide default importance
 * method for the model (`defaultImportance`: exact for linear and tree models, else `DEFAULT_IMPORTANCE`;
 * the same as `glassbox importance`, checks and drift use) over up to
 * `IMPORTANCE_ROWS` training rows (a seeded sample), normalised to shares that sum to 1; the share
 * is what the editor shows on a CSV header and what trends over checkpoints.
 * Per predicted class too (rows grouped by the model's prediction). Expectations on the shares are
 * the checks step's (steps/checks.ts).
 */
import { featureNames } from '../../core/data/encoding';
import { takeRows } from '../../core/data/dataset';
import { getMethod } from '../../core/methods/registry';
import { resolveParams } from '../../core/methods/params';
import { createRng, sampleWithoutReplacement } from '../../core/util/random';
import { predict } from '../../core/model/model';
import { aggregateImportance, defaultImportance } from '../../core/importance/importance';
import type { AnalysisStep, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

export const IMPORTANCE_ROWS = 1000;

export interface ImportanceResult extends StepOutput {
  method: string;
  rows: number;
  features: string[];
  /** Mean |attribution| per feature, in the model's output units per input unit. */
  meanAbs: number[];
  /** meanAbs / sum(meanAbs). */
  share: number[];
  /** Mean |attribution| over the rows the model predicts as each class (classification). */
  perClass: Array<{ class: number; label: string; rows: number; meanAbs: number[] }>;
}

export const importanceStep = {
  ...STEP_CATALOG.importance,
  async run({ project, checkpoint, signal, progress }) {
    const { encoding } = await project.schema();
    const model = await project.model(checkpoint);
    const ds = await project.dataset('train');
    const n = Math.min(IMPORTANCE_ROWS, ds.n);
    const rows = n === ds.n ? Int32Array.from({ length: n }, (_, i) => i) : sampleWithoutReplacement(ds.n, n, createRng(0));
    const X = takeRows(ds, rows);
    const chosen = defaultImportance(model);
    const method = getMethod(chosen.method);
    const params = resolveParams(method.id, method.params, chosen.params);
    const r = await method.attribute(
      { model, encoding, X, n, target: { kind: 'predicted' }, background: ds.X, backgroundN: ds.n, seed: 0, signal, onProgress: (f) => progress(f) },
      params,
    );
    const features = featureNames(encoding);
    const F = features.length;
    const meanAbs = new Array<number>(F).fill(0);
    for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) meanAbs[f]! += Math.abs(r.grouped[i * F + f]!) / n;
    const total = meanAbs.reduce((a, b) => a + b, 0) || 1;
    const share = meanAbs.map((v) => v / total);
    const predicted = model.task === 'regression' ? undefined : predict(model, X, n, signal).predicted;
    const classes = project.config.raw.classNames ?? encoding.label?.classes ?? [];
    const perClass = predicted
      ? aggregateImportance(r.grouped, n, F, { predicted, classLabels: classes }).byPredictedClass.map((c) => ({ class: c.class, label: c.label ?? String(c.class), rows: c.n, meanAbs: c.meanAbs }))
      : [];
    return { method: method.id, rows: n, features, meanAbs, share, perClass };
  },
} satisfies AnalysisStep<ImportanceResult>;
