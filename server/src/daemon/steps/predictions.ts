/**
 * The model's prediction and confidence for every row of every data file of the project, by the
 * row's line, so hovering a CSV row answers from the store without touching the model; with the
 * task's metrics per file. Computed by core/analyses `predictRows`, as `glassbox predict` does.
 */
import { throwIfAborted } from '../../core/errors';
import { classNamesOf, predictRows, type Metrics } from '../../core/analyses';
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
  /** Share of labelled rows predicted right (classification). */
  accuracy: number | null;
  /** The task's metrics over the file's labelled rows (core/analyses/predict.ts). */
  metrics: Metrics;
}

export interface PredictionsResult extends StepOutput {
  classes: string[] | null;
  files: FilePredictions[];
}

export const predictionsStep = {
  ...STEP_CATALOG.predictions,
  async run({ project, checkpoint, signal, progress }) {
    const files = [...new Set([project.dataPath('train'), project.dataPath('test'), project.dataPath('reference')].filter((f): f is string => Boolean(f)))];
    const out: FilePredictions[] = [];
    let classes: string[] | null = null;
    for (const [i, file] of files.entries()) {
      throwIfAborted(signal);
      const p = await predictRows(project, { checkpoint, dataset: await project.datasetAt(file), signal });
      classes = p.classes;
      const K = p.width;
      out.push({
        file,
        lines: p.lines,
        predicted: p.predicted ?? p.values!,
        confidence: p.predicted ? p.predicted.map((k, r) => Math.round(p.probabilities![r * K + k]! * 1e4) / 1e4) : null,
        labels: p.labels,
        accuracy: p.metrics.task === 'classification' ? p.metrics.accuracy : null,
        metrics: p.metrics,
      });
      progress((i + 1) / files.length, project.relative(file));
    }
    if (!files.length) classes = classNamesOf(project, (await project.schema()).encoding);
    return { classes, files: out };
  },
} satisfies AnalysisStep<PredictionsResult>;
