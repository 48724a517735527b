/**
 * `glassbox robustness`: the smallest perturbation that flips predictions (L2, L-infinity) and
 * rows' local sensitivity.
 */
import { CHECKPOINT_OPTION, type Command } from '../context';
import { fmtNum, table } from '../format';
import { GlassboxError, echo } from '../../core/errors';
import { robustnessRows, ROBUSTNESS_SAMPLE } from '../../core/analyses/timeline';
import { classLabelsOf } from '../../core/analyses/shared';
import { robustness as measure, type Norm } from '../../core/robustness';
import { ROW_OPTIONS, selectRows } from '../rows';
import { num } from './drift';

/** How far rows are from a prediction flip, and how sensitive predictions are nearby. */
export const robustness: Command = {
  name: 'robustness',
  summary: 'minimal perturbation that flips predictions (L2, L-infinity) and local sensitivity of rows',
  options: {
    ...ROW_OPTIONS,
    sample: { type: 'string', arg: 'N', description: 'random rows measured when none are named (default 200)' },
    seed: { type: 'string', arg: 'N', description: 'seed of the row sample and random directions (default 0)' },
    norm: { type: 'string', arg: 'NORM', description: 'l2, linf or both (default both)' },
    columns: { type: 'string', arg: 'WHICH', description: 'perturb numeric features (default) or all encoded columns' },
    'max-radius': { type: 'string', arg: 'R', description: 'largest flip radius searched, standardised units (default 8 for L2, 3 for L-infinity)' },
    radius: { type: 'string', arg: 'R', description: 'neighbourhood of the sensitivity check, standardised units (default 0.1)' },
    threshold: { type: 'string', arg: 'P', description: 'probability change that flags a row unstable (default 0.1)' },
    unstable: { type: 'string', arg: 'K', description: 'unstable rows listed (default 10)' },
    checkpoint: CHECKPOINT_OPTION,
  },
  async run(ctx) {
    const engine = await ctx.engine();
    const project = ctx.project();
    const o = ctx.options;
    const normSpec = (o.norm as string | undefined) ?? 'both';
    const norms: Norm[] = normSpec === 'both' ? ['l2', 'linf'] : normSpec === 'l2' || normSpec === 'linf' ? [normSpec] : [];
    if (norms.length === 0) throw new GlassboxError('usage', `--norm must be l2, linf or both, got '${echo(normSpec)}'`);
    const columns = (o.columns as string | undefined) ?? 'numeric';
    if (columns !== 'numeric' && columns !== 'all') throw new GlassboxError('usage', `--columns must be numeric or all, got '${echo(columns)}'`);
    const sample = num(o.sample, '--sample', true) ?? ROBUSTNESS_SAMPLE;
    if (sample < 1) throw new GlassboxError('usage', '--sample must be at least 1');
    const seed = num(o.seed, '--seed', true) ?? 0;
    const maxRadius = num(o['max-radius'], '--max-radius');
    const radius = num(o.radius, '--radius');
    const threshold = num(o.threshold, '--threshold');
    if (maxRadius !== undefined && !(maxRadius > 0)) throw new GlassboxError('usage', `--max-radius must be positive, got ${maxRadius}`);
    if (radius !== undefined && !(radius > 0)) throw new GlassboxError('usage', `--radius must be positive, got ${radius}`);
    if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) throw new GlassboxError('usage', `--threshold must be in (0, 1], got ${threshold}`);
    const listed = num(o.unstable, '--unstable', true) ?? 10;
    const ckpt = project.resolveCheckpoint(o.checkpoint as string | undefined);
    const { encoding } = await project.schema();
    const model = await project.model(ckpt);
    if (o.row === undefined && o.line === undefined && o.limit === undefined) {
      // The timeline's seeded sample (robustnessRows), so checkpoints are measured on the same rows.
      const role = typeof o.data === 'string' ? o.data : undefined;
      if (typeof o.rows === 'string') o.limit = String(sample);
      else o.row = (await robustnessRows(project, sample, seed, role)).rows.join(',');
    }
    const sel = await selectRows(ctx, project);
    const classLabels = classLabelsOf(project, encoding, model.classes);
    const flip: NonNullable<Parameters<typeof measure>[4]>['flip'] = { columns, seed };
    if (maxRadius !== undefined) flip.maxRadius = maxRadius;
    const sens: NonNullable<Parameters<typeof measure>[4]>['sensitivity'] = { seed };
    if (radius !== undefined) sens.radius = radius;
    if (threshold !== undefined) sens.threshold = threshold;
    const { report, sensitivity, flips } = measure(model, encoding, sel.X, sel.n, { norms, flip, sensitivity: sens, classLabels });
    const ds = sel.dataset;
    const unstable = sensitivity.unstable.slice(0, listed).map((i) => ({
      row: sel.indices[i]!,
      line: ds.lines[sel.indices[i]!]!,
      change: sensitivity.joint[i]!,
      radius: Object.fromEntries(flips.map((f) => [f.norm, finite(f.radius[i]!)])),
    }));
    if (ctx.json) {
      ctx.emit({
        checkpoint: { name: ckpt.name, dir: ckpt.dir, hash: ckpt.hash },
        backend: engine.backend,
        file: ds.file,
        columns,
        ...report,
        norms: report.norms.map((nr) => ({ ...nr, overall: finiteSummary(nr.overall), perClass: nr.perClass.map(finiteSummary) })),
        unstable,
        perRow: sel.indices.map((row, i) => ({ row, line: ds.lines[row]!, predicted: flips[0]!.predicted[i]!, radius: Object.fromEntries(flips.map((f) => [f.norm, finite(f.radius[i]!)])), sensitivity: sensitivity.joint[i]! })),
      });
    } else {
      ctx.print(`${sel.n} rows of ${project.relative(ds.file)}, checkpoint ${ckpt.name} (${engine.backend}); perturbing ${columns === 'numeric' ? 'numeric features' : 'all encoded columns'} in standardised units`);
      ctx.print();
      ctx.print(
        table(
          ['norm', 'method', 'class', 'rows', 'flipped', 'q10', 'q25', 'median', 'q75'],
          report.norms.flatMap((nr) =>
            [{ ...nr.overall, label: 'all' }, ...nr.perClass].map((s) => [nr.norm, `${nr.method}${nr.exact ? ' (exact)' : ' (upper bound)'}`, s.label, s.rows, `${fmtNum(100 * s.flipped, 1)} %`, s.q10, s.q25, s.median, s.q75]),
          ),
        ),
      );
      const sr = report.sensitivity;
      ctx.print();
      ctx.print(`local sensitivity (largest change of the predicted class's probability within ±${sr.radius}): median ${fmtNum(sr.joint.median, 3)}, max ${fmtNum(sr.joint.max, 3)}; ${fmtNum(100 * sr.unstableShare, 1)} % of rows change by ≥ ${sr.threshold}`);
      if (sr.perFeature.length) ctx.print(table(['feature', 'mean', 'max'], [...sr.perFeature].sort((a, b) => b.mean - a.mean).map((p) => [p.feature, p.mean, p.max])));
      if (unstable.length) {
        ctx.print();
        ctx.print('most unstable rows:');
        for (const u of unstable) ctx.print(`  ${project.relative(ds.file)}:${u.line}  row ${u.row}  change ${fmtNum(u.change, 3)}  flip radius ${Object.entries(u.radius).map(([k, v]) => `${k} ${v === null ? `> max` : fmtNum(v, 3)}`).join(', ')}`);
      }
    }
    await project.dispose();
    return 0;
  },
};

/** Infinity (no flip within the largest radius) is null in JSON. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function finiteSummary<T extends { q10: number; q25: number; median: number; q75: number }>(s: T): T {
  return { ...s, q10: finite(s.q10), q25: finite(s.q25), median: finite(s.median), q75: finite(s.q75) } as T;
}
