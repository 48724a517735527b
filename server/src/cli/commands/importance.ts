/**
 * `glassbox importance`: global importance per raw feature over rows (shares, per class, slices).
 */
import { CHECKPOINT_OPTION, type Command } from '../context';
import { bar } from '../format';
import { GlassboxError } from '../../core/errors';
import { getMethod, methodIds } from '../../core/methods/registry';
import { DEFAULT_IMPORTANCE } from '../../core/importance/importance';
import { formatNumber, importanceOver } from '../../core/analyses';
import { compileFilter, parseCondition } from '../../core/importance/filter';
import { ROW_OPTIONS, selectRows } from '../rows';
import { parseParams, parseTarget } from './explain';

const DEFAULT_LIMIT = 1000;

/** Global feature importance over a row set (any attribution method, per raw feature): parse, core/analyses `importanceOver`, print. */
export const importance: Command = {
  name: 'importance',
  summary: 'global importance per raw feature over rows (overall, per class, shares, beeswarm sample)',
  options: {
    ...ROW_OPTIONS,
    limit: { type: 'string', arg: 'N', description: `at most N rows, the first that match --where (default ${DEFAULT_LIMIT})` },
    where: { type: 'string', multiple: true, arg: 'COND', description: 'keep rows whose raw values match, e.g. sex=Female or age>40 (repeatable: all must hold)' },
    method: { type: 'string', arg: 'ID', description: `attribution method (${methodIds().join(', ')}; default: linear-shap for linear models, tree-shap for tree ensembles, else ${DEFAULT_IMPORTANCE.method} with samples=128, backgroundSize=8)` },
    param: { type: 'string', multiple: true, arg: 'KEY=VALUE', description: 'a method parameter (repeatable; see docs/cli.md)' },
    target: { type: 'string', arg: 'T', description: 'what to explain: predicted (default), class:N, or loss' },
    checkpoint: CHECKPOINT_OPTION,
    seed: { type: 'string', arg: 'N', description: 'seed of the sampling methods and of the beeswarm sample (default 0)' },
    sample: { type: 'string', arg: 'N', description: 'rows kept in the beeswarm sample (default 1000)' },
  },
  async run(ctx) {
    const engine = await ctx.engine();
    const project = ctx.project();
    const given = parseParams((ctx.options.param as string[] | undefined) ?? []);
    const target = parseTarget((ctx.options.target as string | undefined) ?? 'predicted');
    const seed = intOption(ctx.options.seed, '--seed', 0, 0);
    const sampleSize = intOption(ctx.options.sample, '--sample', 1000, 1);
    const limit = intOption(ctx.options.limit, '--limit', DEFAULT_LIMIT, 1);
    const checkpoint = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
    const methodId = ctx.options.method as string | undefined;
    if (methodId) getMethod(methodId); // an unknown method is a usage error before any loading
    // Filter first, then limit: --limit applies to the matching rows.
    const sel = await selectRows({ ...ctx, options: { ...ctx.options, limit: undefined } }, project);
    const where = ((ctx.options.where as string[] | undefined) ?? []).map(parseCondition);
    let indices = sel.indices;
    if (where.length) {
      const keep = compileFilter(where, sel.dataset.header);
      indices = indices.filter((r) => keep(sel.dataset.raw![r]!));
      if (indices.length === 0) throw new GlassboxError('usage', `no row of ${project.relative(sel.dataset.file)} matches --where ${where.map((c) => `${c.column}${c.op}${c.value}`).join(' ')}`);
    }
    indices = indices.slice(0, limit);
    const t0 = performance.now();
    const g = await importanceOver(project, { checkpoint, dataset: sel.dataset, rows: indices, params: given, target, seed, sampleSize, ...(methodId ? { method: methodId } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    const n = g.rows;
    const json = { ...g, backend: engine.backend, where: where.map((c) => `${c.column}${c.op}${c.value}`), seconds };
    if (ctx.json) ctx.emit(json);
    else {
      ctx.print(`${getMethod(g.method).name} importance over ${n} rows of ${project.relative(g.file)}${where.length ? ` where ${json.where.join(' and ')}` : ''} (checkpoint ${checkpoint.name}, ${formatNumber(seconds, 2)} s)`);
      const order = g.features.map((_, f) => f).sort((a, b) => g.shares[b]! - g.shares[a]!);
      const max = Math.max(...g.shares);
      ctx.print();
      ctx.print(`  ${'feature'.padEnd(18)} ${'share'.padStart(7)} ${(g.score === 'meanAbs' ? 'mean|a|' : 'mean').padStart(10)} ${'signed'.padStart(10)}`);
      for (const f of order) {
        ctx.print(`  ${g.features[f]!.padEnd(18)} ${formatNumber(g.shares[f]!, 3).padStart(7)} ${formatNumber(g.meanAbs[f]!).padStart(10)} ${formatNumber(g.signedMean[f]!).padStart(10)}  ${bar(g.shares[f]!, max)}`);
      }
    }
    await project.dispose();
    return 0;
  },
};

function intOption(v: unknown, flag: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new GlassboxError('usage', `${flag} must be an integer >= ${min}, got '${v}'`);
  return n;
}
