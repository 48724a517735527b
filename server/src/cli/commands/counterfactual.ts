/**
 * `glassbox counterfactual`: small changes of raw feature values that flip a row's prediction or
 * reach a target class, probability or value, within the constraints of glassbox.json and the command.
 */
import { CHECKPOINT_OPTION, type Command, type CommandContext } from '../context';
import { fmtNum } from '../format';
import { GlassboxError, echo } from '../../core/errors';
import { featureNames } from '../../core/data/encoding';
import { suggest } from '../../core/data/schema';
import type { Project } from '../../core/project';
import { classLabelsOf } from '../../core/analyses/shared';
import { counterfactualsForRow, prepareCounterfactuals, checkRequest, DEFAULT_MAX_CHANGES, type CounterfactualConstraints, type CounterfactualRequest, type Direction, type RowCounterfactuals } from '../../core/counterfactual';
import { ROW_OPTIONS, selectRows } from '../rows';
import { num } from './drift';

const NAMES = { immutable: '--immutable', directions: '--direction', bounds: '--bounds', maxChanges: '--max-changes', outsideRange: '--outside-range' };

/** Counterfactual explanations: the smallest changes of raw values that change a row's prediction. */
export const counterfactual: Command = {
  name: 'counterfactual',
  summary: 'find small changes of raw feature values that change the prediction of rows',
  usage: '[ROWS]',
  options: {
    ...ROW_OPTIONS,
    target: { type: 'string', arg: 'C', description: 'class to reach: index, label or class name (default: any other class)' },
    probability: { type: 'string', arg: 'P', description: 'minimum probability of the target class (needs --target)' },
    'target-value': { type: 'string', arg: 'V', description: "regression: the value to reach (V: at least V from below, at most V from above), or '>=V', '<=V', 'A..B'" },
    count: { type: 'string', arg: 'N', description: 'counterfactuals per row, each changing a different set of features (default 3)' },
    'max-changes': { type: 'string', arg: 'K', description: 'most features one counterfactual changes (default 3)' },
    immutable: { type: 'string', arg: 'F,..', description: "features that must not change (default: glassbox.json 'protected'; 'none' for none)" },
    direction: { type: 'string', arg: 'F=DIR,..', description: 'numeric features that may only go up or down: age=increase,hours_per_week=decrease' },
    bounds: { type: 'string', arg: 'F=MIN..MAX,..', description: 'allowed values of numeric features: hours_per_week=20..60 (either end may be empty)' },
    'outside-range': { type: 'string', arg: 'F,..', description: "numeric features allowed outside the training range ('all' for every one)" },
    method: { type: 'string', arg: 'M', description: 'auto (default: gradient and model-agnostic search for networks, search otherwise), gradient or search' },
    checkpoint: CHECKPOINT_OPTION,
  },
  async run(ctx) {
    const engine = await ctx.engine();
    const project = ctx.project();
    const o = ctx.options;
    if (ctx.positionals.length) {
      if (o.row !== undefined || o.line !== undefined) throw new GlassboxError('usage', 'rows are named twice: give them as ROWS or with --row/--line, not both');
      o.row = ctx.positionals.join(',');
    }
    const method = (o.method as string | undefined) ?? 'auto';
    if (!['auto', 'gradient', 'search'].includes(method)) throw new GlassboxError('usage', `--method must be auto, gradient or search, got '${echo(method)}'`);
    const ckpt = project.resolveCheckpoint(o.checkpoint as string | undefined);
    const { encoding } = await project.schema();
    const model = await project.model(ckpt);
    const classLabels = model.task === 'regression' ? [] : classLabelsOf(project, encoding, model.classes);
    const constraints = parseConstraints(ctx, project, featureNames(encoding));
    const req: CounterfactualRequest = { constraints, names: NAMES, method: method as CounterfactualRequest['method'] };
    const target = o.target as string | undefined;
    if (target !== undefined) req.target = parseTarget(target, classLabels, encoding.label?.classes);
    if (o['target-value'] !== undefined) req.targetValue = parseTargetValue(String(o['target-value']));
    const probability = num(o.probability, '--probability');
    if (probability !== undefined) req.probability = probability;
    const count = num(o.count, '--count', true);
    if (count !== undefined) req.count = count;
    const train = await project.dataset('train');
    const cf = prepareCounterfactuals(model, encoding, train, classLabels.length ? { classLabels } : {});
    // Every argument is checked before any row is searched.
    checkRequest(cf, req);
    const sel = await selectRows(ctx, project, 1);
    const d = encoding.width;
    const ds = sel.dataset;
    const results = sel.indices.map((row, i) => {
      const r = counterfactualsForRow(cf, sel.X.subarray(i * d, (i + 1) * d), req);
      return { row, line: ds.lines[row]!, ...r, nearestTrainingRow: r.nearestTrainingRow ? { ...r.nearestTrainingRow, line: train.lines[r.nearestTrainingRow.row]! } : null };
    });
    if (ctx.json) {
      ctx.emit({
        checkpoint: { name: ckpt.name, dir: ckpt.dir, hash: ckpt.hash },
        backend: engine.backend,
        file: ds.file,
        trainFile: train.file,
        method,
        constraints: { ...constraints, maxChanges: constraints.maxChanges ?? DEFAULT_MAX_CHANGES },
        classes: classLabels,
        rows: results,
      });
    } else {
      for (const r of results) printRow(ctx, project, ds.file, train.file, r);
    }
    await project.dispose();
    return 0;
  },
};

