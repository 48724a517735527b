/**
 * `explanation-quality`: which attribution method to trust for this model, and a warning when the
 * configured one is no more faithful than random attributions.
 *
 * Runs the explanation-quality battery (core/quality: deletion/insertion AUC per raw feature against
 * random orderings of the same rows, Yeh et al.'s infidelity and max-sensitivity, agreement) on 64
 * held-out rows with 32 training rows as background, for `checks.methods` (else the default set:
 * the model's row method, Integrated Gradients and input x gradient for networks, feature ablation)
 * plus the configured method: `checks.importanceMethod`, else the method rows are explained with by
 * default (`defaultRowMethod`). Flagged when the configured method is not better than random
 * orderings (paired z of its per-row insertion − deletion AUC advantage below 1.645) or gives NaN
 * or infinite attributions. Opt-in (`--only explanation-quality` or a severity in glassbox.json):
 * each method is recomputed on 8 perturbed copies of every row for max-sensitivity.
 */
import type { SourceLocation } from '../errors';
import { defaultRowMethod } from '../methods/registry';
import { defaultQualityMethods, qualityOn } from '../quality/report';
import { Z_BETTER, type MethodQuality } from '../quality/battery';
import { num } from './evidence';
import { outcome, type Check, type Finding } from './types';

const describe = (m: MethodQuality) =>
  m.nonFinite
    ? `${m.method} NaN/infinite`
    : `${m.method} ${num(m.faithfulness, 3)} (z ${num(m.advantage.z, 2)}, infidelity ${num(m.infidelity.relative, 2)}${m.sensitivity ? `, max-sensitivity ${num(m.sensitivity.mean, 2)}` : ''})`;

export const explanationQuality = {
  id: 'explanation-quality',
  title: 'Explanation quality',
  description: 'the configured attribution method is more faithful than random attributions (deletion/insertion curves), with infidelity, max-sensitivity and agreement per method',
  reference: 'Petsiuk et al. 2018 (arXiv:1806.07421); Yeh et al. 2019 (arXiv:1901.09392)',
  needs: ['model', 'train'],
  defaultSeverity: 'warning',
  optIn: true,
  async run(ctx, signal) {
    const configured = ctx.config.raw.checks?.importanceMethod ?? defaultRowMethod(ctx.model);
    const configuredAt: SourceLocation | undefined = ctx.config.raw.checks?.importanceMethod ? ctx.config.locate(['checks', 'importanceMethod']) : undefined;
    const ids = [...new Set([configured, ...(ctx.options.methods ?? defaultQualityMethods(ctx.model))])];
    const result = await qualityOn(ctx.model, ctx.project, await ctx.evaluation(), await ctx.train(), { methods: ids, seed: ctx.options.seed, ...(signal ? { signal } : {}) });
    const mine = result.methods.find((m) => m.method === configured)!;
    const best = result.recommended;
    const random = `random orderings ${num(mine.random.faithfulness, 3)}`;
    const findings: Finding[] = [];
    if (mine.nonFinite || !mine.betterThanRandom) {
      const why = mine.nonFinite
        ? `gives NaN or infinite attributions on ${ctx.checkpoint.name}`
        : `is no more faithful than random attributions on ${ctx.checkpoint.name}: removing its top features moves the target no faster than random orderings (insertion − deletion AUC ${num(mine.faithfulness, 3)} vs ${random}; z ${num(mine.advantage.z, 2)} < ${Z_BETTER})`;
      findings.push({
        message: `attribution method '${configured}' ${why}; ${best ? `trust '${best}' for this model` : 'no method tested beats random orderings here'}`,
        measured: mine.advantage.z,
        limit: Z_BETTER,
        metric: 'faithfulness advantage over random (z)',
        subject: configured,
        ...(configuredAt ? { location: configuredAt } : { location: { file: ctx.checkpoint.file } }),
        evidence: [],
        details: { recommended: best ?? null },
      });
    }
    const { rowIndices: _rows, ...details } = result;
    const text = `${result.rows} rows; insertion − deletion AUC (${random}): ${result.methods.map(describe).join('; ')}; trust ${best ? `'${best}'` : 'none (no method beats random orderings)'}`;
    return outcome(findings, `'${configured}' is more faithful than random; ${text}`, `'${configured}' is not faithful; ${text}`, { ...details, configured });
  },
} satisfies Check;
