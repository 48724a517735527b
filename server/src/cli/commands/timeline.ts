/**
 * `glassbox timeline`: metrics, importance shares, suspects, check status and robustness over every
 * checkpoint of a run.
 */
import type { Command } from '../context';
import { fmtNum, table } from '../format';
import { timeline as runTimeline, ROBUSTNESS_SAMPLE } from '../../core/analyses/timeline';
import { num } from './drift';

/** Metrics, importance shares, suspects, checks and robustness over every checkpoint of the run. */
export const timeline: Command = {
  name: 'timeline',
  summary: 'metrics, importance share per feature, suspects count, check status and robustness over all checkpoints',
  options: {
    'no-checks': { type: 'boolean', description: 'skip the checks (and with them the suspects count); faster' },
    'no-robustness': { type: 'boolean', description: 'skip the minimal flip distance per checkpoint; faster' },
    'robustness-sample': { type: 'string', arg: 'N', description: `rows the flip distance is measured on, the same for every checkpoint (default ${ROBUSTNESS_SAMPLE})` },
    seed: { type: 'string', arg: 'N', description: 'seed of the robustness sample and its random starts (default 0)' },
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    try {
      const sample = num(ctx.options['robustness-sample'], '--robustness-sample', true);
      const seed = num(ctx.options.seed, '--seed', true);
      const robustness = ctx.options['no-robustness'] ? (false as const) : { ...(sample !== undefined ? { sample } : {}), ...(seed !== undefined ? { seed } : {}) };
      const t = await runTimeline(project, { checks: !ctx.options['no-checks'], freeModels: true, robustness });
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
      // Median minimal L2 flip distance (standardised units); '>' when most rows do not flip within the radius searched.
      const flip = (p: (typeof t.points)[number]) => (p.robustness ? (p.robustness.median === null ? `>${fmtNum(p.robustness.maxRadius)}` : fmtNum(p.robustness.median, 3)) : '-');
      const robustCol = t.robustnessSample ? ['median L2 flip'] : [];
      ctx.print(table(['checkpoint', ...metricKeys, 'suspects', 'checks', ...robustCol], t.points.map((p) => [p.checkpoint.name, ...metricKeys.map((k) => metric(p, k)), p.suspects.count ?? '-', p.ok === null ? '-' : p.ok ? 'ok' : 'FAILED', ...(t.robustnessSample ? [flip(p)] : [])])));
      if (t.robustnessSample) ctx.print(`flip distance: minimal L2 perturbation of the numeric features (standardised units) that changes the prediction, median over the same ${t.robustnessSample.rows.length} rows of ${project.relative(t.robustnessSample.file)} (seed ${t.robustnessSample.seed}) at every checkpoint${t.points.some((p) => p.robustnessReason) ? `; not measured: ${[...new Set(t.points.flatMap((p) => (p.robustnessReason ? [p.robustnessReason] : [])))].join('; ')}` : ''}`);
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
