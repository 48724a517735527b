/**
 * Suspect labels from training dynamics, for models without gradients (tree ensembles): the Area
 * Under the Margin (Pleiss et al. 2020, "Identifying Mislabeled Data using the Area Under the Margin
 * Ranking", NeurIPS, arXiv:2001.10528). Each ready checkpoint (for boosted trees: every saved
 * boosting round) scores every training row by its margin, the logit of its given label minus the
 * largest other logit; a row the model keeps pushing away from its label has a low mean margin.
 *
 *   aum_i = (1/C) Σ_c [ z_c(x_i)[y_i] − max_{k≠y_i} z_c(x_i)[k] ]      suspect score = −aum_i
 *
 * Also per row: forgetting events (Toneva et al. 2019, "An Empirical Study of Example Forgetting
 * during Deep Neural Network Learning", arXiv:1812.05159): how often the row goes from predicted
 * right to predicted wrong between consecutive checkpoints; a row never predicted right counts as
 * forgotten at every checkpoint (Toneva's "unforgettable" reversed: never learnt ranks highest).
 * And the mean predicted probabilities over checkpoints, which `estimateNoiseRate` reads.
 *
 * The class-adjusted margin puts confident learning's per-class thresholds into the AUM (Northcutt
 * et al. 2021, arXiv:1911.00068, §3.1: t_j = mean probability of class j over the rows labelled j,
 * the model's own confidence level for that class). At each checkpoint every class's logit is
 * shifted by −log t_j, so a row counts as "sure of class k" relative to how sure the model is of k
 * on its own rows; under class-dependent noise (one class flipped into the other more often) that
 * stops the class the model is less sure of from crowding the top of the ranking:
 *
 *   aumAdjusted_i = (1/C) Σ_c [ (z_c[y_i] − log t_c[y_i]) − max_{k≠y_i} (z_c[k] − log t_c[k]) ]
 *
 * Regression has no margin: rows are ranked by the mean squared error over checkpoints instead.
 * The same project rows, checkpoints and class names as TracIn's suspects, so `glassbox suspects`
 * and the daemon present both alike.
 */
import type { Project } from '../project';
import type { CheckpointInfo } from '../model/checkpoints';
import type { Dataset } from '../data/dataset';
import { predict } from '../model/model';
import { GlassboxError, throwIfAborted } from '../errors';
import { ranks } from '../util/stats';

export interface TrainingDynamics {
  n: number;
  checkpoints: CheckpointInfo[];
  /** Mean margin of the given label over checkpoints (classification); NaN for regression. */
  aum: Float64Array;
  /** Mean margin after each checkpoint's per-class thresholds (file comment); NaN for regression. */
  aumAdjusted: Float64Array;
  /** Mean loss on the given label over checkpoints (cross-entropy, or ½ squared error). */
  meanLoss: Float64Array;
  /** Forgetting events per row (classification; 0 for regression): see the file comment. */
  forgetting: Float64Array;
  /** Mean over checkpoints of the predicted probabilities, n x classes (classification). */
  meanProbabilities?: Float64Array;
  /** Mean over checkpoints of the logits, n x classes (classification). */
  meanLogits?: Float64Array;
  /** `confidentNoise` of each checkpoint's own probabilities, in series order (classification). */
  noiseByCheckpoint?: NoiseRateEstimate[];
  classes: number;
  /** Probability the latest checkpoint gives the row's label (NaN for regression). */
  pLabel: Float64Array;
  /** Most probable class at the latest checkpoint (classification). */
  predicted?: Int32Array;
  labels: Float32Array;
  task: 'classification' | 'regression';
}

export interface DynamicsSuspect {
  index: number;
  /** Higher = more suspect: `mislabelScores` under the ranking asked for (the mean loss for regression). */
  score: number;
  aum: number;
  meanLoss: number;
  pLabel: number;
  label: number;
  predicted?: number;
  /** 1-based rank among all training rows by the score. */
  rank: number;
}

