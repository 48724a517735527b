/**
 * `calibration`: the model's probabilities do not match how often it is right on held-out rows.
 *
 * Expected calibration error (Guo et al. 2017, "On Calibration of Modern Neural Networks",
 * arXiv:1706.04599): top-label confidence in `ECE_BINS` (15) equal-width bins,
 * ECE = Σ_b (n_b / n) |accuracy_b − confidence_b|. ECE is biased upwards on few rows, so it is
 * judged against the model's own null (consistency resampling, Bröcker & Smith 2007): each row's
 * correctness is redrawn as Bernoulli(confidence), i.e. as if the model were perfectly calibrated,
 * `NULL_DRAWS` (200) times, seeded; the p-value is the share of draws with ECE at least the one
 * measured. Flagged when ECE >= ECE_MIN and p < ECE_ALPHA; thresholds from the bug zoo (docs/cli.md).
 * Classification only, on held-out rows (test, else labelled reference): training rows say
 * nothing about calibration.
 */
import { takeRows } from '../data/dataset';
import { predict } from '../model/model';
import { createRng } from '../util/random';
import { num, pct } from './evidence';
import { labelledHeldOut, labelledRows } from './heldout';
import { outcome, skip, type Check, type Finding } from './types';

export const ECE_BINS = 15;
export const ECE_MIN = 0.05;
export const ECE_ALPHA = 0.01;
const NULL_DRAWS = 200;
const ROWS = 20000;

/** ECE of top-label confidences `conf` with correctness `right` (0/1). */
export function expectedCalibrationError(conf: ArrayLike<number>, right: ArrayLike<number>, bins = ECE_BINS): number {
  const n = conf.length;
  const count = new Float64Array(bins);
  const sumConf = new Float64Array(bins);
  const sumRight = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf[i]! * bins) - 1));
    count[b]++;
    sumConf[b] += conf[i]!;
    sumRight[b] += right[i]!;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += Math.abs(sumRight[b]! - sumConf[b]!) / n;
  return ece;
}

/** P(ECE >= measured) if each row were right with probability equal to its confidence. */
export function calibrationPValue(conf: ArrayLike<number>, measured: number, seed: number, draws = NULL_DRAWS): number {
  const rng = createRng(seed + 31);
  const right = new Float64Array(conf.length);
  let atLeast = 0;
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < conf.length; i++) right[i] = rng.next() < conf[i]! ? 1 : 0;
    if (expectedCalibrationError(conf, right) >= measured) atLeast++;
  }
  return (atLeast + 1) / (draws + 1);
}

export const calibration = {
  id: 'calibration',
  title: 'Calibration',
  description: 'predicted probabilities match how often the model is right on held-out rows (expected calibration error)',
  reference: 'Guo et al. 2017, arXiv:1706.04599',
  needs: ['model', 'labels'],
  defaultSeverity: 'warning',
  async run(ctx, signal) {
    if (ctx.task === 'regression') return skip('calibration of probabilities applies to classifiers');
    const held = await labelledHeldOut(ctx);
    if (!held) return skip('no labelled held-out data (data.test, or data.reference with labels)');
    const rows = labelledRows(ctx, held, ROWS, 23);
    const p = predict(ctx.model, takeRows(held, rows), rows.length, signal);
    const K = p.classes;
    const conf = Float64Array.from(rows, (_, i) => p.probabilities![i * K + p.predicted![i]!]!);
    const right = Float64Array.from(rows, (r, i) => (p.predicted![i] === held.y![r] ? 1 : 0));
    const ece = expectedCalibrationError(conf, right);
    const pValue = calibrationPValue(conf, ece, ctx.options.seed);
    const meanConf = conf.reduce((a, b) => a + b, 0) / conf.length;
    const acc = right.reduce((a, b) => a + b, 0) / right.length;
    const text = `ECE ${num(ece, 3)} (p = ${num(pValue, 3)}) on ${rows.length} rows of ${ctx.project.relative(held.file)}: mean confidence ${pct(meanConf)}, accuracy ${pct(acc)}`;
    const findings: Finding[] = [];
    if (ece >= ECE_MIN && pValue < ECE_ALPHA) {
      findings.push({
        message: `${text}: the probabilities are ${meanConf > acc ? 'overconfident' : 'underconfident'} (at ${ctx.checkpoint.name}); recalibrate (temperature scaling) before reading them as chances`,
        measured: ece,
        limit: ECE_MIN,
        metric: 'expected calibration error',
        subject: ctx.checkpoint.name,
        location: { file: ctx.checkpoint.file },
        evidence: [],
        details: { pValue, meanConfidence: meanConf, accuracy: acc, rows: rows.length },
      });
    }
    return outcome(findings, text, text, { ece, pValue, meanConfidence: meanConf, accuracy: acc });
  },
} satisfies Check;
