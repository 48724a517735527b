/**
 * `protected-influence`: do predictions lean on training rows of the same protected group? The
 * influence fairness lens (influence/fairness.ts) over a seeded sample of reference (else test)
 * rows: for each query row, its top-k proponents by the default influence score (RelatIF over the
 * checkpoint series up to the checked one), and for each protected attribute (top-level
 * `protected`, or `expectations.protected.features`) the share of those proponents with the
 * query's value minus that value's share of the training set (over-representation, in [−1, 1]).
 *
 * Influence here is over the last layer only (TracInCP-fast): with every layer, the first layer's
 * gradient carries the raw input, so rows of the same group rank higher for any model, even one
 * that ignores the attribute (measured on the synthetic test: +0.48 for a model whose labels
 * ignore the group, the same as for one whose labels depend on it). The last layer sees the input
 * only through the model's hidden representation, so a group shows up there when the model
 * encodes it (same test: +0.12 ignoring the group vs +0.46 using it). A model with a single dense
 * layer has no such representation, so the check skips it.
 *
 * The check fails when an attribute's mean over-representation across the sampled rows exceeds
 * `maxOverRepresentation` (default 0.25). Defaults `rows` 100, `k` 20; all in
 * `checks.protectedInfluence`. Default severity `warning`: a lead to inspect with
 * `glassbox influence`, not proof.
 */
import { GlassboxError } from '../errors';
import { suggest } from '../data/schema';
import { takeRows } from '../data/dataset';
import { predict } from '../model/model';
import { DEFAULT_INFLUENCE_METHOD } from '../influence/index';
import { protectedShares } from '../influence/fairness';
import { evidenceRow, EXAMPLES, pct, topK } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_ROWS = 100;
export const DEFAULT_K = 20;
export const DEFAULT_MAX_OVER = 0.25;
/** Query rows per influence pass (abort checked between passes). */
const BATCH = 50;
/** Last layer only: its gradient sees the input through the model's hidden representation alone. */
const SCOPE = { layers: 'last' as const };

export const protectedInfluence = {
  id: 'protected-influence',
  title: 'Influential rows for protected attributes',
  description: "predictions lean on training rows of the query's own protected group (share among top proponents vs training share)",
  reference: 'Pruthi et al. 2020 (TracIn); Barshan et al. 2020 (RelatIF)',
  needs: ['dense-stack', 'train', 'labels', 'reference', 'series', 'expectation'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    const { raw, locate } = ctx.config;
    const fromSpec = raw.expectations?.protected?.features !== undefined;
    const names = raw.expectations?.protected?.features ?? raw.protected ?? [];
    if (names.length === 0) return skip("no protected attributes in glassbox.json ('protected')");
    if (!ctx.model.layers && !ctx.model.denseTail) return skip(ctx.model.differentiable ? 'influence needs dense layers at the end of the network' : `influence follows gradients and ${ctx.checkpoint.name} is a ${ctx.model.kind} model without them`);
    // With one dense layer the last layer's gradient carries the raw input, group columns included.
    if (ctx.model.layers && ctx.model.layers.length < 2) return skip('needs a model with a hidden layer (with one layer, influence reflects input similarity, not the model)');
    const role = ctx.project.dataPath('reference') ? 'reference' : ctx.project.dataPath('test') ? 'test' : undefined;
    if (!role) return skip('no reference or test data in glassbox.json');
    const cfg = raw.checks?.protectedInfluence ?? {};
    const k = cfg.k ?? DEFAULT_K;
    const limit = cfg.maxOverRepresentation ?? DEFAULT_MAX_OVER;
    const train = await ctx.project.dataset('train', { keepRaw: true });
    if (!train.y) return skip('the training data has no labels');
    names.forEach((name, i) => {
      if (!train.header.includes(name)) {
        const at = fromSpec ? locate(['expectations', 'protected', 'features', i]) : locate(['protected', i]);
        throw new GlassboxError('config', `protected attribute '${name}' is not a column of the training data${suggest(name, train.header)}`, at);
      }
    });
    const ref = await ctx.project.dataset(role, { keepRaw: true });
    const rows = ctx.sample(ref, cfg.rows ?? DEFAULT_ROWS, 3);
    const n = rows.length;
    const X = takeRows(ref, rows);
    const pred = predict(ctx.model, X, n).predicted;
    const labels = Array.from(rows, (r, q) => {
      const y = ref.y?.[r];
      return y !== undefined && Number.isInteger(y) && y >= 0 ? y : (pred?.[q] ?? 0);
    });
    const index = await ctx.influenceOrSkip(signal);
    if (typeof index === 'string') return skip(index);
    const w = ref.width;
    const proponents: number[][] = [];
    for (let start = 0; start < n; start += BATCH) {
      const m = Math.min(BATCH, n - start);
      const res = index.query(X.subarray(start * w, (start + m) * w), labels.slice(start, start + m), m, k, DEFAULT_INFLUENCE_METHOD, SCOPE, signal);
      for (const r of res) proponents.push(r.proponents.map((p) => p.index));
    }
    const over = new Map(names.map((a) => [a, new Float64Array(n)]));
    const shown = new Map(names.map((a) => [a, [] as string[]]));
    rows.forEach((r, q) => {
      const query = Object.fromEntries(names.map((a) => [a, ref.raw?.[r]?.[ref.header.indexOf(a)]]));
      for (const s of protectedShares(names, train.header, train.raw!, query, proponents[q]!)) {
        over.get(s.attribute)![q] = s.topShare - s.baseShare;
        shown.get(s.attribute)![q] = `${s.attribute}=${s.value}: ${pct(s.topShare)} of the top ${s.k} proponents vs ${pct(s.baseShare)} of the training rows`;
      }
    });
    const findings: Finding[] = [];
    const measured: Record<string, number> = {};
    names.forEach((a, i) => {
      const o = over.get(a)!;
      const mean = n ? o.reduce((s, v) => s + v, 0) / n : 0;
      measured[a] = mean;
      if (mean <= limit) return;
      const at = cfg.maxOverRepresentation !== undefined ? locate(['checks', 'protectedInfluence', 'maxOverRepresentation']) : fromSpec ? locate(['expectations', 'protected', 'features', i]) : locate(['protected', i]);
      findings.push({
        message: `predictions lean on training rows of the same '${a}': on average the query's value is ${pct(mean)} more common among its top ${k} proponents than in the training data (limit ${pct(limit)}; ${n} rows of ${ctx.project.relative(ref.file)})`,
        measured: mean,
        limit,
        metric: 'mean over-representation',
        subject: a,
        location: at,
        evidence: topK(o, EXAMPLES).map((q) => evidenceRow(ref, rows[q]!, shown.get(a)![q]!, { overRepresentation: o[q]!, proponents: proponents[q]!.map((i) => train.lines[i]!).join(' ') })),
      });
    });
    const text = names.map((a) => `${a} ${measured[a]! >= 0 ? '+' : ''}${pct(measured[a]!)}`).join(', ');
    return outcome(findings, `mean over-representation among the top ${k} proponents: ${text} (limit ${pct(limit)})`, `over the limit ${pct(limit)}: ${text}`, { k, rows: n, limit, measured });
  },
} satisfies Check;