type PrintedRow = RowCounterfactuals & { row: number; line: number; nearestTrainingRow: (NonNullable<RowCounterfactuals['nearestTrainingRow']> & { line: number }) | null };

function printRow(ctx: CommandContext, project: Project, file: string, trainFile: string, r: PrintedRow): void {
  const p = r.prediction;
  const iv = r.goal.interval;
  const goal = iv
    ? Number.isFinite(iv.max) ? (Number.isFinite(iv.min) ? `${fmtNum(iv.min)}..${fmtNum(iv.max)}` : `≤ ${fmtNum(iv.max)}`) : `≥ ${fmtNum(iv.min)}`
    : r.goal.targetLabel !== null ? `${r.goal.targetLabel}${r.goal.probability !== null ? ` with p ≥ ${r.goal.probability}` : ''}` : 'any other class';
  ctx.print(`${project.relative(file)}:${r.line}  row ${r.row}  predicted ${predictionText(p)}; goal: ${goal}`);
  if (r.status !== 'found') ctx.print(`  ${r.message}`);
  r.counterfactuals.forEach((c, k) => {
    const changes = c.changes.map((ch) => `${ch.feature} ${ch.from} → ${ch.to}`).join(', ');
    const q = c.prediction;
    const ood = c.plausibility.outOfDistribution ? `, out of distribution (p=${fmtNum(c.plausibility.oodPValue, 3)})` : '';
    ctx.print(`  ${k + 1}. ${changes}`);
    const near = q.value !== undefined ? 'nearest training rows with a value in the goal' : `nearest ${q.label} training rows`;
    ctx.print(`     → ${predictionText(q)}; distance ${fmtNum(c.distance, 2)}; ${near} ${fmtNum(c.plausibility.nearestTargetDistance, 2)} away${ood}`);
  });
  const near = r.nearestTrainingRow;
  if (near) {
    ctx.print(`  nearest real ${near.prediction.value !== undefined ? `row in the goal (${near.prediction.label})` : `${near.prediction.label} row`}: ${project.relative(trainFile)}:${near.line} (distance ${fmtNum(near.distance, 2)}, ${near.sparsity} change${near.sparsity === 1 ? "" : "s"}: ${near.changes.slice(0, 6).map((ch) => `${ch.feature} ${ch.from} → ${ch.to}`).join(', ')}${near.sparsity > 6 ? ', …' : ''})`);
  } else if (r.status !== 'already') ctx.print(`  no training row ${iv ? 'in the goal' : 'of the goal class'} respects the constraints`);
  ctx.print();
}

