/**
 * Prediction drift and performance change: the model's outputs on the training data against its
 * outputs on the reference data, with the same statistics as a numeric feature (training-quantile
 * PSI, Jensen–Shannon, KS, Wasserstein-1) on the predicted probability of each class (the
 * predicted value for regression), and the categorical statistics on the predicted class. When
 * the reference has labels, accuracy and mean log loss (classification) or RMSE and MAE
 * (regression) on both sides and their change.
 */
import type { Predictions } from '../model/model';
import { NumericBaseline, type NumericDrift, type NumericDriftOptions } from './numeric';
import { CategoryCounter, categoricalDrift, type CategoricalDrift } from './categorical';

export interface Performance {
  /** Rows with a known label. */
  n: number;
  accuracy?: number;
  logLoss?: number;
  rmse?: number;
  mae?: number;
}

export interface PredictionDrift {
  /** Per class (probability of that class; binary: the second class only), or `value` for regression. */
  scores: Array<{ output: string } & NumericDrift>;
  /** Distribution of the predicted class (classification only). */
  predictedClass?: CategoricalDrift;
  performance?: { train: Performance; reference: Performance; change: Record<string, number> };
}

export function predictionDrift(
  train: Predictions,
  reference: Predictions,
  classNames: readonly string[] | undefined,
  labels: { train?: Float32Array | undefined; reference?: Float32Array | undefined } = {},
  options: NumericDriftOptions = {},
): PredictionDrift {
  const K = train.classes;
  const outputs = train.probabilities ? Array.from({ length: K }, (_, k) => classNames?.[k] ?? String(k)) : ['value'];
  // Binary: the second class's probability says it all (the first is its complement).
  const tracked = train.probabilities ? (K === 2 ? [1] : outputs.map((_, k) => k)) : [0];
  const column = (p: Predictions, k: number) => {
    const src = p.probabilities ?? p.logits;
    const stride = p.probabilities ? K : 1;
    return Float64Array.from({ length: p.n }, (_, i) => src[i * stride + k]!);
  };
  const scores = tracked.map((k) => {
    const output = outputs[k]!;
    const acc = new NumericBaseline(column(train, k), options).accumulator();
    for (const v of column(reference, k)) acc.add(v);
    return { output, ...acc.result() };
  });
  const out: PredictionDrift = { scores };
  if (train.predicted && reference.predicted) {
    const a = new CategoryCounter();
    const b = new CategoryCounter();
    for (const c of train.predicted) a.add(outputs[c]!);
    for (const c of reference.predicted) b.add(outputs[c]!);
    out.predictedClass = categoricalDrift(a, b);
  }
  if (labels.train && labels.reference) {
    const t = performance(train, labels.train);
    const r = performance(reference, labels.reference);
    if (r.n > 0) {
      const change: Record<string, number> = {};
      for (const key of ['accuracy', 'logLoss', 'rmse', 'mae'] as const) if (t[key] !== undefined && r[key] !== undefined) change[key] = r[key]! - t[key]!;
      out.performance = { train: t, reference: r, change };
    }
  }
  return out;
}

/** Accuracy and mean cross-entropy (natural log), or RMSE and MAE; rows with a NaN label skipped. */
export function performance(p: Predictions, labels: Float32Array): Performance {
  let n = 0;
  if (p.probabilities) {
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < p.n; i++) {
      const y = labels[i]!;
      if (Number.isNaN(y)) continue;
      n++;
      if (p.predicted![i] === y) correct++;
      loss -= Math.log(Math.max(p.probabilities[i * p.classes + y]!, 1e-12));
    }
    return n ? { n, accuracy: correct / n, logLoss: loss / n } : { n };
  }
  let se = 0;
  let ae = 0;
  for (let i = 0; i < p.n; i++) {
    const y = labels[i]!;
    if (Number.isNaN(y)) continue;
    n++;
    const e = p.logits[i]! - y;
    se += e * e;
    ae += Math.abs(e);
  }
  return n ? { n, rmse: Math.sqrt(se / n), mae: ae / n } : { n };
}
