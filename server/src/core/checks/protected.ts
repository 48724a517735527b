/**
 * `protected`: protected attributes (top-level `protected`, or `expectations.protected.features`)
 * must carry little importance: globally a share of at most epsilon, and locally at most
 * `maxRowRate` of the rows may give the attribute more than epsilon of their attribution.
 * Defaults: epsilon 0.05 (or `expectations.protectedMaxShare`), maxRowRate 0.1.
 */
import type { SourceLocation } from '../errors';
import { evidenceRow, EXAMPLES, pct, topK } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_EPSILON = 0.05;
export const DEFAULT_MAX_ROW_RATE = 0.1;

export const protectedAttributes = {
  id: 'protected',
  title: 'Protected attributes',
  description: 'protected attributes carry at most epsilon of the importance, globally and in most rows',
  needs: ['model', 'importance', 'expectation'],
  defaultSeverity: 'error',
  async run(ctx, signal) {
    const { raw, locate } = ctx.config;
    const spec = raw.expectations?.protected ?? {};
    const fromSpec = spec.features !== undefined;
    const names = spec.features ?? raw.protected ?? [];
    if (names.length === 0) return skip("no protected attributes in glassbox.json ('protected')");
    const epsilon = spec.epsilon ?? raw.expectations?.protectedMaxShare ?? DEFAULT_EPSILON;
    const maxRowRate = spec.maxRowRate ?? DEFAULT_MAX_ROW_RATE;
    // A finding points at the limit it broke when the user wrote one, else at the attribute's name.
    const epsilonAt: SourceLocation | undefined =
      spec.epsilon !== undefined ? locate(['expectations', 'protected', 'epsilon']) : raw.expectations?.protectedMaxShare !== undefined ? locate(['expectations', 'protectedMaxShare']) : undefined;
    const rateAt: SourceLocation | undefined = spec.maxRowRate !== undefined ? locate(['expectations', 'protected', 'maxRowRate']) : undefined;
    const features = names.map((name, i) => {
      const location = fromSpec ? locate(['expectations', 'protected', 'features', i]) : locate(['protected', i]);
      return { name, f: ctx.feature(name, location), location };
    });
    const shares = await ctx.importance(signal);
    const F = shares.features.length;
    const n = shares.rows.length;
    const findings: Finding[] = [];
    const measured: Record<string, { global: number; rowRate: number }> = {};
    for (const p of features) {
      const global = shares.global[p.f]!;
      const local = Float64Array.from({ length: n }, (_, i) => shares.local[i * F + p.f]!);
      const over = local.reduce((c, v) => c + (v > epsilon ? 1 : 0), 0);
      const rowRate = n ? over / n : 0;
      measured[p.name] = { global, rowRate };
      const examples = () =>
        topK(local, EXAMPLES).map((i) => evidenceRow(shares.dataset, shares.rows[i]!, `'${p.name}' carries ${pct(local[i]!)} of this row's attribution`, { share: local[i]! }));
      if (global > epsilon) {
        findings.push({
          message: `protected attribute '${p.name}' carries ${pct(global)} of the importance (epsilon ${pct(epsilon)}; ${shares.provider})`,
          measured: global,
          limit: epsilon,
          metric: 'global importance share',
          subject: p.name,
          location: epsilonAt ?? p.location,
          evidence: examples(),
        });
      }
      if (rowRate > maxRowRate) {
        findings.push({
          message: `protected attribute '${p.name}' carries more than ${pct(epsilon)} of the attribution in ${pct(rowRate)} of the rows (${over} of ${n}; allowed ${pct(maxRowRate)})`,
          measured: rowRate,
          limit: maxRowRate,
          metric: 'rows over epsilon',
          subject: p.name,
          location: rateAt ?? p.location,
          evidence: examples(),
        });
      }
    }
    const text = features.map((p) => `${p.name} ${pct(measured[p.name]!.global)} (rows over epsilon ${pct(measured[p.name]!.rowRate)})`).join(', ');
    return outcome(findings, `under epsilon ${pct(epsilon)}: ${text}`, `over epsilon ${pct(epsilon)}: ${[...new Set(findings.map((f) => f.subject))].join(', ')}`, { epsilon, maxRowRate, measured });
  },
} satisfies Check;
