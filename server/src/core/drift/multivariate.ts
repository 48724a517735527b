/**
 * Multivariate drift by a domain classifier (Rabanser et al. 2019, "Failing Loudly",
 * arXiv:1810.11953; Lipton et al.'s classifier two-sample test): a classifier learns to tell training
 * rows from reference rows; if the joint distribution is unchanged it cannot beat chance, so its
 * cross-validated ROC AUC sits at 0.5. Unlike the per-feature tests it sees changes of the joint
 * distribution with unchanged marginals (a correlation that flipped).
 *
 * Classifier: L2-regularised logistic regression (Adam, full batch) on a quadratic design fitted
 * inside each fold: numeric features standardised, their squares and pairwise products (the log
 * density ratio of two Gaussians is quadratic, so covariance shifts are linear in this design; the
 * first `MAX_NUMERIC` numeric features), and each categorical feature as its in-fold log-ratio of
 * reference to training counts (one number per feature, smoothed by 1). `rowsPerSide` rows are
 * sampled from each side (balanced, seeded), `folds`-fold cross-validation, out-of-fold scores pooled.
 *
 * Significance: a permutation null, the same cross-validated AUC with the side labels shuffled
 * `permutations` times; p = (1 + #{null ≥ observed}) / (1 + permutations). Drift is declared when
 * p ≤ `alpha` AND AUC ≥ `minAuc` (0.55): significance and effect size both, as for the features.
 */
import { throwIfAborted } from '../errors';
import type { Encoding } from '../data/encoding';
import { createRng, permutation, sampleWithoutReplacement, type Rng } from '../util/random';
import { rocAuc } from './cbpe';

export const MAX_NUMERIC = 16;

export interface MultivariateOptions {
  rowsPerSide: number;
  folds: number;
  permutations: number;
  alpha: number;
  minAuc: number;
  iterations: number;
  seed: number;
  signal?: AbortSignal;
}

export const DEFAULT_MULTIVARIATE: MultivariateOptions = { rowsPerSide: 1000, folds: 5, permutations: 19, alpha: 0.05, minAuc: 0.55, iterations: 150, seed: 0 };

export interface MultivariateDrift {
  /** Cross-validated ROC AUC of the domain classifier (0.5: the sides cannot be told apart). */
  auc: number;
  pValue: number;
  nullAuc: { mean: number; max: number };
  drifted: boolean;
  rows: { train: number; reference: number };
  folds: number;
  permutations: number;
  alpha: number;
  minAuc: number;
  /** Columns of the classifier's design (linear, squares, products, categorical log-ratios). */
  designColumns: number;
}

interface Side {
  X: Float32Array;
  n: number;
}

/** Raw-feature view of encoded rows: numeric values and categorical indices (-1: no active column). */
function rawView(encoding: Encoding, X: Float32Array, rows: ArrayLike<number>) {
  const width = encoding.width;
  const numeric = encoding.features.filter((f) => f.type === 'numeric').slice(0, MAX_NUMERIC);
  const categorical = encoding.features.filter((f) => f.type === 'categorical');
  const n = rows.length;
  const num = numeric.map((f) => Float64Array.from(rows, (r) => {
    const v = X[r * width + f.columns[0]]!;
    return Number.isFinite(v) ? v : 0;
  }));
  const cat = categorical.map((f) => Int32Array.from(rows, (r) => {
    for (let c = f.columns[0]; c < f.columns[1]; c++) if (X[r * width + c] === 1) return c - f.columns[0];
    return -1;
  }));
  return { n, num, cat, catSizes: categorical.map((f) => f.columns[1] - f.columns[0]) };
}

type View = ReturnType<typeof rawView>;

/** The quadratic design for rows `idx`, fitted (means, sds, category log-ratios) on rows `fit` with labels y. */
function design(v: View, y: Uint8Array, fit: Int32Array, idx: Int32Array): { Z: Float64Array[]; d: number } {
  const P = v.num.length;
  const cols: Float64Array[] = [];
  // Standardise numeric features on the fitting rows.
  const z = v.num.map((col) => {
    let m = 0;
    for (const i of fit) m += col[i]!;
    m /= fit.length || 1;
    let s = 0;
    for (const i of fit) s += (col[i]! - m) ** 2;
    s = Math.sqrt(s / (fit.length || 1)) || 1;
    return (i: number) => (col[i]! - m) / s;
  });
  for (let a = 0; a < P; a++) cols.push(Float64Array.from(idx, (i) => z[a]!(i)));
  for (let a = 0; a < P; a++) for (let b = a; b < P; b++) cols.push(Float64Array.from(idx, (i) => z[a]!(i) * z[b]!(i)));
  v.cat.forEach((col, k) => {
    const size = v.catSizes[k]! + 1;
    const ref = new Float64Array(size);
    const tr = new Float64Array(size);
    for (const i of fit) (y[i] ? ref : tr)[col[i]! + 1]++;
    const ratio = Float64Array.from(ref, (r, c) => Math.log((r + 1) / (tr[c]! + 1)));
    cols.push(Float64Array.from(idx, (i) => ratio[col[i]! + 1]!));
  });
  return { Z: cols, d: cols.length };
}

