/**
 * Drift of one numeric feature: the training values fix the bins, the reference values stream
 * through an accumulator whose memory does not grow with the reference.
 *
 * - PSI and Jensen–Shannon over `bins` bins whose edges are the training quantiles at 1/bins, …,
 *   (bins−1)/bins (linear interpolation, numpy's default), duplicates dropped; a value equal to an
 *   edge falls in the lower bin (bin index = number of edges strictly below the value).
 * - Kolmogorov–Smirnov statistic sup |F_train − F_ref| and its two-sided p-value (scipy
 *   `ks_2samp`, method 'auto'; see distributions.ts).
 * - Wasserstein-1 = ∫ |F_train − F_ref| dx in the feature's units, and divided by the training
 *   standard deviation (population) so features compare.
 *
 * KS and W1 are computed against a grid of the distinct training values: reference values are
 * counted per grid value and per gap between grid values (count and sum). That makes KS exact and
 * W1 exact except inside a gap where the two CDFs cross; there the reference CDF is taken as
 * linear across the gap (error at most gap width × reference mass in the gap).
 * When the training data has more than `maxGrid` distinct values the grid is reduced to
 * `maxGrid` training quantiles and KS is exact only to within 1/maxGrid of training mass.
 */
import { quantile } from '../util/stats';
import { proportions, psi, jensenShannon } from './divergence';
import { smoothedProportions } from './stats';
import { ksTwoSamplePValue } from './distributions';

export interface NumericDriftOptions {
  /** Number of PSI/JS bins (training-quantile edges). Default 10. */
  bins?: number;
  /** Largest KS/W1 grid kept from the training values. Default 65,536. */
  maxGrid?: number;
}

export interface NumericDrift {
  type: 'numeric';
  n: { train: number; reference: number };
  psi: number;
  /** PSI on counts smoothed by ½ per bin (stats.ts): empty bins of small samples do not dominate it. */
  psiSmoothed: number;
  js: number;
  ks: { statistic: number; pValue: number };
  wasserstein: number;
  /** Wasserstein-1 divided by the training standard deviation. */
  wassersteinStd: number;
  mean: { train: number; reference: number };
  /** Whether KS/W1 used every distinct training value (exact) or a reduced quantile grid. */
  exactGrid: boolean;
  edges: number[];
  trainProportions: number[];
  referenceProportions: number[];
}

/** Index of the first element of `sorted` that is >= x (sorted.length when none). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Training-quantile bin edges (unique, increasing). */
export function quantileEdges(sortedTrain: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantile(sortedTrain, k / bins);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Bin of `x`: the number of edges strictly below it. */
export function binOf(edges: ArrayLike<number>, x: number): number {
  return lowerBound(edges, x);
}

/** The training side of a numeric feature, fixed once; `accumulator()` makes reference tallies. */
export class NumericBaseline {
  readonly edges: number[];
  readonly trainCounts: Float64Array;
  /** KS/W1 grid: increasing training values, and the number of training values <= each. */
  readonly grid: Float64Array;
  readonly gridCdf: Float64Array;
  readonly exactGrid: boolean;
  readonly n: number;
  readonly mean: number;
  readonly std: number;

  constructor(trainValues: ArrayLike<number>, options: NumericDriftOptions = {}) {
    const sorted = Float64Array.from(trainValues).sort();
    const n = (this.n = sorted.length);
    const bins = options.bins ?? 10;
    this.edges = n ? quantileEdges(sorted, bins) : [];
    this.trainCounts = new Float64Array(this.edges.length + 1);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i]!;
    this.mean = n ? sum / n : NaN;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (sorted[i]! - this.mean) ** 2;
    this.std = n ? Math.sqrt(ss / n) : NaN;
    for (let i = 0; i < n; i++) this.trainCounts[binOf(this.edges, sorted[i]!)]!++;
    // Distinct values with their cumulative counts.
    const values: number[] = [];
    const cdf: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
      values.push(sorted[i]!);
      cdf.push(i + 1);
    }
    const maxGrid = options.maxGrid ?? 65536;
    if (values.length <= maxGrid) {
      this.grid = Float64Array.from(values);
      this.gridCdf = Float64Array.from(cdf);
      this.exactGrid = true;
    } else {
      const g: number[] = [];
      for (let k = 0; k < maxGrid; k++) {
        const v = sorted[Math.min(n - 1, Math.floor(((k + 1) * n) / maxGrid) - 1)]!;
        if (g.length === 0 || v !== g[g.length - 1]) g.push(v);
      }
      this.grid = Float64Array.from(g);
      // Training values <= each grid value: upper bound in the sorted sample.
      this.gridCdf = Float64Array.from(g, (v) => upperBound(sorted, v));
      this.exactGrid = false;
    }
  }

  accumulator(): NumericAccumulator {
    return new NumericAccumulator(this);
  }
}

