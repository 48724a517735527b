/**
 * The model's prediction and confidence for every row of every data file of the project, by the
 * row's line, so hovering a CSV row answers from the store without touching the model.
 */
import { predict } from '../../core/model/model';
import { throwIfAborted } from '../../core/errors';
import type { AnalysisStep, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

export interface FilePredictions {
  file: string;
  /** 1-based line of each row (increasing). */
  lines: number[];
  /** Predicted class index (classification) or value (regression) per row. */
  predicted: number[];
  /** Probability of the predicted class (classification; 4 decimals). */
  confidence: number[] | null;
  /** True class index per row (NaN -> null) when the file has labels. */
  labels: Array<number | null> | null;
  /** Share of labelled rows predicted right. */
  accuracy: number | null;
}

export interface PredictionsResult extends StepOutput {
  classes: string[] | null;
  files: FilePredictions[];
}

export const predictionsStep = {
  ...STEP_CATALOG.predictions,
  async run({ project, checkpoint, signal, progress }) {
    const schema = await project.schema();
    const model = await project.model(checkpoint);
    const files = [...new Set([project.dataPath('train'), project.dataPath('test'), project.dataPath('reference')].filter((f): f is string => Boolean(f)))];
    const out: FilePredictions[] = [];
    for (const [i, file] of files.entries()) {
      throwIfAborted(signal);
      const ds = await project.datasetAt(file);
      const p = predict(model, ds.X, ds.n, signal);
      const K = p.classes;
      const predicted: number[] = new Array(ds.n);
      const confidence: number[] | null = p.probabilities ? new Array(ds.n) : null;
      let hit = 0;
      let seen = 0;
      for (let r = 0; r < ds.n; r++) {
        if (p.predicted) {
          predicted[r] = p.predicted[r]!;
          confidence![r] = Math.round(p.probabilities![r * K + p.predicted[r]!]! * 1e4) / 1e4;
        } else predicted[r] = p.logits[r * K]!;
        const y = ds.y?.[r];
        if (p.predicted && y !== undefined && !Number.isNaN(y)) {
          seen++;
          if (y === p.predicted[r]) hit++;
        }
      }
      out.push({
        file,
        lines: Array.from(ds.lines),
        predicted,
        confidence,
        labels: ds.y ? Array.from(ds.y, (v) => (Number.isNaN(v) ? null : v)) : null,
        accuracy: seen ? hit / seen : null,
      });
      progress((i + 1) / files.length, project.relative(file));
    }
    return { classes: project.config.raw.classNames ?? schema.encoding.label?.classes ?? null, files: out };
  },
} satisfies AnalysisStep<PredictionsResult>;
