/**
 * `label-suspects`: training rows whose labels look wrong, from the influence analysis
 * (influence/suspects.ts, the `combined` score: mean percentile rank of last-layer TracIn
 * self-influence and of the loss on the given label over the checkpoint series; Pruthi et al. 2020).
 *
 * A row is strongly suspect when both hold (defaults; `checks.labelSuspects` in glassbox.json):
 * - the checked checkpoint gives the row's own label a probability below `maxProbability` (0.05),
 * - the row is in the top `topFraction` (1%) of the suspects ranking.
 * The check fails when more than `maxRows` (0) rows are strongly suspect and the estimated share of
 * wrong labels (influence/dynamics.ts `estimateNoiseRate`: contrary labels where the model is sure,
 * mean probabilities over the series) is at least `NOISE_RATE_MIN`: every real data set has rows
 * that look mislabelled near the decision boundary, and only a noise floor above that of clean data
 * says the labels, not the task, are the problem. The threshold comes from the bug zoo (clean vs
 * 2–20% flipped labels; docs/cli.md). Default severity
 * `warning`: suspects are leads to inspect, not proof of a wrong label (rare but correct rows look
 * the same). The series is every ready checkpoint up to the checked one; the per-checkpoint
 * precompute is stored under .glassbox/influence and reused while the checkpoint hash and the
 * training data are unchanged.
 */
import { DEFAULT_SUSPECT_SCORE, suspectReason, suspects } from '../influence/suspects';
import { estimateNoiseRate, trainingDynamics } from '../influence/dynamics';
import { evidenceRow, EXAMPLES, pct } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_MAX_PROBABILITY = 0.05;
export const DEFAULT_TOP_FRACTION = 0.01;
export const NOISE_RATE_MIN = 0.01;

export const labelSuspects = {
  id: 'label-suspects',
  title: 'Label problems',
  description: 'training rows whose labels look wrong: top of the influence suspects ranking and the model gives the label a low probability',
  reference: 'Pruthi et al. 2020, TracIn self-influence',
  needs: ['dense-stack', 'train', 'labels', 'series'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    if (ctx.task === 'regression') return skip('label suspects need a classification model');
    if (!ctx.model.layers && !ctx.model.denseTail) return skip(ctx.model.differentiable ? 'influence needs dense layers at the end of the network' : `influence follows gradients and ${ctx.checkpoint.name} is a ${ctx.model.kind} model without them`);
    const train = await ctx.project.dataset('train', { keepRaw: true });
    if (!train.y) return skip('the training data has no labels');
    const cfg = ctx.config.raw.checks?.labelSuspects ?? {};
    const maxProbability = cfg.maxProbability ?? DEFAULT_MAX_PROBABILITY;
    const topFraction = cfg.topFraction ?? DEFAULT_TOP_FRACTION;
    const maxRows = cfg.maxRows ?? 0;
    const index = await ctx.influenceOrSkip(signal);
    if (typeof index === 'string') return skip(index);
    const series = index.entries.map((e) => e.info);
    const noise = estimateNoiseRate(await trainingDynamics(ctx.project, train, series, signal));
    const rate = noise?.rate ?? NaN;
    const top = Math.max(1, Math.ceil(topFraction * index.n));
    const ranked = suspects(index, top, DEFAULT_SUSPECT_SCORE);
    const classes = ctx.config.raw.classNames ?? ctx.encoding.label?.classes;
    const flagged = ranked.filter((s) => s.pLabel < maxProbability);
    const features = ctx.encoding.features.map((f) => f.name);
    const label = (c: number) => classes?.[c] ?? String(c);
    const limitAt = cfg.maxProbability !== undefined ? ctx.config.locate(['checks', 'labelSuspects', 'maxProbability']) : undefined;
    const findings: Finding[] = [];
    const noiseText = Number.isNaN(rate) ? '' : `about ${pct(rate)} of labels look wrong (contrary labels where the model is sure)`;
    if (flagged.length > maxRows && rate >= NOISE_RATE_MIN) {
      findings.push({
        message: `${noiseText}; ${flagged.length} training row(s) in the top ${pct(topFraction)} of the suspects ranking get p < ${maxProbability} for their own label (${top} rows ranked by ${DEFAULT_SUSPECT_SCORE} over ${index.entries.length} checkpoint(s)): check their labels`,
        measured: flagged.length,
        limit: maxRows,
        metric: 'strongly suspect rows',
        subject: train.file,
        ...(limitAt ? { location: limitAt } : {}),
        evidence: flagged.slice(0, EXAMPLES).map((s) => {
          const values: Record<string, number | string> = { label: label(s.label), pLabel: s.pLabel, score: s.score };
          for (const f of features) values[f] = train.raw?.[s.index]?.[train.header.indexOf(f)] ?? '';
          return evidenceRow(train, s.index, suspectReason(s, index.n, classes), values);
        }),
        details: { rows: flagged.map((s) => ({ row: s.index, line: train.lines[s.index]!, label: label(s.label), pLabel: s.pLabel, score: s.score })) },
      });
    }
    const details = { score: DEFAULT_SUSPECT_SCORE, noiseRate: rate, noiseRateMin: NOISE_RATE_MIN, noisePerClass: noise?.perClass ?? null, ranked: top, flagged: flagged.length, maxProbability, topFraction, maxRows, checkpoints: index.entries.map((e) => ({ name: e.info.name, reused: e.reused })) };
    const head = `${flagged.length} of the top ${top} suspects (${pct(topFraction)} of ${index.n}) get p < ${maxProbability} for their label${noiseText ? `; ${noiseText}` : ''}`;
    return outcome(findings, head, head, details);
  },
} satisfies Check;
