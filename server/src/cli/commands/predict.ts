/**
 * `glassbox predict`: the model on rows of a data set: logits, probabilities, predicted class, and
 * metrics per task when the rows are labelled.
 */
import { CHECKPOINT_OPTION, type Command } from '../context';
import { table } from '../format';
import { ROW_OPTIONS, selectRows } from '../rows';
import { dataNotes, describeDataNotes } from '../data-notes';
import { className, formatNumber, predictRows, type Metrics } from '../../core/analyses';

/**
 * The model's predictions for rows of a data set, with the task's metrics when labels are present
 * (accuracy and log loss, or RMSE, MAE and R²): parse, core/analyses `predictRows`, print.
 */
export const predict: Command = {
  name: 'predict',
  summary: "run the model on rows of a data set and print its logits, probabilities and predicted class",
  options: {
    ...ROW_OPTIONS,
    checkpoint: CHECKPOINT_OPTION,
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const checkpoint = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
    const sel = await selectRows(ctx, project);
    const p = await predictRows(project, { checkpoint, dataset: sel.dataset, rows: sel.indices });
    const K = p.width;
    const rows = p.rows.map((row, i) => {
      const out: Record<string, unknown> = { row, line: p.lines[i], logits: p.logits.slice(i * K, (i + 1) * K) };
      if (p.probabilities) {
        out.probabilities = p.probabilities.slice(i * K, (i + 1) * K);
        out.predicted = p.predicted![i];
      }
      if (p.labels && p.labels[i] !== null) out.label = p.labels[i];
      return out;
    });
    const accuracy = p.metrics.task === 'classification' ? p.metrics.accuracy : null;
    const result = { checkpoint: p.checkpoint, file: p.file, classes: p.classes, outputKind: p.outputKind, accuracy, metrics: p.metrics, data: dataNotes(sel.dataset), rows };
    if (ctx.json) ctx.emit(result);
    else {
      ctx.print(`checkpoint ${checkpoint.name} on ${project.relative(p.file)}: ${p.rows.length} rows${describeMetrics(p.metrics)}`);
      for (const note of describeDataNotes(result.data)) ctx.print(`note: ${note}`);
      const shown = rows.slice(0, 20);
      ctx.print(
        table(
          ['row', 'line', 'predicted', 'p(predicted)', 'label'],
          shown.map((r) => [
            r.row as number,
            r.line as number,
            r.predicted !== undefined ? className(p.classes, r.predicted as number) : (r.logits as number[])[0]!,
            r.probabilities ? Math.max(...(r.probabilities as number[])) : '-',
            r.label === undefined ? '-' : p.predicted ? className(p.classes, r.label as number) : (r.label as number),
          ]),
        ),
      );
      if (rows.length > shown.length) ctx.print(`... ${rows.length - shown.length} more rows (use --json for all)`);
    }
    await project.dispose();
    return 0;
  },
};

function describeMetrics(m: Metrics): string {
  if (m.task === 'classification') {
    return m.accuracy === null ? '' : `, accuracy ${(m.accuracy * 100).toFixed(2)}%, log loss ${formatNumber(m.logLoss!)} (${m.labelled} labelled rows)`;
  }
  return m.rmse === null ? '' : `, RMSE ${formatNumber(m.rmse)}, MAE ${formatNumber(m.mae!)}, R² ${m.r2 === null ? 'undefined' : formatNumber(m.r2)} (${m.labelled} labelled rows)`;
}
