/**
 * The raw-feature space counterfactuals move in, fitted once on the training data: for every raw
 * feature its valid values (numeric: training range, integer or not, quantiles; categorical: the
 * categories the training rows hold, each with its encoded pattern), its distance scale, and the
 * training rows decoded to raw values (for plausibility and the nearest real row).
 *
 * Distance (Wachter et al. 2017, as DiCE's default "proximity"): L1 in raw units with each numeric
 * feature divided by its median absolute deviation (MAD) on the training data; a changed
 * categorical feature counts 1. A numeric feature whose MAD is 0 (most Adult rows have
 * `capital_gain` 0) is scaled by its mean absolute deviation from the median instead, so a change
 * costs its size relative to the feature's spread rather than 1 per raw unit; a constant feature
 * cannot change at all.
 */
import { categoryIndex, categoryLabels, INFREQUENT_CATEGORY, UNKNOWN_CATEGORY, type Encoding } from '../data/encoding';
import { GlassboxError } from '../errors';

export interface NumericDimension {
  kind: 'numeric';
  name: string;
  /** Index in `encoding.features`. */
  feature: number;
  /** The encoded column: encoded = (raw - offset) / scale. */
  column: number;
  scale: number;
  offset: number;
  /** Distance scale in raw units (MAD, see the file comment). 0: the feature is constant. */
  mad: number;
  min: number;
  max: number;
  /** Every training value is a whole number, so counterfactual values are rounded. */
  integer: boolean;
  /** Sorted distinct training quantiles (raw), the candidate values of the model-agnostic search. */
  quantiles: number[];
}

export interface CategoricalDimension {
  kind: 'categorical';
  name: string;
  feature: number;
  columns: [number, number];
  ordinal: boolean;
  /** Labels as `categoryLabels` orders them; index = category index. */
  labels: string[];
  /** Category indices that training rows hold (valid counterfactual values), with their counts. */
  observed: number[];
  counts: number[];
}

export type Dimension = NumericDimension | CategoricalDimension;

export interface FeatureSpace {
  encoding: Encoding;
  dims: Dimension[];
  /** Training rows decoded: numeric raw value or category index (-1: none), n x features. */
  trainRaw: Float64Array;
  trainN: number;
}

const QUANTILES = 48;

/** Fits the space on the training data's encoded matrix (rows are decoded back to raw values). */
export function fitFeatureSpace(encoding: Encoding, train: { X: Float32Array; n: number }): FeatureSpace {
  const { n, X } = train;
  if (n < 1) throw new GlassboxError('usage', 'counterfactuals need training rows; the training data is empty');
  const d = encoding.width;
  const F = encoding.features.length;
  const trainRaw = new Float64Array(n * F);
  const dims: Dimension[] = encoding.features.map((f, fi) => {
    if (f.type === 'numeric') {
      const scale = f.transform === 'standardize' ? f.std : 1;
      const offset = f.transform === 'standardize' ? f.mean : 0;
      const col = f.columns[0];
      const values = new Float64Array(n);
      let integer = true;
      for (let i = 0; i < n; i++) {
        const v = X[i * d + col]! * scale + offset;
        // Encoded values are float32: a whole number comes back within float32 rounding of it.
        const r = Math.round(v);
        const tol = 1e-6 * Math.max(1, Math.abs(v - offset) + Math.abs(offset));
        if (Math.abs(v - r) <= tol) values[i] = r;
        else {
          values[i] = v;
          integer = false;
        }
      }
      if (!integer) for (let i = 0; i < n; i++) values[i] = X[i * d + col]! * scale + offset;
      for (let i = 0; i < n; i++) trainRaw[i * F + fi] = values[i]!;
      const sorted = Float64Array.from(values).sort();
      const median = quantile(sorted, 0.5);
      const dev = Float64Array.from(sorted, (v) => Math.abs(v - median)).sort();
      let mad = quantile(dev, 0.5);
      if (!(mad > 0)) mad = dev.reduce((s, v) => s + v, 0) / n;
      if (scale === 0) mad = 0;
      const qs = new Set<number>();
      for (let q = 0; q <= QUANTILES; q++) qs.add(quantile(sorted, q / QUANTILES));
      const dim: NumericDimension = {
        kind: 'numeric',
        name: f.name,
        feature: fi,
        column: col,
        scale,
        offset,
        mad,
        min: sorted[0]!,
        max: sorted[n - 1]!,
        integer,
        quantiles: [...qs].map((v) => (integer ? Math.round(v) : v)).sort((a, b) => a - b),
      };
      return dim;
    }
    const labels = categoryLabels(f);
    const counts = new Array<number>(labels.length).fill(0);
    for (let i = 0; i < n; i++) {
      const k = categoryIndex(f, X, i * d);
      trainRaw[i * F + fi] = k;
      if (k >= 0) counts[k]!++;
    }
    // The extra column stands for several (infrequent) or no (unknown) training categories: not a
    // value a row can be given.
    const observed = labels.flatMap((l, k) => (counts[k]! > 0 && l !== INFREQUENT_CATEGORY && l !== UNKNOWN_CATEGORY ? [k] : []));
    const dim: CategoricalDimension = {
      kind: 'categorical',
      name: f.name,
      feature: fi,
      columns: f.columns,
      ordinal: f.encoding === 'ordinal',
      labels,
      observed,
      counts,
    };
    return dim;
  });
  return { encoding, dims, trainRaw, trainN: n };
}

