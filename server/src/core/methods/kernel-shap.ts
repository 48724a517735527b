/**
 * KernelSHAP: Shapley values per raw feature estimated by a weighted linear regression over
 * coalitions with the Shapley kernel π(S) = (F−1) / (C(F,|S|)·|S|·(F−|S|)), with the efficiency
 * constraint Σφ = f(x) − E_b f(b) imposed exactly (one feature eliminated).
 *
 * Coalitions follow SHAP's KernelExplainer: subset sizes whose coalitions (and complements) fit
 * the remaining budget are enumerated completely with their kernel weight; the rest of the budget
 * is filled by paired (antithetic) sampling — a size drawn from the remaining kernel mass, a random
 * subset of that size and its complement — sharing the remaining weight equally. With a budget of
 * 2^F − 2 every coalition is enumerated and the result is the exact Shapley value. The coalitions
 * are shared by all rows, so the regression matrix is built and solved once per batch of rows.
 *
 * Standard error per feature: a delete-a-group jackknife over 8 groups of the sampled pairs
 * (enumerated coalitions are not random), SE² = (G−1)/G · Σ_g (φ_(g) − φ̄)². It is 0 when
 * everything was enumerated.
 *
 * Lundberg & Lee (2017), "A Unified Approach to Interpreting Model Predictions";
 * Covert & Lee (2021) for paired sampling. Defaults: 2,048 coalitions, background of 10 k-means
 * cluster representatives of the training set.
 */
import { Matrix, solve } from 'ml-matrix';
import { backgroundFrom, coalitionValues, spreadToColumns, type Game } from './perturb';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import { createRng, sampleWithoutReplacement } from '../util/random';
import type { AttributionMethod } from './types';

export interface KernelShapParams extends Record<string, unknown> {
  samples: number;
  backgroundSize: number;
  summary: string;
}

const JACKKNIFE_GROUPS = 8;

