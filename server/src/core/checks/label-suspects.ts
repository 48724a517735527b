/**
 * `label-suspects`: are there more wrong training labels than clean data has, and which rows?
 *
 * The decision reads the estimated share of wrong labels (influence/dynamics.ts
 * `estimateNoiseRate`: contrary labels where the model is sure, a confident-learning style estimate
 * taken before the network memorised its flips, with an approximate 95% interval). The check fails
 * when that share is at least `checks.labelSuspects.minNoiseRate` (default 3%): every real data set
 * has rows that look mislabelled near the decision boundary, and only a share above that of clean
 * data says the labels, not the task, are the problem. The default comes from the bug zoo (healthy
 * models estimate 0–2.7%, flipped labels 5–20% mostly above; docs/cli.md has the figures). The
 * decision does not wait for rows the model rejects outright: with 20% of labels flipped a network
 * is never sure enough of any row to give its label p < 0.05, and those are the data sets that need
 * the check most.
 *
 * Which rows: ranked by the noise-adjusted area under the margin (`DEFAULT_MISLABEL_RANKING`: the
 * margin over the checkpoint series, Pleiss et al. 2020, shifted by the log of each class's
 * estimated flip rate, so class-dependent noise ranks the way Bayes' rule says), listed up to an
 * inspection budget equal to the estimated share (at least `topFraction` of the rows, 1%): reading
 * that many rows is what fixing the labels costs. `strongly suspect` rows are those in the list
 * whose label gets p < `maxProbability` (0.05) from the checked checkpoint. Default severity
 * `warning`: suspects are leads, not proof (rare but correct rows look the same). Works for any
 * classifier whose checkpoints predict (no gradients); binary and multiclass alike. Regression has
 * no label to flip and is skipped (its large-residual rows are on `glassbox suspects`).
 */
import { DEFAULT_MISLABEL_RANKING, dynamicsReason, dynamicsSuspects, estimateNoiseRate, trainingDynamics } from '../influence/dynamics';
import { evidenceRow, EXAMPLES, pct } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const DEFAULT_MAX_PROBABILITY = 0.05;
export const DEFAULT_TOP_FRACTION = 0.01;
/** Default estimated share of wrong labels from which the check fails (bug zoo, docs/cli.md). */
export const DEFAULT_MIN_NOISE_RATE = 0.03;
/** Largest number of rows a finding lists in its details (the ranking is on the CLI `suspects`). */
const MAX_LISTED = 1000;

export const labelSuspects = {
  id: 'label-suspects',
  title: 'Label problems',
  description: 'more training labels look wrong than clean data has (confident-learning estimate); suspects ranked by the noise-adjusted area under the margin',
  reference: 'Northcutt et al. 2021, confident learning; Pleiss et al. 2020, area under the margin',
  needs: ['train', 'labels', 'series'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    if (ctx.task === 'regression') return skip('label suspects need class labels: a regression target has no label to flip (glassbox suspects ranks its large-residual rows)');
    const train = await ctx.project.dataset('train', { keepRaw: true });
    if (!train.y) return skip('the training data has no labels');
    const cfg = ctx.config.raw.checks?.labelSuspects ?? {};
    const maxProbability = cfg.maxProbability ?? DEFAULT_MAX_PROBABILITY;
    const topFraction = cfg.topFraction ?? DEFAULT_TOP_FRACTION;
    const noiseRateMin = cfg.minNoiseRate ?? DEFAULT_MIN_NOISE_RATE;
    // The series up to and including the checked checkpoint, as the influence analysis reads it.
    const ready = ctx.project.checkpoints().filter((c) => c.state === 'ready');
    const at = ready.findIndex((c) => c.dir === ctx.checkpoint.dir);
    const dynamics = await trainingDynamics(ctx.project, train, at >= 0 ? ready.slice(0, at + 1) : [ctx.checkpoint], signal);
    const noise = estimateNoiseRate(dynamics);
    if (!noise) return skip('label suspects need class probabilities');
    const rate = noise.rate;
    const n = dynamics.n;
    const top = Math.min(n, Math.max(1, Math.ceil(Math.max(rate, topFraction) * n)));
    const ranked = dynamicsSuspects(dynamics, top, DEFAULT_MISLABEL_RANKING);
    const strong = ranked.filter((s) => s.pLabel < maxProbability);
    const classes = ctx.config.raw.classNames ?? ctx.encoding.label?.classes;
    const label = (c: number) => classes?.[c] ?? String(c);
    const features = ctx.encoding.features.map((f) => f.name);
    const checkpoints = dynamics.checkpoints.length;
    const [low, high] = noise.interval;
    const noiseText = `about ${pct(rate)} of labels look wrong (95% interval ${pct(low)}–${pct(high)}; contrary labels where the model is sure, over ${dynamics.classes} classes)`;
    const rankText = `${top} rows ranked by the noise-adjusted margin over ${checkpoints} checkpoint(s)`;
    const findings: Finding[] = [];
    if (rate >= noiseRateMin) {
      findings.push({
        message: `${noiseText}, at least the ${pct(noiseRateMin)} clean data stays below; the ${rankText} are where to start (${strong.length} of them get p < ${maxProbability} for their own label): check their labels`,
        measured: rate,
        limit: noiseRateMin,
        metric: 'estimated share of wrong labels',
        subject: train.file,
        evidence: ranked.slice(0, EXAMPLES).map((s) => {
          const values: Record<string, number | string> = { label: label(s.label), pLabel: s.pLabel, aum: s.aum };
          for (const f of features) values[f] = train.raw?.[s.index]?.[train.header.indexOf(f)] ?? '';
          return evidenceRow(train, s.index, dynamicsReason(s, checkpoints, classes), values);
        }),
        details: { rows: ranked.slice(0, MAX_LISTED).map((s) => ({ row: s.index, line: train.lines[s.index]!, label: label(s.label), pLabel: s.pLabel, aum: s.aum, rank: s.rank })) },
      });
    }
    const details = {
      score: DEFAULT_MISLABEL_RANKING,
      noiseRate: rate,
      noiseInterval: noise.interval,
      noiseRateMin,
      noisePerClass: noise.perClass,
      ranked: top,
      stronglySuspect: strong.length,
      maxProbability,
      topFraction,
      checkpoints: dynamics.checkpoints.map((c) => c.name),
    };
    const head = `${strong.length} of the top ${top} suspects (${pct(top / n)} of ${n}) get p < ${maxProbability} for their label; ${noiseText}${rate >= noiseRateMin ? '' : `, below the ${pct(noiseRateMin)} floor of clean data`}`;
    return outcome(findings, head, head, details);
  },
} satisfies Check;
