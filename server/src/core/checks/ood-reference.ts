/**
 * `ood-reference`: how much of the reference data lies outside the training distribution, from the
 * drift analysis (drift/ood.ts: Mahalanobis distance in the encoded input space and the model's
 * last hidden layer, Lee et al. 2018, with conformal p-values calibrated on training rows held out
 * of the fit, Bonferroni-combined over the two spaces).
 *
 * Under "the reference rows come from the training distribution" a row's p-value is (at most)
 * uniform, so about `alpha` of the rows get p < alpha by chance. The check fails when the share of
 * reference rows with p < `alpha` (0.01) exceeds `maxRate` (0.03, three times chance); both in
 * `checks.oodReference`. Evidence: the most out-of-distribution rows and the raw features that
 * make up most of their encoded distance. Reference data: `data.reference`, else `data.test`.
 */
import { featureNames } from '../data/encoding';
import { fitOod, rankOod, scoreOod } from '../drift/ood';
import { evidenceRow, EXAMPLES, num, pct } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_MAX_RATE = 0.03;

export const oodReference = {
  id: 'ood-reference',
  title: 'Out-of-distribution reference data',
  description: 'reference rows far outside the training distribution (calibrated Mahalanobis p-values), more than chance allows',
  reference: 'Lee et al. 2018, Mahalanobis OOD detection',
  needs: ['model', 'train', 'reference'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    const cfg = ctx.config.raw.checks?.oodReference ?? {};
    const alpha = cfg.alpha ?? DEFAULT_ALPHA;
    const maxRate = cfg.maxRate ?? DEFAULT_MAX_RATE;
    const role = ctx.project.dataPath('reference') ? 'reference' : ctx.project.dataPath('test') ? 'test' : undefined;
    if (!role) return skip('no reference or test data in glassbox.json');
    const ref = await ctx.project.dataset(role, { keepRaw: true });
    const train = await ctx.train();
    const opts = { seed: ctx.options.seed, ...(signal ? { signal } : {}) };
    const det = fitOod(ctx.model, ctx.encoding, train, opts);
    const s = scoreOod(det, ctx.model, ctx.encoding, ref.X, ref.n, opts);
    // The smallest p-value is k / (1 + held-out rows) (k spaces, Bonferroni): below alpha or nothing can be flagged.
    const smallest = (s.hidden ? 2 : 1) / (1 + det.heldOut.length);
    if (smallest >= alpha) return skip(`too few training rows to calibrate p < ${alpha} (${det.heldOut.length} held out; smallest p ${num(smallest, 4)})`);
    let below = 0;
    for (const p of s.pValue) if (p < alpha) below++;
    const rate = ref.n ? below / ref.n : 0;
    const names = featureNames(ctx.encoding);
    const F = names.length;
    const why = (i: number) => {
      const d2 = s.encoded.distance[i]! ** 2;
      return names
        .map((feature, f) => ({ feature, part: s.contributions[i * F + f]! }))
        .sort((a, b) => b.part - a.part)
        .slice(0, 3)
        .map((p) => `${p.feature}=${ref.raw?.[i]?.[ref.header.indexOf(p.feature)] ?? '?'} (${pct(d2 > 0 ? p.part / d2 : 0)} of d²)`);
    };
    const findings: Finding[] = [];
    const spaces = s.hidden ? 'input and hidden layer' : 'input';
    if (rate > maxRate) {
      const at = cfg.maxRate !== undefined ? ctx.config.locate(['checks', 'oodReference', 'maxRate']) : undefined;
      findings.push({
        message: `${pct(rate)} of the reference rows (${below} of ${ref.n}) are out of distribution at p < ${alpha} (about ${pct(alpha)} expected by chance; allowed ${pct(maxRate)})`,
        measured: rate,
        limit: maxRate,
        metric: `share of rows with p < ${alpha}`,
        subject: ref.file,
        ...(at ? { location: at } : {}),
        evidence: rankOod(det, s)
          .slice(0, EXAMPLES)
          .map((i) => {
            const w = why(i);
            return evidenceRow(ref, i, `p=${num(s.pValue[i]!, 4)}, distance ${num(s.encoded.distance[i]!, 1)} (training median ${num(det.encoded.median, 1)}); why: ${w.join(', ')}`, {
              pValue: s.pValue[i]!,
              distance: s.encoded.distance[i]!,
              ...(s.hidden ? { hiddenDistance: s.hidden.distance[i]! } : {}),
              why: w.join(', '),
            });
          }),
      });
    }
    const head = `${pct(rate)} of ${ref.n} reference rows with p < ${alpha} (${spaces}; allowed ${pct(maxRate)})`;
    return outcome(findings, head, head, { alpha, maxRate, rate, below, rows: ref.n, heldOut: det.heldOut.length, spaces: s.hidden ? ['encoded', 'hidden'] : ['encoded'] });
  },
} satisfies Check;
