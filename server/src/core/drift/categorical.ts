/**
 * Drift of one categorical feature from category counts: PSI and Jensen–Shannon over one bin per
 * category in the union of both data sets (sorted by code point), Pearson's chi-squared test of
 * homogeneity on the 2 × C table of counts (categories with no count on either side dropped;
 * Yates' continuity correction only when there is one degree of freedom, as scipy's
 * `chi2_contingency` does), and the reference categories never seen in training, by name.
 */
import { proportions, psi, jensenShannon } from './divergence';
import { smoothedProportions } from './stats';
import { chiSquaredSf } from './distributions';

export interface CategoricalDrift {
  type: 'categorical';
  n: { train: number; reference: number };
  psi: number;
  /** PSI on counts smoothed by ½ per bin (stats.ts): empty bins of small samples do not dominate it. */
  psiSmoothed: number;
  js: number;
  chi2: { statistic: number; dof: number; pValue: number };
  /** Reference values not among the training categories, with their counts, most frequent first. */
  unseen: { rows: number; categories: Array<{ category: string; count: number }> };
  categories: string[];
  trainProportions: number[];
  referenceProportions: number[];
}

/** Counts values one at a time (memory: one entry per distinct value). */
export class CategoryCounter {
  readonly counts = new Map<string, number>();
  n = 0;
  add(value: string): void {
    this.n++;
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }
}

/**
 * `known`: the training categories as the model knows them (the encoding's list); defaults to the
 * categories present in the training counts.
 */
export function categoricalDrift(train: CategoryCounter, reference: CategoryCounter, known?: readonly string[]): CategoricalDrift {
  const categories = [...new Set([...train.counts.keys(), ...reference.counts.keys()])].sort(byCodePoint);
  const a = Float64Array.from(categories, (c) => train.counts.get(c) ?? 0);
  const b = Float64Array.from(categories, (c) => reference.counts.get(c) ?? 0);
  const p = proportions(a);
  const q = proportions(b);
  const knownSet = new Set(known ?? train.counts.keys());
  const unseen = [...reference.counts.entries()]
    .filter(([c]) => !knownSet.has(c))
    .map(([category, count]) => ({ category, count }))
    .sort((x, y) => y.count - x.count || byCodePoint(x.category, y.category));
  return {
    type: 'categorical',
    n: { train: train.n, reference: reference.n },
    psi: psi(p, q),
    psiSmoothed: psi(smoothedProportions(a), smoothedProportions(b)),
    js: jensenShannon(p, q),
    chi2: chiSquaredHomogeneity(a, b),
    unseen: { rows: unseen.reduce((s, u) => s + u.count, 0), categories: unseen },
    categories,
    trainProportions: Array.from(p),
    referenceProportions: Array.from(q),
  };
}

/** Chi-squared test that two count vectors come from one distribution (scipy chi2_contingency). */
export function chiSquaredHomogeneity(a: ArrayLike<number>, b: ArrayLike<number>): { statistic: number; dof: number; pValue: number } {
  const cols: Array<[number, number]> = [];
  for (let i = 0; i < a.length; i++) if (a[i]! + b[i]! > 0) cols.push([a[i]!, b[i]!]);
  const na = cols.reduce((s, c) => s + c[0], 0);
  const nb = cols.reduce((s, c) => s + c[1], 0);
  const total = na + nb;
  const dof = cols.length - 1;
  if (dof < 1 || na === 0 || nb === 0) return { statistic: 0, dof: Math.max(0, dof), pValue: 1 };
  let stat = 0;
  for (const [x, y] of cols) {
    const col = x + y;
    for (const [obs, rowTotal] of [
      [x, na],
      [y, nb],
    ] as const) {
      const expected = (rowTotal * col) / total;
      let o = obs;
      if (dof === 1) {
        const diff = expected - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += (o - expected) ** 2 / expected;
    }
  }
  return { statistic: stat, dof, pValue: chiSquaredSf(stat, dof) };
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