export interface CoalitionDesign {
  /** C x F, 1 = kept. */
  masks: Uint8Array;
  C: number;
  /** Regression weight per coalition. */
  weights: Float64Array;
  /** Jackknife group of each coalition, -1 for enumerated ones. */
  group: Int32Array;
  enumerated: number;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** SHAP KernelExplainer's coalition design: complete sizes first, then paired samples. */
export function kernelDesign(F: number, budget: number, seed: number): CoalitionDesign {
  const rng = createRng(seed);
  const masks: number[] = [];
  const weights: number[] = [];
  const group: number[] = [];
  const numSizes = Math.ceil((F - 1) / 2);
  const numPaired = Math.floor((F - 1) / 2);
  const kernel = new Float64Array(numSizes + 1);
  for (let s = 1; s <= numSizes; s++) kernel[s] = ((F - 1) / (s * (F - s))) * (s <= numPaired ? 2 : 1);
  let left = kernel.reduce((a, b) => a + b, 0);
  for (let s = 1; s <= numSizes; s++) kernel[s]! /= left;
  left = 1;
  let remaining = budget;
  let firstSampled = 1;
  const push = (subset: ArrayLike<number>, w: number, g: number, complement: boolean) => {
    const row = new Array<number>(F).fill(complement ? 1 : 0);
    for (let i = 0; i < subset.length; i++) row[subset[i]!] = complement ? 0 : 1;
    masks.push(...row);
    weights.push(w);
    group.push(g);
  };
  for (let s = 1; s <= numSizes; s++) {
    const paired = s <= numPaired;
    const count = binomial(F, s) * (paired ? 2 : 1);
    if ((remaining * kernel[s]!) / left < count - 1e-8) break;
    firstSampled = s + 1;
    const w = kernel[s]! / binomial(F, s) / (paired ? 2 : 1);
    for (const subset of combinations(F, s)) {
      push(subset, w, -1, false);
      if (paired) push(subset, w, -1, true);
    }
    remaining -= count;
    left -= kernel[s]!;
  }
  const enumerated = weights.length;
  if (firstSampled <= numSizes && remaining >= 2) {
    const pairs = Math.floor(remaining / 2);
    const sizes = kernel.subarray(firstSampled);
    const total = sizes.reduce((a, b) => a + b, 0);
    const w = left / (pairs * 2);
    for (let p = 0; p < pairs; p++) {
      let u = rng.next() * total;
      let s = firstSampled;
      while (s < numSizes && u >= kernel[s]!) u -= kernel[s++]!;
      const subset = sampleWithoutReplacement(F, s, rng);
      const g = p % JACKKNIFE_GROUPS;
      push(subset, w, g, false);
      push(subset, w, g, true);
    }
  }
  return { masks: Uint8Array.from(masks), C: weights.length, weights: Float64Array.from(weights), group: Int32Array.from(group), enumerated };
}

function* combinations(F: number, k: number): Generator<number[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield idx.slice();
    let i = k - 1;
    while (i >= 0 && idx[i] === F - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/**
 * Constrained weighted least squares for n rows at once. y: n x C coalition values minus v(∅);
 * delta: per row f(x) − v(∅). Eliminating the last feature: φ_last = Δ − Σ others.
 */
export function solveKernel(design: CoalitionDesign, y: Float64Array, delta: Float64Array, n: number, F: number, weights = design.weights): Float64Array {
  const out = new Float64Array(n * F);
  if (F === 1) {
    out.set(delta);
    return out;
  }
  const { masks, C } = design;
  const P = F - 1;
  const AtWA = new Float64Array(P * P);
  const AtWb = new Float64Array(P * n);
  const a = new Float64Array(P);
  const rhs = new Float64Array(n);
  for (let c = 0; c < C; c++) {
    const w = weights[c]!;
    if (w === 0) continue;
    const zl = masks[c * F + P]!;
    for (let i = 0; i < P; i++) a[i] = masks[c * F + i]! - zl;
    for (let r = 0; r < n; r++) rhs[r] = y[r * C + c]! - zl * delta[r]!;
    for (let i = 0; i < P; i++) {
      if (a[i] === 0) continue;
      const wa = w * a[i]!;
      for (let j = 0; j < P; j++) AtWA[i * P + j]! += wa * a[j]!;
      for (let r = 0; r < n; r++) AtWb[i * n + r]! += wa * rhs[r]!;
    }
  }
  // A tiny ridge keeps the system solvable when few coalitions were drawn; it vanishes in the limit.
  let trace = 0;
  for (let i = 0; i < P; i++) trace += AtWA[i * P + i]!;
  for (let i = 0; i < P; i++) AtWA[i * P + i]! += 1e-12 * trace;
  const toRows = (v: Float64Array, cols: number) => Array.from({ length: P }, (_, i) => Array.from(v.subarray(i * cols, (i + 1) * cols)));
  const beta = solve(new Matrix(toRows(AtWA, P)), new Matrix(toRows(AtWb, n)));
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let i = 0; i < P; i++) {
      const b = beta.get(i, r);
      out[r * F + i] = b;
      sum += b;
    }
    out[r * F + P] = delta[r]! - sum;
  }
  return out;
}

export const kernelShap = {
  id: 'kernel-shap',
  name: 'KernelSHAP',
  summary: 'Shapley values per raw feature by Shapley-kernel weighted regression over paired coalition samples, with per-feature standard errors.',
  reference: 'Lundberg & Lee 2017, arXiv:1705.07874; Covert & Lee 2021, arXiv:2012.01536',
  capabilities: { gradients: false, background: true, stochastic: true },
  params: {
    samples: { type: 'integer', default: 2048, min: 2, max: 1_000_000, description: 'Coalitions evaluated per row (complete subset sizes first, then paired samples).' },
    backgroundSize: { type: 'integer', default: 10, min: 1, max: 4096, description: 'Background rows (k-means cluster representatives or a random sample of the training set).' },
    summary: { type: 'string', default: 'kmeans', choices: ['kmeans', 'sample'], description: 'Background summary: k-means representatives weighted by cluster size, or a uniform random sample.' },
  },
  async attribute(input, params) {
    const { model, encoding, X, n } = input;
    const F = encoding.features.length;
    const seed = input.seed ?? 0;
    const bg = backgroundFrom(input, 'kernel-shap', params.backgroundSize, params.summary as 'sample' | 'kmeans', seed);
    const design = kernelDesign(F, Math.min(params.samples, 2 ** Math.min(F, 40) - 2), seed + 1);
    const classes = resolveTargetClasses(model, X, n, input.target, input.labels);
    const game: Game = { model, encoding, target: input.target, X, n, classes, bg, signal: input.signal };
    // Empty and full coalitions are appended: v(∅) and f(x).
    const C = design.C + 2;
    const masks = new Uint8Array(C * F);
    masks.set(design.masks);
    masks.fill(1, (C - 1) * F);
    const v = await coalitionValues(game, masks, C, false, input.onProgress);
    const y = new Float64Array(n * design.C);
    const delta = new Float64Array(n);
    const baseValue = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const v0 = v[r * C + C - 2]!;
      baseValue[r] = v0;
      delta[r] = v[r * C + C - 1]! - v0;
      for (let c = 0; c < design.C; c++) y[r * design.C + c] = v[r * C + c]! - v0;
    }
    const grouped = solveKernel(design, y, delta, n, F);
    const standardError = jackknife(design, y, delta, n, F);
    return {
      method: 'kernel-shap',
      n,
      width: encoding.width,
      encoded: spreadToColumns(grouped, X, n, encoding),
      grouped,
      targetClass: reportedTargetClasses(model, classes),
      extras: {
        grouping: 'feature',
        backgroundRows: bg.m,
        coalitions: design.C,
        enumeratedCoalitions: design.enumerated,
        baseValue: Array.from(baseValue),
        /** n x F, row-major. */
        standardError: Array.from(standardError),
      },
    };
  },
} satisfies AttributionMethod<KernelShapParams>;

/** Delete-a-group jackknife of the sampled part; zeros when nothing was sampled. */
function jackknife(design: CoalitionDesign, y: Float64Array, delta: Float64Array, n: number, F: number): Float64Array {
  const se = new Float64Array(n * F);
  const groups = Math.max(...design.group) + 1;
  if (groups < 2) return se;
  const sampledMass = design.weights.reduce((a, w, c) => a + (design.group[c]! >= 0 ? w : 0), 0);
  const estimates: Float64Array[] = [];
  for (let g = 0; g < groups; g++) {
    const w = Float64Array.from(design.weights, (wc, c) => (design.group[c] === g ? 0 : wc));
    const kept = w.reduce((a, wc, c) => a + (design.group[c]! >= 0 ? wc : 0), 0);
    for (let c = 0; c < design.C; c++) if (design.group[c]! >= 0) w[c]! *= sampledMass / kept;
    estimates.push(solveKernel(design, y, delta, n, F, w));
  }
  for (let k = 0; k < n * F; k++) {
    let mean = 0;
    for (const e of estimates) mean += e[k]! / groups;
    let ss = 0;
    for (const e of estimates) ss += (e[k]! - mean) ** 2;
    se[k] = Math.sqrt(((groups - 1) / groups) * ss);
  }
  return se;
}
