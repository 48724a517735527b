/**
 * `irrelevant`: features the user says should not matter must carry at most their allowed share of
 * importance (`maxShare`, default 0.05). Evidence: the rows where the feature's local share is
 * largest.
 */
import { evidenceRow, EXAMPLES, pct, topK } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_IRRELEVANT_SHARE = 0.05;

export const irrelevant = {
  id: 'irrelevant',
  title: 'Irrelevant features',
  description: 'features listed as irrelevant in glassbox.json carry at most their allowed importance share',
  needs: ['model', 'importance', 'expectation'],
  defaultSeverity: 'error',
  async run(ctx, signal) {
    const list = ctx.config.raw.expectations?.irrelevant ?? [];
    if (list.length === 0) return skip('no expectations.irrelevant in glassbox.json');
    const specs = list.map((e, i) => {
      const location = ctx.config.locate(['expectations', 'irrelevant', i]);
      const name = typeof e === 'string' ? e : e.feature;
      return { name, f: ctx.feature(name, location), maxShare: typeof e === 'string' ? DEFAULT_IRRELEVANT_SHARE : (e.maxShare ?? DEFAULT_IRRELEVANT_SHARE), location };
    });
    const shares = await ctx.importance(signal);
    const F = shares.features.length;
    const findings: Finding[] = [];
    const measured: Record<string, number> = {};
    for (const s of specs) {
      const share = shares.global[s.f]!;
      measured[s.name] = share;
      if (share <= s.maxShare) continue;
      const local = Float64Array.from({ length: shares.rows.length }, (_, i) => shares.local[i * F + s.f]!);
      findings.push({
        message: `'${s.name}' is expected to be irrelevant but carries ${pct(share)} of the importance (allowed ${pct(s.maxShare)}; ${shares.provider})`,
        measured: share,
        limit: s.maxShare,
        metric: 'importance share',
        subject: s.name,
        location: s.location,
        evidence: topK(local, EXAMPLES).map((i) => evidenceRow(shares.dataset, shares.rows[i]!, `'${s.name}' carries ${pct(local[i]!)} of this row's attribution`, { share: local[i]! })),
      });
    }
    const names = specs.map((s) => `${s.name} ${pct(measured[s.name]!)}`).join(', ');
    return outcome(findings, `within their allowed share: ${names}`, `over their allowed share: ${findings.map((f) => f.subject).join(', ')}`, { shares: measured });
  },
} satisfies Check;