/** Margins and losses of every training row at each ready checkpoint up to `upTo` (default: all). */
export async function trainingDynamics(project: Project, train: Dataset, checkpoints: CheckpointInfo[], signal?: AbortSignal): Promise<TrainingDynamics> {
  if (!train.y) throw new GlassboxError('usage', 'suspect rows need the training labels, and the training data has no label column', { file: train.file });
  const series = checkpoints.filter((c) => c.state === 'ready');
  if (series.length === 0) throw new GlassboxError('checkpoint', 'no complete checkpoint to score the training rows with', project.config.locate(['checkpoints', 'path']));
  const n = train.n;
  const y = train.y;
  const aum = new Float64Array(n);
  const aumAdjusted = new Float64Array(n);
  const meanLoss = new Float64Array(n);
  let pLabel = new Float64Array(n);
  let predicted: Int32Array | undefined;
  let regression = false;
  const forgetting = new Float64Array(n);
  const everRight = new Uint8Array(n);
  let wasRight: Uint8Array | undefined;
  let meanP: Float64Array | undefined;
  let meanZ: Float64Array | undefined;
  let classes = 1;
  const noiseByCheckpoint: NoiseRateEstimate[] = [];
  for (const c of series) {
    throwIfAborted(signal);
    const model = await project.model(c);
    regression = model.task === 'regression';
    const p = predict(model, train.X, n, signal);
    const K = (classes = p.classes);
    if (!regression) meanP ??= new Float64Array(n * K);
    if (!regression) meanZ ??= new Float64Array(n * K);
    const logThreshold = regression ? undefined : classLogThresholds(p.probabilities!, y, n, K);
    const right = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const label = y[i]!;
      if (regression) {
        const d = p.logits[i]! - label;
        meanLoss[i] += (0.5 * d * d) / series.length;
        continue;
      }
      const k = label;
      const zy = p.logits[i * K + k]!;
      let other = -Infinity;
      for (let j = 0; j < K; j++) if (j !== k) other = Math.max(other, p.logits[i * K + j]!);
      aum[i] += (zy - other) / series.length;
      let otherAdjusted = -Infinity;
      for (let j = 0; j < K; j++) if (j !== k) otherAdjusted = Math.max(otherAdjusted, p.logits[i * K + j]! - logThreshold![j]!);
      aumAdjusted[i] += (zy - logThreshold![k]! - otherAdjusted) / series.length;
      meanLoss[i] += -Math.log(Math.max(1e-12, p.probabilities![i * K + k]!)) / series.length;
      for (let j = 0; j < K; j++) {
        meanP![i * K + j] += p.probabilities![i * K + j]! / series.length;
        meanZ![i * K + j] += p.logits[i * K + j]! / series.length;
      }
      right[i] = zy > other ? 1 : 0;
      if (right[i]) everRight[i] = 1;
      if (wasRight?.[i] && !right[i]) forgetting[i]++;
    }
    wasRight = right;
    if (!regression) {
      noiseByCheckpoint.push(confidentNoise(p.probabilities!, y, n, K));
      pLabel = Float64Array.from({ length: n }, (_, i) => p.probabilities![i * K + y[i]!]!);
      predicted = p.predicted!;
    }
  }
  if (regression) {
    aum.fill(NaN);
    aumAdjusted.fill(NaN);
    pLabel.fill(NaN);
  }
  if (!regression) for (let i = 0; i < n; i++) if (!everRight[i]) forgetting[i] = series.length;
  const out: TrainingDynamics = { n, checkpoints: series, aum, aumAdjusted, meanLoss, forgetting, classes, pLabel, labels: y, task: regression ? 'regression' : 'classification' };
  if (predicted) out.predicted = predicted;
  if (meanP && !regression) {
    out.meanProbabilities = meanP;
    out.meanLogits = meanZ!;
    out.noiseByCheckpoint = noiseByCheckpoint;
  }
  return out;
}

/**
 * log t_j per class j: t_j = mean P(j) over the rows labelled j (confident learning's threshold). A
 * class nobody is labelled with keeps t = 1 (no shift); t is floored at 1e-12 so the log is finite.
 */