/** Out-of-fold scores of the logistic domain classifier for labels y (1 = reference). */
function crossValidatedScores(v: View, y: Uint8Array, folds: Int32Array, K: number, o: MultivariateOptions): Float64Array {
  const n = v.n;
  const scores = new Float64Array(n);
  for (let k = 0; k < K; k++) {
    throwIfAborted(o.signal);
    const train = Int32Array.from({ length: n }, (_, i) => i).filter((i) => folds[i] !== k);
    const test = Int32Array.from({ length: n }, (_, i) => i).filter((i) => folds[i] === k);
    const all = Int32Array.from([...train, ...test]);
    const { Z, d } = design(v, y, train, all);
    const m = train.length;
    // Every design column standardised on the fold's training part, so one Adam step size suits all.
    for (const col of Z) {
      let mu = 0;
      for (let i = 0; i < m; i++) mu += col[i]!;
      mu /= m;
      let sd = 0;
      for (let i = 0; i < m; i++) sd += (col[i]! - mu) ** 2;
      sd = Math.sqrt(sd / m) || 1;
      for (let i = 0; i < col.length; i++) col[i] = (col[i]! - mu) / sd;
    }
    const w = fitLogistic(Z, d, m, Int32Array.from(train, (i) => y[i]!), o.iterations);
    test.forEach((i, t) => {
      let s = w[d]!;
      for (let j = 0; j < d; j++) s += w[j]! * Z[j]![m + t]!;
      scores[i] = s;
    });
  }
  return scores;
}

/** L2-regularised (1e-3) logistic regression by full-batch Adam (lr 0.05); weights then intercept. */
export function fitLogistic(Z: Float64Array[], d: number, m: number, y: ArrayLike<number>, iterations: number): Float64Array {
  const w = new Float64Array(d + 1);
  const g = new Float64Array(d + 1);
  const m1 = new Float64Array(d + 1);
  const m2 = new Float64Array(d + 1);
  const s = new Float64Array(m);
  const lambda = 1e-3;
  for (let t = 1; t <= iterations; t++) {
    s.fill(w[d]!);
    for (let j = 0; j < d; j++) {
      const col = Z[j]!;
      const wj = w[j]!;
      for (let i = 0; i < m; i++) s[i] += wj * col[i]!;
    }
    for (let i = 0; i < m; i++) s[i] = 1 / (1 + Math.exp(-s[i]!)) - y[i]!;
    for (let j = 0; j < d; j++) {
      const col = Z[j]!;
      let acc = 0;
      for (let i = 0; i < m; i++) acc += s[i]! * col[i]!;
      g[j] = acc / m + lambda * w[j]!;
    }
    g[d] = s.reduce((a, b) => a + b, 0) / m;
    for (let j = 0; j <= d; j++) {
      m1[j] = 0.9 * m1[j]! + 0.1 * g[j]!;
      m2[j] = 0.999 * m2[j]! + 0.001 * g[j]! ** 2;
      w[j] -= (0.05 * (m1[j]! / (1 - 0.9 ** t))) / (Math.sqrt(m2[j]! / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  return w;
}

function stratifiedFolds(y: Uint8Array, K: number, rng: Rng): Int32Array {
  const folds = new Int32Array(y.length);
  for (const side of [0, 1]) {
    const idx = Int32Array.from({ length: y.length }, (_, i) => i).filter((i) => y[i] === side);
    const order = permutation(idx.length, rng);
    order.forEach((o, t) => (folds[idx[o]!] = t % K));
  }
  return folds;
}

export function multivariateDrift(encoding: Encoding, train: Side, reference: Side, options: Partial<MultivariateOptions> = {}): MultivariateDrift {
  const o = { ...DEFAULT_MULTIVARIATE, ...options };
  const rng = createRng(o.seed * 7919 + 101);
  const per = Math.min(o.rowsPerSide, train.n, reference.n);
  const tRows = sampleWithoutReplacement(train.n, per, rng);
  const rRows = sampleWithoutReplacement(reference.n, per, rng);
  // One matrix of both sides: training rows first.
  const width = encoding.width;
  const X = new Float32Array(2 * per * width);
  tRows.forEach((r, i) => X.set(train.X.subarray(r * width, (r + 1) * width), i * width));
  rRows.forEach((r, i) => X.set(reference.X.subarray(r * width, (r + 1) * width), (per + i) * width));
  const v = rawView(encoding, X, Int32Array.from({ length: 2 * per }, (_, i) => i));
  const y = Uint8Array.from({ length: 2 * per }, (_, i) => (i < per ? 0 : 1));
  const K = Math.max(2, Math.min(o.folds, per));
  const aucOf = (labels: Uint8Array) => rocAuc(labels, crossValidatedScores(v, labels, stratifiedFolds(labels, K, rng), K, o));
  const auc = per >= 2 ? aucOf(y) : NaN;
  const nulls: number[] = [];
  for (let p = 0; p < o.permutations && per >= 2; p++) {
    const shuffled = permutation(2 * per, rng);
    nulls.push(aucOf(Uint8Array.from(shuffled, (s) => y[s]!)));
  }
  const atLeast = nulls.filter((a) => a >= auc).length;
  const pValue = Number.isFinite(auc) ? (1 + atLeast) / (1 + nulls.length) : NaN;
  return {
    auc,
    pValue,
    nullAuc: { mean: nulls.reduce((a, b) => a + b, 0) / (nulls.length || 1), max: nulls.length ? Math.max(...nulls) : NaN },
    drifted: pValue <= o.alpha && auc >= o.minAuc,
    rows: { train: per, reference: per },
    folds: K,
    permutations: nulls.length,
    alpha: o.alpha,
    minAuc: o.minAuc,
    designColumns: design(v, y, Int32Array.of(), Int32Array.of()).d,
  };
}
