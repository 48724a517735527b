/**
 * `glassbox explain`: attributions of rows' model outputs to their raw features (parse,
 * core/analyses/explain, print): the same answer the editor's Explain panel and hovers give.
 */
import { CHECKPOINT_OPTION, type Command } from '../context';
import { bar } from '../format';
import { GlassboxError } from '../../core/errors';
import { getMethod, methodIds } from '../../core/methods/registry';
import type { Target } from '../../core/methods/types';
import { className, explainRows, formatNumber } from '../../core/analyses';
import { ROW_OPTIONS, selectRows } from '../rows';
import { dataNotes, describeDataNotes } from '../data-notes';

/** Local attributions for rows, per raw feature (and per encoded input with --encoded): parse, core/analyses `explainRows`, print. */
export const explain: Command = {
  name: 'explain',
  summary: 'attribute the model output for rows to their raw features',
  options: {
    ...ROW_OPTIONS,
    method: { type: 'string', arg: 'ID', description: `attribution method (${methodIds().join(', ')}; default: additive, linear-shap for linear models, tree-shap for tree ensembles, kernel-shap for networks)` },
    param: { type: 'string', multiple: true, arg: 'KEY=VALUE', description: "a method parameter, e.g. --param absolute=true (repeatable; see docs/cli.md)" },
    target: { type: 'string', arg: 'T', description: 'what to explain: predicted (default), class:N, or loss (against the true label)' },
    checkpoint: CHECKPOINT_OPTION,
    top: { type: 'string', arg: 'K', description: 'features shown per row in the readable output (default 6)' },
    encoded: { type: 'boolean', description: 'include per-encoded-column attributions in the JSON' },
    seed: { type: 'string', arg: 'N', description: 'random seed of stochastic methods (default 0)' },
  },
  async run(ctx) {
    const engine = await ctx.engine();
    const project = ctx.project();
    const given = ctx.options.method as string | undefined;
    if (given) getMethod(given); // an unknown method is a usage error before any loading
    const target = parseTarget((ctx.options.target as string | undefined) ?? 'predicted');
    const params = parseParams((ctx.options.param as string[] | undefined) ?? []);
    const seed = ctx.options.seed !== undefined ? parseSeed(ctx.options.seed as string) : undefined;
    const checkpoint = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
    const sel = await selectRows(ctx, project, 5);
    const r = await explainRows(project, {
      checkpoint,
      dataset: sel.dataset,
      rows: sel.indices,
      target,
      params,
      ...(given ? { method: given } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(ctx.options.encoded ? { encoded: true } : {}),
    });
    const json = {
      checkpoint: r.checkpoint,
      backend: engine.backend,
      method: r.method,
      params: r.params,
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
      target: r.target,
      file: r.file,
      features: r.features,
      classes: r.classes,
      data: dataNotes(sel.dataset),
      rows: r.rows,
      extras: r.extras,
    };
    if (ctx.json) ctx.emit(json);
    else {
      const top = Number((ctx.options.top as string | undefined) ?? 6);
      ctx.print(`${getMethod(r.method).name} on checkpoint ${checkpoint.name} (${engine.backend}), target ${describeTarget(target)}`);
      for (const note of describeDataNotes(json.data)) ctx.print(`note: ${note}`);
      for (const row of r.rows) {
        const p = row.prediction;
        const predText = p.class !== undefined ? `predicted ${className(r.classes, p.class)} (p=${formatNumber(p.probability!, 3)})` : `predicted ${formatNumber(p.value!)}`;
        ctx.print();
        ctx.print(`${project.relative(r.file)}:${row.line}  row ${row.row}  ${predText}`);
        const entries = Object.entries(row.attributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, top);
        const max = Math.max(...entries.map((e) => Math.abs(e[1])));
        for (const [name, v] of entries) {
          ctx.print(`  ${name.padEnd(18)} ${(row.values?.[name] ?? '').slice(0, 18).padEnd(18)} ${formatNumber(v).padStart(10)}  ${bar(v, max)}`);
        }
      }
    }
    await project.dispose();
    return 0;
  },
};

export function parseTarget(spec: string): Target {
  if (spec === 'predicted') return { kind: 'predicted' };
  if (spec === 'loss') return { kind: 'loss' };
  const m = spec.match(/^class:(\d+)$/);
  if (m) return { kind: 'class', index: Number(m[1]) };
  throw new GlassboxError('usage', `--target must be predicted, class:N or loss, got '${spec}'`);
}

function describeTarget(t: Target): string {
  return t.kind === 'class' ? `logit of class ${t.index}` : t.kind === 'loss' ? 'loss against the true label' : 'logit of the predicted class';
}

function parseSeed(spec: string): number {
  const seed = Number(spec);
  if (!Number.isInteger(seed)) throw new GlassboxError('usage', `--seed must be an integer, got '${spec}'`);
  return seed;
}

export function parseParams(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new GlassboxError('usage', `--param expects KEY=VALUE, got '${p}'`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}
