/**
 * Global importance per raw feature: mean |attribution| of the project-wide default importance
 * method for the model (`defaultImportance`: exact for linear and tree models, else `DEFAULT_IMPORTANCE`;
 * the same as `glassbox importance`, checks and drift use) over up to
 * `IMPORTANCE_ROWS` training rows (a seeded sample, in file order), normalised to shares that sum
 * to 1 (core/analyses `importanceOver`, the same code as `glassbox importance`); the share
 * is what the editor shows on a CSV header and what trends over checkpoints.
 * Per predicted class too (rows grouped by the model's prediction). Expectations on the shares are
 * the checks step's (steps/checks.ts).
 */
import { createRng, sampleWithoutReplacement } from '../../core/util/random';
import { importanceOver } from '../../core/analyses';
import type { AnalysisStep, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

export const IMPORTANCE_ROWS = 1000;

export interface ImportanceResult extends StepOutput {
  method: string;
  /** Rows explained, of `file` (absolute path of the training data; absent in results stored before it was recorded). */
  rows: number;
  file?: string;
  features: string[];
  /** Mean |attribution| per feature, in the model's output units per input unit. */
  meanAbs: number[];
  /** meanAbs / sum(meanAbs); uniform when every attribution is 0 (importance/importance.ts `summarise`). */
  share: number[];
  /** Mean |attribution| over the rows the model predicts as each class (classification). */
  perClass: Array<{ class: number; label: string; rows: number; meanAbs: number[] }>;
}

export const importanceStep = {
  ...STEP_CATALOG.importance,
  async run({ project, checkpoint, signal, progress }) {
    const ds = await project.dataset('train');
    const n = Math.min(IMPORTANCE_ROWS, ds.n);
    // In file order, so the same rows give `glassbox importance --data train` the same numbers.
    const rows = n === ds.n ? Array.from({ length: n }, (_, i) => i) : Array.from(sampleWithoutReplacement(ds.n, n, createRng(0))).sort((a, b) => a - b);
    const g = await importanceOver(project, { checkpoint, dataset: ds, rows, signal, onProgress: (f) => progress(f) });
    return {
      method: g.method,
      rows: n,
      file: ds.file,
      features: g.features,
      meanAbs: g.meanAbs,
      share: g.shares,
      perClass: g.byPredictedClass.map((c) => ({ class: c.class, label: c.label ?? String(c.class), rows: c.n, meanAbs: c.meanAbs })),
    };
  },
} satisfies AnalysisStep<ImportanceResult>;
