import type { Command } from '../context';
import { fmtNum, table } from '../format';
import { timeline as runTimeline } from '../../core/analyses/timeline';

/** Metrics, importance shares, suspects and checks over every checkpoint of the run. */
export const timeline: Command = {
  name: 'timeline',
  summary: 'metrics, importance share per feature, suspects count and check status over all checkpoints',
  options: {
    'no-checks': { type: 'boolean', description: 'skip the checks (and with them the suspects count); faster' },
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    try {
      const t = await runTimeline(project, { checks: !ctx.options['no-checks'], freeModels: true });
      if (ctx.json) {
        ctx.emit(t);
        return 0;
      }
      ctx.print(`timeline of ${t.points.length} checkpoint(s); importance: ${t.provider}`);
      if (t.skipped.length) ctx.print(`not analysed: ${t.skipped.map((s) => `${s.name} (${s.problem})`).join('; ')}`);
      ctx.print('');
      const metricKeys = [...new Set(t.points.flatMap((p) => p.metrics.flatMap((m) => (['accuracy', 'logLoss', 'rmse', 'mae'] as const).filter((k) => m[k] !== undefined).map((k) => `${m.role} ${k}`))))];
      const metric = (p: (typeof t.points)[number], key: string) => {
        const [role, k] = key.split(' ') as [string, 'accuracy'];
        const v = p.metrics.find((m) => m.role === role)?.[k];
        return v === undefined ? '-' : v;
      };
      ctx.print(table(['checkpoint', ...metricKeys, 'suspects', 'checks'], t.points.map((p) => [p.checkpoint.name, ...metricKeys.map((k) => metric(p, k)), p.suspects.count ?? '-', p.ok === null ? '-' : p.ok ? 'ok' : 'FAILED'])));
      ctx.print('');
      const last = t.points[t.points.length - 1];
      const order = t.features.map((_, f) => f).sort((x, y) => (last?.shares[y] ?? 0) - (last?.shares[x] ?? 0));
      ctx.print(table(['feature', ...t.points.map((p) => p.checkpoint.name)], order.map((f) => [t.features[f]!, ...t.points.map((p) => fmtNum(p.shares[f]!, 3))])));
      const failing = new Set(t.points.flatMap((p) => (p.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.id)));
      if (failing.size) {
        ctx.print('');
        ctx.print(table(['check', ...t.points.map((p) => p.checkpoint.name)], [...failing].map((id) => [id, ...t.points.map((p) => p.checks?.find((c) => c.id === id)?.status ?? '-')])));
      }
    } finally {
      await project.dispose();
    }
    return 0;
  },
};
