/**
 * `glassbox doctor`: the tensor backend in use, why faster ones were skipped, and whether the
 * project loads; the first thing to run when something does not.
 */
import type { Command } from '../context';
import { table } from '../format';
import { isGlassboxError } from '../../core/errors';
import { MAX_CSV_BYTES } from '../../core/data/csv';
import { assertReadableFile } from '../../core/util/files';
import { EXIT_INPUT } from '../failure';

/**
 * Reports the engine (chosen backend and why better ones were skipped) and the project's health.
 * Exits 2 when any check of the project fails, so scripts can gate on it.
 */
export const doctor: Command = {
  name: 'doctor',
  summary: 'show the tensor backend in use, why faster ones were skipped, and whether the project loads',
  options: {},
  async run(ctx) {
    const engine = await ctx.engine();
    const checks: Array<{ check: string; ok: boolean; detail: string }> = [];
    let project;
    try {
      project = ctx.project();
      checks.push({ check: 'config', ok: true, detail: project.config.file });
    } catch (e) {
      checks.push({ check: 'config', ok: false, detail: isGlassboxError(e) ? e.format() : String(e) });
    }
    if (project) {
      for (const [role, file] of Object.entries(project.config.data)) {
        try {
          assertReadableFile(file, { maxBytes: MAX_CSV_BYTES, what: 'data file', code: 'csv', missingAt: project.config.locate(['data', role]) });
          checks.push({ check: `data.${role}`, ok: true, detail: project.relative(file) });
        } catch (e) {
          checks.push({ check: `data.${role}`, ok: false, detail: isGlassboxError(e) ? e.format() : String(e) });
        }
      }
      try {
        const s = await project.schema();
        checks.push({ check: 'schema', ok: true, detail: `${s.task}, ${s.encoding.features.length} features -> ${s.encoding.width} columns, ${s.rows} training rows` });
      } catch (e) {
        checks.push({ check: 'schema', ok: false, detail: isGlassboxError(e) ? e.format() : String(e) });
      }
      const series = project.checkpoints();
      const ready = series.filter((c) => c.state === 'ready');
      checks.push({
        check: 'checkpoints',
        ok: ready.length > 0,
        detail: `${ready.length} ready of ${series.length} in ${project.relative(project.config.checkpoints)}` + (series.length > ready.length ? `; not ready: ${series.filter((c) => c.state !== 'ready').map((c) => `${c.name} (${c.problem})`).join(', ')}` : ''),
      });
      if (ready.length > 0) {
        try {
          const m = await project.model(ready[ready.length - 1]!);
          checks.push({ check: 'model', ok: true, detail: `${m.inputWidth} inputs -> ${m.outputWidth} outputs (${m.outputKind}${m.layers ? `, dense stack of ${m.layers.length}` : ''})` });
        } catch (e) {
          checks.push({ check: 'model', ok: false, detail: isGlassboxError(e) ? e.format() : String(e) });
        }
      }
    }
    const result = { node: process.version, engine, project: checks };
    if (ctx.json) ctx.emit(result);
    else {
      ctx.print(`backend: ${engine.backend} (tfjs ${engine.tfjsVersion}, node ${process.version})`);
      ctx.print(table(['candidate', 'used', 'detail'], engine.attempts.map((a) => [a.candidate, a.ok ? 'yes' : 'no', a.detail]), ['l', 'l', 'l']));
      ctx.print();
      ctx.print(table(['project', 'ok', 'detail'], checks.map((c) => [c.check, c.ok ? 'yes' : 'NO', c.detail]), ['l', 'l', 'l']));
    }
    await project?.dispose();
    return checks.every((c) => c.ok) ? 0 : EXIT_INPUT;
  },
};