/** Reference-side tallies for one numeric feature: memory O(grid + bins). */
export class NumericAccumulator {
  readonly binCounts: Float64Array;
  /** Reference values equal to grid[i]. */
  private readonly at: Float64Array;
  /** Reference values strictly between grid[i-1] and grid[i] (index G: above the last). */
  private readonly gapCount: Float64Array;
  private readonly gapSum: Float64Array;
  n = 0;
  private sum = 0;

  constructor(readonly baseline: NumericBaseline) {
    const G = baseline.grid.length;
    this.binCounts = new Float64Array(baseline.edges.length + 1);
    this.at = new Float64Array(G);
    this.gapCount = new Float64Array(G + 1);
    this.gapSum = new Float64Array(G + 1);
  }

  add(x: number): void {
    const b = this.baseline;
    this.n++;
    this.sum += x;
    this.binCounts[binOf(b.edges, x)]!++;
    const i = lowerBound(b.grid, x);
    if (i < b.grid.length && b.grid[i] === x) this.at[i]!++;
    else {
      this.gapCount[i]!++;
      this.gapSum[i]! += x;
    }
  }

  result(): NumericDrift {
    const b = this.baseline;
    const nt = b.n;
    const nr = this.n;
    const p = proportions(b.trainCounts);
    const q = proportions(this.binCounts);
    const { statistic, wasserstein } = this.cdfDistances();
    return {
      type: 'numeric',
      n: { train: nt, reference: nr },
      psi: psi(p, q),
      psiSmoothed: psi(smoothedProportions(b.trainCounts), smoothedProportions(this.binCounts)),
      js: jensenShannon(p, q),
      ks: { statistic, pValue: nt && nr ? ksTwoSamplePValue(statistic, nt, nr) : NaN },
      wasserstein,
      wassersteinStd: b.std > 0 ? wasserstein / b.std : wasserstein === 0 ? 0 : Infinity,
      mean: { train: b.mean, reference: nr ? this.sum / nr : NaN },
      exactGrid: b.exactGrid,
      edges: b.edges,
      trainProportions: Array.from(p),
      referenceProportions: Array.from(q),
    };
  }

  /** KS statistic and Wasserstein-1 by one walk over the grid. */
  private cdfDistances(): { statistic: number; wasserstein: number } {
    const b = this.baseline;
    const G = b.grid.length;
    const nt = b.n;
    const nr = this.n;
    if (!nt || !nr) return { statistic: NaN, wasserstein: NaN };
    let cum = 0; // reference values <= the current point
    let ks = 0;
    let w1 = 0;
    for (let i = 0; i <= G; i++) {
      const ft = i === 0 ? 0 : b.gridCdf[i - 1]! / nt;
      const a = cum / nr;
      const c = this.gapCount[i]!;
      if (c > 0) {
        cum += c;
        ks = Math.max(ks, Math.abs(ft - cum / nr));
        const bEnd = cum / nr;
        if (i === 0) w1 += (c * b.grid[0]! - this.gapSum[0]!) / nr;
        else if (i === G) w1 += (this.gapSum[G]! - c * b.grid[G - 1]!) / nr;
        else {
          const L = b.grid[i]! - b.grid[i - 1]!;
          const integralRef = a * L + (c * b.grid[i]! - this.gapSum[i]!) / nr;
          const diff = integralRef - ft * L;
          // No crossing: |∫(F_ref − F_train)| is exact. Crossing: F_ref taken as linear in the gap.
          w1 += ft <= a || ft >= bEnd ? Math.abs(diff) : (L * ((ft - a) ** 2 + (bEnd - ft) ** 2)) / (2 * (bEnd - a));
        }
      } else if (i > 0 && i < G) {
        w1 += Math.abs(a - ft) * (b.grid[i]! - b.grid[i - 1]!);
      }
      if (i < G) {
        cum += this.at[i]!;
        ks = Math.max(ks, Math.abs(b.gridCdf[i]! / nt - cum / nr));
      }
    }
    return { statistic: ks, wasserstein: w1 };
  }
}

/** Exact two-sample KS statistic of two sorted samples (the reference implementation for tests). */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** Exact Wasserstein-1 of two sorted samples: ∫ |F_a − F_b| over the merged support. */
export function wasserstein1Sorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let w = 0;
  let prev = Math.min(a[0]!, b[0]!);
  while (i < a.length || j < b.length) {
    const x = Math.min(i < a.length ? a[i]! : Infinity, j < b.length ? b[j]! : Infinity);
    w += Math.abs(i / a.length - j / b.length) * (x - prev);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    prev = x;
  }
  return w;
}

/** Index of the first element of `sorted` that is > x: the count of elements <= x. */
function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
