/**
 * Label-free performance estimation from the model's own probabilities, as NannyML's
 * confidence-based performance estimation (CBPE): on reference rows without labels, a calibrated
 * probability says how often each prediction is right, so
 *
 * - expected accuracy = mean over rows of the predicted class's probability (its expectation is
 *   exactly the accuracy's expectation when the probabilities are calibrated);
 * - expected ROC AUC (binary) = Σ_{i,j} p_i (1 − p_j) [s_i > s_j] / (Σ p · Σ (1 − p)), ties counted
 *   half: the expected true- and false-positive counts at every threshold of the score s, i.e.
 *   NannyML's estimated ROC curve integrated exactly (a ratio of expectations).
 * `standardError` is the spread of the realised accuracy around the estimate if the probabilities
 * are right: √(Σ c (1 − c)) / n (a sum of independent Bernoulli(c) outcomes).
 *
 * Calibration: when labelled held-out rows (`calibration`) show the model miscalibrated by the
 * calibration check's own test (ECE ≥ ECE_MIN with p < ECE_ALPHA on its reliability bins), the
 * probabilities are first mapped through that reliability diagram (histogram binning, Zadrozny &
 * Elkan 2001, the check's 15 equal-width bins; a bin with fewer than `MIN_BIN_ROWS` rows keeps the
 * raw value): top-label confidence to the bin's accuracy for the accuracy estimate, and the
 * positive class's probability to the bin's positive rate for the AUC. A calibrated model is used
 * as is: refitting on the same rows would only add noise.
 */
import type { Predictions } from '../model/model';
import { calibrationPValue, ECE_ALPHA, ECE_BINS, ECE_MIN, expectedCalibrationError } from '../checks/calibration';

const MIN_BIN_ROWS = 10;

export interface PerformanceEstimate {
  rows: number;
  expectedAccuracy: number;
  /** √(Σ c(1−c)) / n: the realised accuracy's standard deviation if the probabilities are right. */
  standardError: number;
  /** Binary classifiers only. */
  expectedRocAuc?: number;
  /** Whether the probabilities were recalibrated, and the calibration evidence used. */
  calibration: { recalibrated: boolean; ece?: number; pValue?: number; rows?: number; file?: string };
  /** Realised values when the reference has labels, for comparison. */
  realised?: { accuracy: number; rocAuc?: number; rows: number };
}

/** Mean confidence and its Poisson-binomial standard error. */
export function expectedAccuracy(confidence: ArrayLike<number>): { value: number; standardError: number } {
  const n = confidence.length;
  let s = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    s += confidence[i]!;
    v += confidence[i]! * (1 - confidence[i]!);
  }
  return { value: n ? s / n : NaN, standardError: n ? Math.sqrt(v) / n : NaN };
}

/** Expected ROC AUC of scores `s` when row i is positive with probability p_i (ties count half). O(n log n). */
export function expectedRocAuc(p: ArrayLike<number>, s: ArrayLike<number> = p): number {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a]! - s[b]!);
  let pos = 0;
  let neg = 0;
  let num = 0;
  // Ascending scores: each row's positive mass beats the negative mass of every lower score.
  let negBelow = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    let tiePos = 0;
    let tieNeg = 0;
    while (j < n && s[order[j]!] === s[order[i]!]) {
      tiePos += p[order[j]!]!;
      tieNeg += 1 - p[order[j]!]!;
      j++;
    }
    num += tiePos * negBelow + 0.5 * tiePos * tieNeg;
    negBelow += tieNeg;
    pos += tiePos;
    neg += tieNeg;
    i = j;
  }
  return pos > 0 && neg > 0 ? num / (pos * neg) : NaN;
}

/** Realised ROC AUC of scores against 0/1 labels (the same formula with p = label). */
export function rocAuc(labels: ArrayLike<number>, s: ArrayLike<number>): number {
  return expectedRocAuc(labels, s);
}