function predictionText(p: { label: string; class: number; probabilities: number[]; value?: number }): string {
  return p.value !== undefined ? p.label : `${p.label} (p=${fmtNum(p.probabilities[p.class]!, 3)})`;
}

/** `--target-value`: V, >=V, <=V or A..B. */
export function parseTargetValue(spec: string): number | { min?: number; max?: number } {
  const bad = () => new GlassboxError('usage', `--target-value expects a number, >=V, <=V or MIN..MAX, got '${echo(spec)}'`);
  const n = (t: string) => {
    const x = Number(t.trim());
    if (t.trim() === '' || !Number.isFinite(x)) throw bad();
    return x;
  };
  const s = spec.trim();
  if (s.startsWith('>=')) return { min: n(s.slice(2)) };
  if (s.startsWith('<=')) return { max: n(s.slice(2)) };
  const dots = s.indexOf('..', 1);
  if (dots > 0) return { min: n(s.slice(0, dots)), max: n(s.slice(dots + 2)) };
  return n(s);
}

/** A class given as its index, its value in the data, or its name. */
export function parseTarget(spec: string, labels: string[], values: string[] | undefined): number {
  const byName = labels.indexOf(spec);
  if (byName >= 0) return byName;
  const byValue = values?.indexOf(spec) ?? -1;
  if (byValue >= 0) return byValue;
  if (/^\d+$/.test(spec) && Number(spec) < labels.length) return Number(spec);
  throw new GlassboxError('usage', `--target: no class '${echo(spec)}'${suggest(spec, labels)}; the classes are ${labels.map((l, k) => `${k} (${l})`).join(', ')}`);
}

function list(v: unknown): string[] {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function parseConstraints(ctx: CommandContext, project: Project, features: string[]): CounterfactualConstraints {
  const o = ctx.options;
  const c: CounterfactualConstraints = {};
  if (o.immutable === 'none') c.immutable = [];
  else if (o.immutable !== undefined) c.immutable = list(o.immutable);
  // Protected attributes the model does not read cannot change anyway.
  else c.immutable = (project.config.raw.protected ?? []).filter((f) => features.includes(f));
  if (o.direction !== undefined) {
    c.directions = {};
    for (const part of list(o.direction)) {
      const m = part.match(/^([^=]+)=(increase|decrease|up|down)$/);
      if (!m) throw new GlassboxError('usage', `--direction expects FEATURE=increase or FEATURE=decrease, got '${echo(part)}'`);
      c.directions[m[1]!.trim()] = (m[2] === 'up' ? 'increase' : m[2] === 'down' ? 'decrease' : m[2]) as Direction;
    }
  }
  if (o.bounds !== undefined) {
    c.bounds = {};
    for (const part of list(o.bounds)) {
      const bad = () => new GlassboxError('usage', `--bounds expects FEATURE=MIN..MAX (either may be empty), got '${echo(part)}'`);
      const eq = part.indexOf('=');
      const dots = part.indexOf('..', eq + 1);
      if (eq <= 0 || dots < 0) throw bad();
      const m = [part, part.slice(0, eq), part.slice(eq + 1, dots), part.slice(dots + 2)];
      const end = (s: string) => {
        if (s.trim() === '') return undefined;
        const x = Number(s);
        if (!Number.isFinite(x)) throw bad();
        return x;
      };
      const b: { min?: number; max?: number } = {};
      const min = end(m[2]!);
      const max = end(m[3]!);
      if (min === undefined && max === undefined) throw bad();
      if (min !== undefined) b.min = min;
      if (max !== undefined) b.max = max;
      c.bounds[m[1]!.trim()] = b;
    }
  }
  if (o['outside-range'] !== undefined) c.outsideRange = o['outside-range'] === 'all' ? true : list(o['outside-range']);
  const k = num(o['max-changes'], '--max-changes', true);
  if (k !== undefined) c.maxChanges = k;
  return c;
}