export function classLogThresholds(P: ArrayLike<number>, labels: ArrayLike<number>, n: number, K: number): Float64Array {
  const sum = new Float64Array(K);
  const count = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    sum[y] += P[i * K + y]!;
    count[y]++;
  }
  return Float64Array.from(sum, (s, j) => (count[j] ? Math.log(Math.max(1e-12, s / count[j]!)) : 0));
}

/** Suspicion score per row: −AUM for classification, mean loss for regression. */
export function dynamicsScores(d: TrainingDynamics): Float64Array {
  return d.task === 'regression' ? Float64Array.from(d.meanLoss) : Float64Array.from(d.aum, (v) => -v);
}

/**
 * The rankings of mislabelled rows the training run supports (measured against cleanlab by
 * `npm run bench -- mislabel`): the area under the margin, the margin adjusted by confident
 * learning's per-class thresholds, the margin adjusted by each class's estimated flip rate
 * (`noiseAdjustedScores`), forgetting events, and the rank average of the margin and forgetting
 * (Toneva et al. and Pleiss et al. combined as rank averages, so neither's scale dominates).
 */
export const MISLABEL_RANKINGS = ['aum', 'aum-adjusted', 'aum-noise-adjusted', 'forgetting', 'aum + forgetting'] as const;
export type MislabelRanking = (typeof MISLABEL_RANKINGS)[number];
/**
 * The default: the noise-rate-adjusted margin. Measured by `npm run bench -- mislabel` (docs/cli.md):
 * the best mean precision at k (0.640, cleanlab out-of-fold 0.610) and AUROC (0.912 vs 0.908) over
 * the 34 noisy zoo projects, well ahead of cleanlab under class-dependent noise and at par (within
 * ±0.005) under symmetric noise on the full Adult.
 */
export const DEFAULT_MISLABEL_RANKING: MislabelRanking = 'aum-noise-adjusted';

/** Per row, higher = more suspect, under `ranking`; regression ranks by the mean loss whatever it is. */
export function mislabelScores(d: TrainingDynamics, ranking: MislabelRanking = DEFAULT_MISLABEL_RANKING): Float64Array {
  if (d.task === 'regression') return Float64Array.from(d.meanLoss);
  switch (ranking) {
    case 'aum':
      return Float64Array.from(d.aum, (v) => -v);
    case 'aum-adjusted':
      return Float64Array.from(d.aumAdjusted, (v) => -v);
    case 'aum-noise-adjusted': {
      const noise = estimateNoiseRate(d);
      return noise && d.meanLogits ? noiseAdjustedScores(d.meanLogits, d.labels, d.n, d.classes, noise) : Float64Array.from(d.aum, (v) => -v);
    }
    case 'forgetting':
      // Ties among the many rows never forgotten are broken by the margin, far below one event.
      return Float64Array.from(d.forgetting, (f, i) => f - 1e-6 * Math.tanh(d.aum[i]!));
    case 'aum + forgetting': {
      const a = ranks(Float64Array.from(d.aum, (v) => -v));
      const b = ranks(d.forgetting);
      return Float64Array.from(a, (r, i) => (r + b[i]!) / (2 * d.n));
    }
  }
}

/**
 * The k most suspect rows, most suspect first. `glassbox suspects --score aum` and the daemon's
 * suspects name the plain area under the margin, so that stays the default here; label-suspects
 * asks for DEFAULT_MISLABEL_RANKING.
 */
