import type { Command } from '../context';
import { table } from '../format';
import { predict as runPredict } from '../../core/model/model';
import { ROW_OPTIONS, selectRows } from '../rows';
import { dataNotes, describeDataNotes } from '../data-notes';

/** The model's predictions for rows of a data set, with accuracy when labels are present. */
export const predict: Command = {
  name: 'predict',
  summary: "run the model on rows of a data set and print its logits, probabilities and predicted class",
  options: {
    ...ROW_OPTIONS,
    checkpoint: { type: 'string', arg: 'PATH', description: 'checkpoint directory or name in the series (default: latest ready)' },
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const ckpt = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
    const model = await project.model(ckpt);
    const sel = await selectRows(ctx, project);
    const p = runPredict(model, sel.X, sel.n);
    const K = p.classes;
    const classes = (await project.schema()).encoding.label?.classes;
    const rows = sel.indices.map((row, i) => {
      const out: Record<string, unknown> = {
        row,
        line: sel.dataset.lines[row],
        logits: Array.from(p.logits.subarray(i * K, (i + 1) * K)),
      };
      if (p.probabilities) {
        out.probabilities = Array.from(p.probabilities.subarray(i * K, (i + 1) * K));
        out.predicted = p.predicted![i];
      }
      if (sel.labels && !Number.isNaN(sel.labels[i])) out.label = sel.labels[i];
      return out;
    });
    let accuracy: number | undefined;
    if (p.predicted && sel.labels) {
      let hit = 0;
      let seen = 0;
      for (let i = 0; i < sel.n; i++) {
        if (Number.isNaN(sel.labels[i])) continue;
        seen++;
        if (p.predicted[i] === sel.labels[i]) hit++;
      }
      if (seen > 0) accuracy = hit / seen;
    }
    const result = { checkpoint: { name: ckpt.name, dir: ckpt.dir, hash: ckpt.hash }, file: sel.dataset.file, classes: classes ?? null, outputKind: model.outputKind, accuracy: accuracy ?? null, data: dataNotes(sel.dataset), rows };
    if (ctx.json) ctx.emit(result);
    else {
      ctx.print(`checkpoint ${ckpt.name} on ${project.relative(sel.dataset.file)}: ${sel.n} rows${accuracy !== undefined ? `, accuracy ${(accuracy * 100).toFixed(2)}%` : ''}`);
      for (const note of describeDataNotes(result.data)) ctx.print(`note: ${note}`);
      const shown = rows.slice(0, 20);
      ctx.print(
        table(
          ['row', 'line', 'predicted', 'p(predicted)', 'label'],
          shown.map((r) => [r.row as number, r.line as number, r.predicted !== undefined ? (classes?.[r.predicted as number] ?? String(r.predicted)) : (r.logits as number[])[0]!, r.probabilities ? Math.max(...(r.probabilities as number[])) : '-', r.label !== undefined ? (classes?.[r.label as number] ?? String(r.label)) : '-']),
        ),
      );
      if (rows.length > shown.length) ctx.print(`... ${rows.length - shown.length} more rows (use --json for all)`);
    }
    await project.dispose();
    return 0;
  },
};
