/**
 * `expectedTop`: features the domain expert expects among the k most important (default k = 5).
 * One finding per expected feature ranked below k.
 */
import { pct } from './evidence';
import { rankFeatures } from '../importance/shares';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_TOP_K = 5;

export const expectedTop = {
  id: 'expected-top',
  title: 'Expected top features',
  description: 'features the expectations name are among the k most important',
  needs: ['model', 'importance', 'expectation'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    const spec = ctx.config.raw.expectations?.expectedTop;
    if (!spec || spec.features.length === 0) return skip('no expectations.expectedTop in glassbox.json');
    const k = spec.k ?? DEFAULT_TOP_K;
    const wanted = spec.features.map((name, i) => {
      const location = ctx.config.locate(['expectations', 'expectedTop', 'features', i]);
      ctx.feature(name, location);
      return { name, location };
    });
    const ranking = rankFeatures(await ctx.importance(signal));
    const top = ranking.slice(0, k).map((r) => `${r.feature} ${pct(r.share)}`).join(', ');
    const findings: Finding[] = [];
    for (const w of wanted) {
      const r = ranking.find((e) => e.feature === w.name)!;
      if (r.rank <= k) continue;
      findings.push({
        message: `'${w.name}' is expected in the top ${k} but ranks ${r.rank} of ${ranking.length} (${pct(r.share)} of the importance; top ${k}: ${top})`,
        measured: r.rank,
        limit: k,
        metric: 'importance rank',
        subject: w.name,
        location: w.location,
        evidence: [],
        details: { share: r.share },
      });
    }
    return outcome(findings, `all expected features in the top ${k} (${top})`, `${findings.length} expected feature(s) outside the top ${k}`, {
      ranking: ranking.map((r) => ({ feature: r.feature, share: r.share, rank: r.rank })),
    });
  },
} satisfies Check;