/** The reliability diagram as a map: equal-width bins of `score`, each to its mean `outcome` (sparse bins: identity). */
export function reliabilityMap(score: ArrayLike<number>, outcome: ArrayLike<number>, bins = ECE_BINS): (x: number) => number {
  const count = new Float64Array(bins);
  const hit = new Float64Array(bins);
  const bin = (x: number) => Math.min(bins - 1, Math.max(0, Math.ceil(x * bins) - 1));
  for (let i = 0; i < score.length; i++) {
    count[bin(score[i]!)]++;
    hit[bin(score[i]!)] += outcome[i]!;
  }
  return (x) => {
    const b = bin(x);
    return count[b]! >= MIN_BIN_ROWS ? hit[b]! / count[b]! : x;
  };
}

export interface CbpeInput {
  /** Predictions on the (unlabelled) reference rows. */
  reference: Predictions;
  /** Reference labels when there are any (realised values are reported beside the estimate). */
  referenceLabels?: Float32Array;
  /** Predictions and labels of labelled held-out rows, to judge calibration and recalibrate. */
  calibration?: { predictions: Predictions; labels: Float32Array; file?: string };
  seed?: number;
}

/** CBPE for a classifier's predictions; undefined for regression (no probabilities). */
export function estimatePerformance(input: CbpeInput): PerformanceEstimate | undefined {
  const ref = input.reference;
  if (!ref.probabilities || !ref.predicted) return undefined;
  const K = ref.classes;
  const conf = Float64Array.from({ length: ref.n }, (_, i) => ref.probabilities![i * K + ref.predicted![i]!]!);
  const pos = K === 2 ? Float64Array.from({ length: ref.n }, (_, i) => ref.probabilities![i * K + 1]!) : undefined;
  const calibration: PerformanceEstimate['calibration'] = { recalibrated: false };
  let c = conf;
  let p = pos;
  const cal = input.calibration;
  if (cal?.predictions.probabilities && cal.predictions.predicted) {
    const cp = cal.predictions;
    const rows = Array.from({ length: cp.n }, (_, i) => i).filter((i) => !Number.isNaN(cal.labels[i]!));
    const cc = Float64Array.from(rows, (i) => cp.probabilities![i * K + cp.predicted![i]!]!);
    const right = Float64Array.from(rows, (i) => (cp.predicted![i] === cal.labels[i] ? 1 : 0));
    const ece = expectedCalibrationError(cc, right);
    const pValue = calibrationPValue(cc, ece, input.seed ?? 0);
    Object.assign(calibration, { ece, pValue, rows: rows.length, ...(cal.file ? { file: cal.file } : {}) });
    if (ece >= ECE_MIN && pValue < ECE_ALPHA) {
      calibration.recalibrated = true;
      const mapConf = reliabilityMap(cc, right);
      c = Float64Array.from(conf, mapConf);
      if (pos) {
        const mapPos = reliabilityMap(Float64Array.from(rows, (i) => cp.probabilities![i * K + 1]!), Float64Array.from(rows, (i) => cal.labels[i]!));
        p = Float64Array.from(pos, mapPos);
      }
    }
  }
  const acc = expectedAccuracy(c);
  const out: PerformanceEstimate = { rows: ref.n, expectedAccuracy: acc.value, standardError: acc.standardError, calibration };
  // The AUC ranks by the model's own score and weighs by the (re)calibrated probability.
  if (p && pos) out.expectedRocAuc = expectedRocAuc(p, pos);
  const y = input.referenceLabels;
  if (y) {
    const rows = Array.from({ length: ref.n }, (_, i) => i).filter((i) => !Number.isNaN(y[i]!));
    if (rows.length) {
      const realised: NonNullable<PerformanceEstimate['realised']> = { accuracy: rows.filter((i) => ref.predicted![i] === y[i]).length / rows.length, rows: rows.length };
      if (pos) realised.rocAuc = rocAuc(Float64Array.from(rows, (i) => y[i]!), Float64Array.from(rows, (i) => pos[i]!));
      out.realised = realised;
    }
  }
  return out;
}
