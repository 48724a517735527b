/**
 * `glassbox compare`: two checkpoints, runs or models side by side (parse, core/analyses/compare, print).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command, CommandContext } from '../context';
import { fmtNum, table } from '../format';
import { GlassboxError } from '../../core/errors';
import { Project } from '../../core/project';
import { compare as runCompare, type Comparison, type Side } from '../../core/analyses/compare';

/** Two checkpoints of a run, two runs, or two models on the same data, side by side. */
export const compare: Command = {
  name: 'compare',
  summary: 'compare two checkpoints, runs or models: metrics, importance ranks, flipped rows, drift impact, checks',
  usage: 'A B',
  options: {
    'no-checks': { type: 'boolean', description: 'skip the checks on both sides (faster)' },
    'no-drift': { type: 'boolean', description: 'skip the drift analysis on both sides (faster)' },
  },
  async run(ctx) {
    if (ctx.positionals.length !== 2) throw new GlassboxError('usage', `compare takes two checkpoints or projects, got ${ctx.positionals.length}; e.g. 'glassbox compare epoch-3 epoch-5' or 'glassbox compare epoch-5 ../other-run/glassbox.json'`);
    await ctx.engine();
    const projects: Project[] = [];
    try {
      const a = resolveSide(ctx, ctx.positionals[0]!, projects);
      const b = resolveSide(ctx, ctx.positionals[1]!, projects);
      const result = await runCompare(a, b, { checks: !ctx.options['no-checks'], drift: !ctx.options['no-drift'] });
      if (ctx.json) ctx.emit(comparisonJson(result));
      else printComparison(result, (l) => ctx.print(l), (f) => path.relative(ctx.cwd, f) || f);
    } finally {
      for (const p of projects) await p.dispose();
    }
    return 0;
  },
};

/**
 * A side of a comparison: `CHECKPOINT` (a name in the project's series or a directory), a project
 * (`path/glassbox.json` or a folder holding one: its latest checkpoint), or `PROJECT@CHECKPOINT`.
 * Sides of the same project share one `Project` (models load once).
 */
export function resolveSide(ctx: CommandContext, spec: string, projects: Project[]): Side {
  const open = (file: string) => {
    const abs = path.resolve(file);
    let p = projects.find((q) => path.resolve(q.config.file) === abs);
    if (!p) {
      p = Project.open(abs);
      projects.push(p);
    }
    return p;
  };
  const at = spec.lastIndexOf('@');
  const head = at > 0 ? spec.slice(0, at) : spec;
  const configFile = projectFile(path.resolve(ctx.cwd, head));
  if (configFile) {
    const project = open(configFile);
    return { project, checkpoint: project.resolveCheckpoint(at > 0 ? spec.slice(at + 1) : undefined) };
  }
  const own = ctx.project();
  const project = open(own.config.file);
  return { project, checkpoint: project.resolveCheckpoint(spec) };
}

function projectFile(p: string): string | undefined {
  try {
    const st = fs.statSync(p);
    if (st.isFile() && p.endsWith('.json') && path.basename(p) !== 'model.json') return p;
    if (st.isDirectory() && fs.existsSync(path.join(p, 'glassbox.json'))) return path.join(p, 'glassbox.json');
  } catch {
    // Not a path: a checkpoint name.
  }
  return undefined;
}

/** The comparison as JSON: typed arrays as plain arrays, per-row local shares left out. */
export function comparisonJson(c: Comparison): unknown {
  const side = (e: Comparison['a']) => ({ ...e, importance: { ...e.importance, local: undefined, rows: e.importance.rows.length } });
  return { ...c, a: side(c.a), b: side(c.b) };
}

function printComparison(c: Comparison, print: (l: string) => void, rel: (f: string) => string): void {
  print(`compare ${c.a.checkpoint.name} (A, ${rel(c.a.config)}) with ${c.b.checkpoint.name} (B, ${rel(c.b.config)})${c.changed ? '' : ': no change'}`);
  print('');
  if (c.metrics.length) {
    print(table(['data', 'metric', 'A', 'B', 'change'], c.metrics.map((m) => [m.role, m.metric, m.a, m.b, signed(m.change)])));
    print('');
  }
  print(`importance (${c.a.importance.provider} / ${c.b.importance.provider}): rank agreement Spearman ${fmtNum(c.agreement.spearman, 3)}, top-${c.agreement.topK} overlap ${c.agreement.overlap}/${c.agreement.topK}`);
  print(table(['feature', 'share A', 'share B', 'rank A', 'rank B', 'change'], c.ranks.map((r) => [r.feature, r.shareA, r.shareB, r.rankA, r.rankB, r.change === 0 ? '=' : r.change < 0 ? `up ${-r.change}` : `down ${r.change}`])));
  print('');
  const low = c.disagreement.filter((d) => d.spearman < 0.9);
  print(low.length ? `attributions disagree (Spearman of local shares over ${c.disagreement[0]!.rows} rows < 0.9): ${low.map((d) => `${d.feature} ${fmtNum(d.spearman, 2)}`).join(', ')}` : `attributions agree on every feature (Spearman of local shares >= 0.9 over ${c.disagreement[0]?.rows ?? 0} rows)`);
  print(`${c.flipped.rows} of ${c.flipped.of} rows of ${rel(c.flipped.file)} changed predicted class`);
  for (const f of c.flipped.listed.slice(0, 10)) {
    const top = (r: Record<string, number>) => Object.entries(r).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))[0]?.[0] ?? '-';
    print(`  ${rel(f.file)}:${f.line}  row ${f.row}: ${f.before} -> ${f.after}${f.label !== undefined ? ` (label ${f.label})` : ''}; top feature ${top(f.attributionsA)} in A, ${top(f.attributionsB)} in B`);
  }
  const moved = c.drift.filter((d) => Math.abs(d.change) > 1e-9 || d.quadrantA !== d.quadrantB);
  if (c.drift.length) print(moved.length ? `drift impact changed: ${moved.slice(0, 8).map((d) => `${d.feature} ${fmtNum(d.impactA)} -> ${fmtNum(d.impactB)}${d.quadrantA !== d.quadrantB ? ` (${d.quadrantB})` : ''}`).join(', ')}` : 'drift impact unchanged');
  if (c.a.checks) print(c.checks.length ? `checks changed: ${c.checks.map((k) => `${k.id} ${k.a} -> ${k.b}`).join(', ')}` : 'check results unchanged');
}

function signed(x: number): string {
  return x === 0 ? '0' : `${x > 0 ? '+' : ''}${fmtNum(x)}`;
}