/** The raw value of feature `dim` in encoded row `x` (at `offset`): a number, or a category index. */
export function rawValue(dim: Dimension, x: ArrayLike<number>, offset = 0): number {
  if (dim.kind === 'numeric') {
    const v = x[offset + dim.column]! * dim.scale + dim.offset;
    return dim.integer ? Math.round(v) : v;
  }
  return categoryOf(dim, x, offset);
}

function categoryOf(dim: CategoricalDimension, x: ArrayLike<number>, offset: number): number {
  const [s, e] = dim.columns;
  if (dim.ordinal) {
    const v = x[offset + s]!;
    const k = Math.round(v);
    return k >= 0 && k < dim.labels.length && Math.abs(v - k) < 1e-6 ? k : -1;
  }
  let best = -1;
  let bestValue = 0.5;
  for (let c = s; c < e; c++) {
    if (x[offset + c]! > bestValue) {
      bestValue = x[offset + c]!;
      best = c - s;
    }
  }
  if (best >= 0) return best;
  // All zeros: the dropped category when there is one (the only label without a column, last in
  // `labels`), else none.
  return dim.labels.length > e - s ? dim.labels.length - 1 : -1;
}

/** Writes raw value `v` (number, or category index) of `dim` into encoded row `x` at `offset`. */
export function setRaw(dim: Dimension, x: Float32Array, offset: number, v: number): void {
  if (dim.kind === 'numeric') {
    x[offset + dim.column] = dim.scale === 0 ? 0 : (v - dim.offset) / dim.scale;
    return;
  }
  const [s, e] = dim.columns;
  if (dim.ordinal) {
    x[offset + s] = v;
    return;
  }
  x.fill(0, offset + s, offset + e);
  // A category without a column (the dropped one) is all zeros.
  if (v < e - s) x[offset + s + v] = 1;
}

/** Cost of changing `dim` from raw `a` to raw `b` in distance units (see the file comment). */
export function stepCost(dim: Dimension, a: number, b: number): number {
  if (dim.kind === 'categorical') return a === b ? 0 : 1;
  if (a === b) return 0;
  return dim.mad > 0 ? Math.abs(b - a) / dim.mad : Infinity;
}

/** A raw value as users read it: the number, or the category's label. */
export function displayValue(dim: Dimension, v: number): string | number | null {
  if (dim.kind === 'numeric') return dim.integer ? Math.round(v) : v;
  return v >= 0 ? dim.labels[v]! : null;
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
