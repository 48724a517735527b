import type { Command } from '../context';
import { bar, fmtNum } from '../format';
import { GlassboxError } from '../../core/errors';
import { featureNames, columnNames } from '../../core/data/encoding';
import { predict } from '../../core/model/model';
import { defaultRowMethod, getMethod, methodIds } from '../../core/methods/registry';
import { resolveParams } from '../../core/methods/params';
import type { Target } from '../../core/methods/types';
import { ROW_OPTIONS, selectRows } from '../rows';
import { dataNotes, describeDataNotes } from '../data-notes';

/** Local attributions for rows, per raw feature (and per encoded input with --encoded). */
export const explain: Command = {
  name: 'explain',
  summary: 'attribute the model output for rows to their raw features',
  options: {
    ...ROW_OPTIONS,
    method: { type: 'string', arg: 'ID', description: `attribution method (${methodIds().join(', ')}; default: saliency for networks, linear-shap for linear models, tree-shap for tree ensembles)` },
    param: { type: 'string', multiple: true, arg: 'KEY=VALUE', description: "a method parameter, e.g. --param absolute=true (repeatable; see docs/cli.md)" },
    target: { type: 'string', arg: 'T', description: 'what to explain: predicted (default), class:N, or loss (against the true label)' },
    checkpoint: { type: 'string', arg: 'PATH', description: 'checkpoint directory or name in the series (default: latest ready)' },
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
    const ckpt = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
    const model = await project.model(ckpt);
    const method = getMethod(given ?? defaultRowMethod(model));
    const params = resolveParams(method.id, method.params, parseParams((ctx.options.param as string[] | undefined) ?? []));
    const { encoding } = await project.schema();
    const sel = await selectRows(ctx, project, 5);
    const input: Parameters<typeof method.attribute>[0] = { model, encoding, X: sel.X, n: sel.n, target };
    if (sel.labels) input.labels = sel.labels;
    if (ctx.options.seed !== undefined) input.seed = parseSeed(ctx.options.seed as string);
    if (method.capabilities.background) {
      const train = await project.dataset('train');
      input.background = train.X;
      input.backgroundN = train.n;
    }
    const result = await method.attribute(input, params);
    const pred = predict(model, sel.X, sel.n);
    const names = featureNames(encoding);
    const F = names.length;
    const classes = encoding.label?.classes;
    const cols = columnNames(encoding);
    const rows = sel.indices.map((row, i) => {
      const attributions = Object.fromEntries(names.map((nm, f) => [nm, result.grouped[i * F + f]!]));
      const out: ExplainedRow = {
        row,
        line: sel.dataset.lines[row]!,
        values: sel.dataset.raw ? Object.fromEntries(encoding.features.map((f) => [f.name, sel.dataset.raw![row]![sel.dataset.header.indexOf(f.name)]])) : undefined,
        targetClass: result.targetClass[i],
        prediction: pred.predicted ? { class: pred.predicted[i], probability: pred.probabilities![i * pred.classes + pred.predicted[i]!] } : { value: pred.logits[i] },
        attributions,
      };
      if (ctx.options.encoded) out.encoded = Object.fromEntries(cols.map((c, j) => [c, result.encoded[i * encoding.width + j]!]));
      return out;
    });
    const json = {
      checkpoint: { name: ckpt.name, dir: ckpt.dir, hash: ckpt.hash },
      backend: engine.backend,
      method: method.id,
      params,
      ...(method.capabilities.stochastic ? { seed: input.seed ?? 0 } : {}),
      target,
      file: sel.dataset.file,
      features: names,
      classes: classes ?? null,
      data: dataNotes(sel.dataset),
      rows,
      extras: result.extras,
    };
    if (ctx.json) ctx.emit(json);
    else {
      const top = Number((ctx.options.top as string | undefined) ?? 6);
      ctx.print(`${method.name} on checkpoint ${ckpt.name} (${engine.backend}), target ${describeTarget(target)}`);
      for (const note of describeDataNotes(json.data)) ctx.print(`note: ${note}`);
      for (const r of rows) {
        const p = r.prediction;
        const predText = p.class !== undefined ? `predicted ${classes?.[p.class] ?? p.class} (p=${fmtNum(p.probability!, 3)})` : `predicted ${fmtNum(p.value!)}`;
        ctx.print();
        ctx.print(`${project.relative(sel.dataset.file)}:${r.line}  row ${r.row}  ${predText}`);
        const entries = Object.entries(r.attributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, top);
        const max = Math.max(...entries.map((e) => Math.abs(e[1])));
        const vals = r.values;
        for (const [name, v] of entries) {
          ctx.print(`  ${name.padEnd(18)} ${(vals?.[name] ?? '').slice(0, 18).padEnd(18)} ${fmtNum(v).padStart(10)}  ${bar(v, max)}`);
        }
      }
    }
    await project.dispose();
    return 0;
  },
};

interface ExplainedRow {
  row: number;
  line: number;
  values: Record<string, string | undefined> | undefined;
  targetClass: number | undefined;
  prediction: { class?: number | undefined; probability?: number | undefined; value?: number | undefined };
  attributions: Record<string, number>;
  encoded?: Record<string, number>;
}

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
