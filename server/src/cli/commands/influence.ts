/**
 * `glassbox influence`: the training rows that most supported or opposed the predictions for given
 * rows (TracIn), the nearest rows of another class, and the fairness lens.
 */
import type { Command, CommandContext } from '../context';
import { fmtNum } from '../format';
import { GlassboxError } from '../../core/errors';
import type { Project } from '../../core/project';
import { DEFAULT_INFLUENCE_METHOD, INFLUENCE_METHODS, InfluenceIndex, type InfluenceMethod } from '../../core/influence/index';
import { influenceReport } from '../../core/influence/report';
import { ROW_OPTIONS, selectRows } from '../rows';

/** Options shared by `influence` and `suspects`: which checkpoints and learning-rate weights. */
export const TRACE_OPTIONS = {
  checkpoint: { type: 'string', arg: 'NAMES', description: 'checkpoints to trace over, comma-separated names or directories (default: every ready checkpoint)' },
  'learning-rate': { type: 'string', arg: 'X', description: 'one learning-rate weight for every checkpoint (default: checkpoint metadata, else checkpoints.learningRate, else 1)' },
} as const;

/** Opens the influence index for the command's options (precomputing what is missing). */
export async function openIndex(ctx: CommandContext, project: Project): Promise<InfluenceIndex> {
  const options: Parameters<typeof InfluenceIndex.open>[1] = { train: await project.dataset('train', { keepRaw: true }) };
  const spec = ctx.options.checkpoint as string | undefined;
  if (spec) options.checkpoints = spec.split(',').map((s) => project.resolveCheckpoint(s.trim()));
  const lr = ctx.options['learning-rate'] as string | undefined;
  if (lr !== undefined) {
    const v = Number(lr);
    if (!(v > 0)) throw new GlassboxError('usage', `--learning-rate must be a positive number, got '${lr}'`);
    options.learningRate = v;
  }
  return InfluenceIndex.open(project, options);
}

/** Which training rows drove the model's output for query rows (TracInCP and its normalised forms). */
export const influence: Command = {
  name: 'influence',
  summary: 'training rows that most supported / opposed the prediction for rows, nearest rows, fairness lens',
  options: {
    ...ROW_OPTIONS,
    top: { type: 'string', arg: 'K', description: 'rows per list (default 10)' },
    method: { type: 'string', arg: 'M', description: `ranking score: ${INFLUENCE_METHODS.join(', ')} (default ${DEFAULT_INFLUENCE_METHOD})` },
    ...TRACE_OPTIONS,
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const method = ((ctx.options.method as string | undefined) ?? DEFAULT_INFLUENCE_METHOD) as InfluenceMethod;
    if (!INFLUENCE_METHODS.includes(method)) throw new GlassboxError('usage', `--method must be one of ${INFLUENCE_METHODS.join(', ')}, got '${method}'`);
    const top = Number((ctx.options.top as string | undefined) ?? 10);
    if (!Number.isInteger(top) || top < 1) throw new GlassboxError('usage', `--top must be a positive integer, got '${ctx.options.top}'`);
    const index = await openIndex(ctx, project);
    try {
      const train = await project.dataset('train', { keepRaw: true });
      const sel = await selectRows(ctx, project, 1);
      const { encoding } = await project.schema();
      const latest = index.entries[index.entries.length - 1]!;
      const model = await project.model(latest.info);
      const featureColumns = encoding.features.map((f) => f.name);
      const values = sel.indices.map((r) => Object.fromEntries(sel.dataset.header.map((h, c) => [h, sel.dataset.raw?.[r]?.[c]])));
      const input: Parameters<typeof influenceReport>[0] = { index, train, model, X: sel.X, n: sel.n, values, top, method, protectedAttributes: project.config.raw.protected ?? [], featureColumns };
      if (sel.labels) input.labels = sel.labels;
      const reports = influenceReport(input);
      const classes = project.config.raw.classNames ?? encoding.label?.classes;
      const rows = sel.indices.map((row, q) => ({ row, line: sel.dataset.lines[row]!, values: Object.fromEntries(featureColumns.map((c) => [c, values[q]![c]])), ...reports[q]! }));
      const json = {
        method,
        scope: index.scope,
        checkpoints: index.entries.map((e) => ({ name: e.info.name, hash: e.info.hash, learningRate: e.weight, reused: e.reused })),
        file: sel.dataset.file,
        trainFile: train.file,
        classes: classes ?? null,
        rows,
      };
      if (ctx.json) ctx.emit(json);
      else {
        ctx.print(`influence (${method}) over ${index.entries.length} checkpoint(s): ${index.entries.map((e) => e.info.name).join(', ')}; gradients of ${index.scope}`);
        const cls = (y: number) => classes?.[y] ?? String(y);
        const trainFile = project.relative(train.file);
        for (const r of rows) {
          ctx.print();
          ctx.print(`${project.relative(sel.dataset.file)}:${r.line}  row ${r.row}  label ${cls(r.label)}${r.labelSource === 'predicted' ? ' (predicted)' : ''}`);
          const list = (title: string, items: typeof r.proponents) => {
            ctx.print(`  ${title}`);
            for (const p of items) {
              ctx.print(`    ${`${trainFile}:${p.line}`.padEnd(28)} row ${String(p.index).padStart(6)}  ${cls(p.label).padEnd(6)} ${fmtNum(p.score).padStart(10)}   tracin ${fmtNum(p.scores.tracin)}  cos ${fmtNum(p.scores['tracin-cos'])}`);
            }
          };
          list('proponents (removing them would hurt this prediction most)', r.proponents);
          list('opponents', r.opponents);
          ctx.print(`  nearest in input space: ${r.nearestInput.map((nb) => `row ${nb.index} (${fmtNum(nb.distance, 3)})`).join(', ')}`);
          if (r.nearestHidden.length) ctx.print(`  nearest in last hidden layer: ${r.nearestHidden.map((nb) => `row ${nb.index} (${fmtNum(nb.distance, 3)})`).join(', ')}`);
          if (r.nearestOtherClass) ctx.print(`  nearest row of another class: ${trainFile}:${r.nearestOtherClass.line} row ${r.nearestOtherClass.index} (${cls(r.nearestOtherClass.label)}, distance ${fmtNum(r.nearestOtherClass.distance, 3)})`);
          for (const f of r.fairness) ctx.print(`  ${f.attribute}=${f.value}: ${(f.topShare * 100).toFixed(0)}% of the top ${f.k} proponents vs ${(f.baseShare * 100).toFixed(0)}% of training rows`);
        }
      }
    } finally {
      index.close();
      await project.dispose();
    }
    return 0;
  },
};
