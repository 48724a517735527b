/**
 * `glassbox check`: the model and expectation checks of glassbox.json on a checkpoint, the CI gate
 * (exit 1 when a check of severity `error` fails).
 */
import * as path from 'node:path';
import { CHECKPOINT_OPTION, type Command } from '../context';
import { fmtNum } from '../format';
import { checkIds, runChecks } from '../../core/checks/registry';
import { checkOptions, createCheckContext } from '../../core/checks/context';
import type { CheckReport, CheckResult } from '../../core/checks/types';
import type { SourceLocation } from '../../core/errors';

/** Runs the model checks on a checkpoint; exit 1 when a check with severity `error` fails. */
export const check: Command = {
  name: 'check',
  summary: 'run the model and expectation checks (the CI gate: exit 1 when one fails)',
  options: {
    checkpoint: CHECKPOINT_OPTION,
    only: { type: 'string', arg: 'IDS', description: `run only these checks, comma-separated (${checkIds().join(', ')})` },
    'github-annotations': { type: 'boolean', description: 'also print findings as GitHub Actions ::error/::warning annotations' },
  },
  async run(ctx) {
    const engine = await ctx.engine();
    const project = ctx.project();
    try {
      const ckpt = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
      const model = await project.model(ckpt, { allowNonFinite: true });
      const options = checkOptions(project.config);
      const checkCtx = await createCheckContext({ project, checkpoint: ckpt, model, options });
      const only = typeof ctx.options.only === 'string' ? ctx.options.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const report = await runChecks(checkCtx, only ? { only } : {});
      if (ctx.json) ctx.emit({ backend: engine.backend, ...report });
      else printReport(report, engine.backend, (l) => ctx.print(l), (f) => path.relative(ctx.cwd, f) || f);
      if (ctx.options['github-annotations']) for (const line of annotations(report, (f) => path.relative(ctx.cwd, f) || f)) ctx.print(line);
      return report.ok ? 0 : 1;
    } finally {
      await project.dispose();
    }
  },
};

const MARK: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

function where(loc: SourceLocation | undefined, rel: (f: string) => string): string {
  if (!loc) return '';
  return `${rel(loc.file)}${loc.line !== undefined ? `:${loc.line}` : ''}${loc.column !== undefined ? `:${loc.column}` : ''}: `;
}

export function printReport(report: CheckReport, backend: string, print: (line: string) => void, rel: (f: string) => string): void {
  const imp = report.importance ? `; importance: ${report.importance.provider} over ${report.importance.rows} rows of ${rel(report.importance.file)}` : '';
  print(`glassbox check on checkpoint ${report.checkpoint.name} (${backend})${imp}`);
  print('');
  const width = Math.max(...report.results.map((r) => r.id.length));
  for (const r of report.results) {
    const mark = r.status === 'fail' && r.severity === 'warning' ? 'WARN' : MARK[r.status];
    print(`${mark}  ${r.id.padEnd(width)}  ${r.summary}`);
    for (const f of r.findings) {
      print(`      ${where(f.location, rel)}${f.message}`);
      print(`        ${f.metric}: measured ${fmtNum(f.measured)}, limit ${fmtNum(f.limit)}`);
      for (const e of f.evidence) print(`        ${rel(e.file)}:${e.line}  row ${e.row}: ${e.detail}`);
    }
  }
  const s = report.summary;
  print('');
  print(`${s.passed} passed, ${s.failed} failed, ${s.warnings} warning(s), ${s.skipped} skipped: ${report.ok ? 'ok' : 'FAILED'}`);
}

/** GitHub Actions workflow commands, so findings show on the pull request at their line. */
export function annotations(report: CheckReport, rel: (f: string) => string): string[] {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const out: string[] = [];
  for (const r of report.results) {
    if (r.status !== 'fail') continue;
    for (const f of r.findings) {
      const loc = f.location;
      const props = loc ? [`file=${rel(loc.file)}`, ...(loc.line !== undefined ? [`line=${loc.line}`] : []), `title=glassbox ${r.id}`] : [`title=glassbox ${r.id}`];
      out.push(`::${r.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${esc(f.message)}`);
    }
  }
  return out;
}