export function dynamicsSuspects(d: TrainingDynamics, k: number, ranking: MislabelRanking = 'aum'): DynamicsSuspect[] {
  const score = mislabelScores(d, ranking);
  const rank = ranks(Float64Array.from(score, (v) => -v));
  const order = Array.from({ length: d.n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  return order.slice(0, k).map((i) => {
    const s: DynamicsSuspect = { index: i, score: score[i]!, aum: d.aum[i]!, meanLoss: d.meanLoss[i]!, pLabel: d.pLabel[i]!, label: d.labels[i]!, rank: Math.round(rank[i]!) };
    if (d.predicted) s.predicted = d.predicted[i]!;
    return s;
  });
}

/**
 * Weight, in rows, of the pooled flip rate against a class's own (`noiseAdjustedScores`). Chosen on
 * the 34 noisy bug-zoo projects (`npm run bench -- mislabel`: mean P@k 0.554 / 0.640 / 0.631 / 0.625
 * with 0 / 50 / 200 / 800 rows), so in-sample.
 */
export const NOISE_PRIOR_ROWS = 50;

/**
 * Log-odds that a row's label was flipped, from the margins over the run and the estimated flip rate
 * out of each class (confident learning's noise estimate, `estimateNoiseRate`). With ρ_k the share of
 * class k's rows carrying another label (spread evenly over the other K − 1 labels) and z̄ the logits
 * averaged over checkpoints (their differences are the AUM's margins), Bayes' rule for "the label y
 * came from class k" gives
 *
 *   score_i = max_{k≠y} ( z̄[k] + log(ρ_k / (K−1)) ) − z̄[y] − log(1 − ρ_y)
 *
 * Equal flip rates shift every row alike, so symmetric noise ranks exactly as the AUM does; when one
 * class is flipped into the other more often, the rows carrying that other label move up by the log
 * of the ratio. A slice's own rate is noisy on small data (35 rows per class on German Credit read
 * 0% and 14% with the same symmetric flips), and a wrong ratio reorders everything, so each ρ_k is
 * shrunk to the pooled rate ρ̄ as a Beta prior worth `priorRows` rows would:
 * ρ_k = (contrary_k + priorRows · ρ̄) / (rows_k + priorRows), ρ̄ = (Σ contrary + ½) / (Σ rows + 1).
 * With 1,600 rows per slice (full Adult) the classes keep their own rates; with 35 they barely move.
 */
export function noiseAdjustedScores(meanLogits: ArrayLike<number>, labels: ArrayLike<number>, n: number, K: number, noise: NoiseRateEstimate, priorRows = NOISE_PRIOR_ROWS): Float64Array {
  const contrary = noise.perClass.reduce((a, c) => a + c.contrary, 0);
  const rows = noise.perClass.reduce((a, c) => a + c.rows, 0);
  const pooled = (contrary + 0.5) / (rows + 1);
  const rho = Float64Array.from({ length: K }, (_, k) => {
    const c = noise.perClass.find((p) => p.class === k);
    return c ? (c.contrary + priorRows * pooled) / (c.rows + priorRows) : pooled;
  });
  const into = Float64Array.from(rho, (r) => Math.log(r / Math.max(1, K - 1)));
  const stay = Float64Array.from(rho, (r) => Math.log(Math.max(1e-12, 1 - r)));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    let other = -Infinity;
    for (let k = 0; k < K; k++) if (k !== y) other = Math.max(other, meanLogits[i * K + k]! + into[k]!);
    out[i] = other - meanLogits[i * K + y]! - stay[y]!;
  }
  return out;
}

/** "label >50K but the model gives it p=0.03; mean margin −2.41 over 5 checkpoints". */
export function dynamicsReason(s: DynamicsSuspect, checkpoints: number, classNames?: string[]): string {
  if (Number.isNaN(s.aum)) return `mean squared error ${(2 * s.meanLoss).toPrecision(3)} over ${checkpoints} checkpoint(s)`;
  const name = classNames?.[s.label] ?? String(s.label);
  const p = s.pLabel < 0.01 ? s.pLabel.toExponential(1) : s.pLabel.toFixed(2);
  const pred = s.predicted !== undefined && s.predicted !== s.label ? `, predicted ${classNames?.[s.predicted] ?? s.predicted}` : '';
  return `label ${name} but the model gives it p=${p}${pred}; mean margin ${s.aum.toFixed(2)} over ${checkpoints} checkpoint(s)`;
}

/** Fraction of each class's rows, by predicted probability, read as "the model is sure" (10%). */
export const CONFIDENT_SLICE = 0.1;

export interface NoiseRateEstimate {
  /** Estimated fraction of training labels that are wrong independently of the features. */
  rate: number;
  /**
   * Approximate 95% interval of `rate` from the binomial sampling of each confident slice:
   * rate ± 1.96 √(Σ_j w_j² c̃_j (1 − c̃_j) / (m + 4)), c̃_j = (contrary_j + 2) / (m + 4) (Agresti–Coull,
   * so an empty count still has a width), w_j the share predicted j; clipped to [0, 1].
   */
  interval: [number, number];
  /** Per class: rows in its confident slice, and the share of them labelled otherwise. */
  perClass: Array<{ class: number; rows: number; contrary: number; rate: number }>;
}

/**
 * The share of labels that disagree with features the model is sure about: a confident-learning
 * style estimate (Northcutt et al. 2021, "Confident Learning", arXiv:1911.00068) read at the
 * confident end, where natural (feature-dependent) noise is rarest. For each class j, the slice
 * S_j is the `slice` fraction of rows with the highest probability of j; the contrary rate c_j is
 * the share of S_j labelled other than j. Label noise that does not depend on the features (a
 * flipped label, a mislabelled batch) shows up as c_j ≈ the flip rate out of class j, while a clean
 * label set keeps c_j near the Bayes error at the confident end (close to 0). The overall rate
 * weighs c_j by the rows predicted j: Σ_j c_j · |{argmax = j}| / n. `P` is n x K probabilities.
 */
export function confidentNoise(P: ArrayLike<number>, labels: ArrayLike<number>, n: number, K: number, slice = CONFIDENT_SLICE): NoiseRateEstimate {
  const predictedCount = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < K; j++) if (P[i * K + j]! > P[i * K + best]!) best = j;
    predictedCount[best]++;
  }
  const perClass: NoiseRateEstimate['perClass'] = [];
  let rate = 0;
  let variance = 0;
  const m = Math.max(1, Math.round((slice * n) / K));
  for (let j = 0; j < K; j++) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => P[b * K + j]! - P[a * K + j]! || a - b);
    let contrary = 0;
    for (const i of order.slice(0, m)) if (labels[i] !== j) contrary++;
    const c = contrary / m;
    perClass.push({ class: j, rows: m, contrary, rate: c });
    rate += (c * predictedCount[j]!) / n;
    const w = predictedCount[j]! / n;
    const smoothed = (contrary + 2) / (m + 4);
    variance += (w * w * smoothed * (1 - smoothed)) / (m + 4);
  }
  const half = 1.96 * Math.sqrt(variance);
  return { rate, interval: [Math.max(0, rate - half), Math.min(1, rate + half)], perClass };
}

/**
 * The estimated share of wrong training labels over a checkpoint series. A network memorises its
 * flipped labels as training goes on, and a memorised flip sits in its own label's confident slice,
 * so later checkpoints read lower (on the bug zoo's 125–700-row sets the estimate falls to 0% by the
 * last checkpoint with 5–20% of labels flipped); the first checkpoint, one epoch in, is not yet sure
 * of anything (its confident slices hold a mean probability of 0.41–0.83 in the zoo against
 * 0.58–1.0 later) and reads the Bayes error instead. So: with three or more checkpoints, the largest
 * per-checkpoint estimate after the first (the model before it memorised); with fewer, the estimate
 * from the probabilities averaged over the series. Measured on the zoo in docs/cli.md.
 */
export function estimateNoiseRate(d: TrainingDynamics, slice = CONFIDENT_SLICE): NoiseRateEstimate | undefined {
  const P = d.meanProbabilities;
  if (d.task === 'regression' || !P) return undefined;
  const per = d.noiseByCheckpoint;
  if (per && per.length >= 3 && slice === CONFIDENT_SLICE) return per.slice(1).reduce((a, b) => (b.rate > a.rate ? b : a));
  return confidentNoise(P, d.labels, d.n, d.classes, slice);
}
