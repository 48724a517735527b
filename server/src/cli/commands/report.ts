/**
 * `glassbox report`: the shareable report, one self-contained HTML file or Markdown for pull
 * requests and CI job summaries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from '../context';
import { GlassboxError } from '../../core/errors';
import { buildReport } from '../../core/report/data';
import { renderHtml } from '../../core/report/html';
import { renderMarkdown } from '../../core/report/markdown';
import { checkPrivacyOptions, privatiseReport } from '../../core/report/privacy';
import { resolveSide } from './compare';
import type { Project } from '../../core/project';

/** A report to share with people who do not open an editor: one HTML file, or Markdown. */
export const report: Command = {
  name: 'report',
  summary: 'write a shareable report (self-contained HTML, or Markdown for PRs and CI summaries)',
  options: {
    out: { type: 'string', short: 'o', arg: 'FILE', description: "where to write it (default report.html, or report.md with --format md; '-' for stdout)" },
    format: { type: 'string', arg: 'F', description: 'html (default) or md' },
    checkpoint: { type: 'string', arg: 'PATH', description: 'checkpoint reported (default: latest ready)' },
    against: { type: 'string', arg: 'SPEC', description: 'compare with this checkpoint, project or PROJECT@CHECKPOINT (default: the previous checkpoint)' },
    'no-checks': { type: 'boolean', description: 'leave the checks out (faster)' },
    'no-drift': { type: 'boolean', description: 'leave the drift analysis out (faster)' },
    'no-timeline': { type: 'boolean', description: 'leave the timeline over checkpoints out (faster)' },
    'dp-epsilon': { type: 'string', arg: 'E', description: 'release aggregates with differential privacy, total budget E > 0 (withholds row-level results; docs/cli.md)' },
    'dp-mechanism': { type: 'string', arg: 'M', description: 'laplace (default) or gaussian' },
    'dp-delta': { type: 'string', arg: 'D', description: 'total delta of the gaussian mechanism (default 1e-6)' },
  },
  async run(ctx) {
    const format = (ctx.options.format as string | undefined) ?? 'html';
    if (format !== 'html' && format !== 'md') throw new GlassboxError('usage', `--format must be html or md, got '${format}'`);
    const dpGiven = ['dp-epsilon', 'dp-mechanism', 'dp-delta'].some((k) => ctx.options[k] !== undefined);
    const privacy = dpGiven
      ? checkPrivacyOptions({
          ...(ctx.options['dp-mechanism'] !== undefined ? { mechanism: ctx.options['dp-mechanism'] as string } : {}),
          epsilon: numberOption(ctx.options['dp-epsilon'], '--dp-epsilon'),
          ...(ctx.options['dp-delta'] !== undefined ? { delta: numberOption(ctx.options['dp-delta'], '--dp-delta') } : {}),
        })
      : undefined;
    const outSpec = (ctx.options.out as string | undefined) ?? (format === 'md' ? 'report.md' : 'report.html');
    const out = outSpec === '-' ? undefined : path.resolve(ctx.cwd, outSpec);
    // Before minutes of analysis: a report that cannot be written fails now.
    if (out) assertWritable(out);
    await ctx.engine();
    const project = ctx.project();
    const others: Project[] = [project];
    try {
      const checkpoint = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
      const against = typeof ctx.options.against === 'string' ? resolveSide(ctx, ctx.options.against, others) : undefined;
      let data = await buildReport(project, {
        checkpoint,
        ...(against ? { against } : {}),
        checks: !ctx.options['no-checks'],
        drift: !ctx.options['no-drift'],
        timeline: !ctx.options['no-timeline'],
      });
      if (privacy) data = privatiseReport(data, privacy);
      const text = format === 'md' ? renderMarkdown(data) : renderHtml(data);
      if (!out) {
        process.stdout.write(text);
        return 0;
      }
      try {
        fs.writeFileSync(out, text);
      } catch (e) {
        throw new GlassboxError('file', `cannot write the report: ${(e as Error).message}`, { file: out });
      }
      if (ctx.json) ctx.emit({ file: out, format, bytes: Buffer.byteLength(text), checkpoint: data.latest.name, previous: data.previous?.name ?? null, privacy: data.privacy ?? null });
      else ctx.print(`wrote ${path.relative(ctx.cwd, out) || out} (${format}, ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB): checkpoint ${data.latest.name}${data.previous ? ` compared with ${data.previous.name}` : ''}${data.privacy ? `, differential privacy epsilon ${data.privacy.epsilon}` : ''}`);
    } finally {
      for (const p of new Set(others)) await p.dispose();
    }
    return 0;
  },
};

function numberOption(v: unknown, flag: string): number {
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw new GlassboxError('usage', `${flag} expects a number, got '${String(v)}'`);
  return x;
}

/** The report's folder must exist and be writable, and the file, if it exists, a writable file. */
export function assertWritable(file: string): void {
  const dir = path.dirname(file);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    // Does not exist yet: the folder decides.
  }
  if (st?.isDirectory()) throw new GlassboxError('file', 'cannot write the report: it is a directory (give a file name)', { file });
  try {
    fs.accessSync(st ? file : dir, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GlassboxError('file', `cannot write the report: ${code === 'ENOENT' ? `folder ${dir} does not exist` : 'permission denied'}`, { file });
  }
}
