/**
 * Tabular LIME per raw feature: around each row, `samples` perturbed rows are drawn by replacing
 * each raw feature, independently with probability 1/2, by its value in a random training row
 * (the first sample is the row itself). The interpretable representation is z_f = 1 when the
 * sample's feature equals the row's. Samples are weighted by LIME's exponential kernel
 * sqrt(exp(−d²/w²)) with d the Euclidean distance to the row in the encoded space with numeric
 * columns divided by their training standard deviation (one-hot columns as they are, so one
 * changed category counts √2), and w = `kernelWidth` (0 = LIME's default 0.75·√F). A weighted
 * ridge regression (α = `alpha`, intercept) of the target on z gives the attribution: the
 * coefficient of "feature kept at the row's value".
 *
 * Ribeiro, Singh & Guestrin (2016), "Why Should I Trust You?". Unlike the `lime` package, numeric
 * features are not discretised into quartiles: a sample keeps or replaces the exact value.
 *
 * Stability: LIME's answer moves with its seed, so `stabilityRuns` − 1 extra seeds are run and
 * `extras.stability` reports, per feature, the mean over rows of the standard deviation across
 * runs, its ratio to the mean |attribution|, the mean Jaccard overlap of the top-k sets between
 * pairs of runs and the fraction of (row, feature) signs that agree across all runs. The
 * attributions returned are those of the first run (the given seed).
 */
import { Matrix, solve } from 'ml-matrix';
import { createRng } from '../util/random';
import { FORWARD_BATCH, spreadToColumns, targetValues } from './perturb';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import { requireBackground } from './batching';
import type { AttributionInput, AttributionMethod } from './types';

export interface LimeParams extends Record<string, unknown> {
  samples: number;
  kernelWidth: number;
  alpha: number;
  stabilityRuns: number;
  topK: number;
}

interface LimeRun {
  coef: Float64Array;
  intercept: Float64Array;
  r2: Float64Array;
}

async function limeRun(input: AttributionInput, params: LimeParams, classes: Int32Array, seed: number, scale: Float64Array): Promise<LimeRun> {
  const { model, encoding, X, n, background, backgroundN } = input;
  const width = encoding.width;
  const F = encoding.features.length;
  const N = params.samples;
  const width2 = (params.kernelWidth > 0 ? params.kernelWidth : 0.75 * Math.sqrt(F)) ** 2;
  const rng = createRng(seed);
  const coef = new Float64Array(n * F);
  const intercept = new Float64Array(n);
  const r2 = new Float64Array(n);
  // Several rows' samples share one forward pass.
  const block = Math.max(1, Math.floor(FORWARD_BATCH / N));
  const Z = new Float32Array(Math.min(block, n) * N * width);
  const z = new Uint8Array(Math.min(block, n) * N * F);
  const kw = new Float64Array(Math.min(block, n) * N);
  const cls = new Int32Array(Math.min(block, n) * N);
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    for (let r = r0; r < r1; r++) {
      const x = X.subarray(r * width, (r + 1) * width);
      for (let s = 0; s < N; s++) {
        const k = (r - r0) * N + s;
        const row = Z.subarray(k * width, (k + 1) * width);
        row.set(x);
        let d2 = 0;
        for (let f = 0; f < F; f++) {
          const [c0, c1] = encoding.features[f]!.columns;
          let same = 1;
          if (s > 0 && rng.next() < 0.5) {
            const b = rng.int(backgroundN!);
            for (let c = c0; c < c1; c++) {
              const val = background![b * width + c]!;
              if (val !== x[c]) same = 0;
              row[c] = val;
              d2 += ((val - x[c]!) / scale[c]!) ** 2;
            }
          }
          z[k * F + f] = same;
        }
        kw[k] = Math.sqrt(Math.exp(-d2 / width2));
        cls[k] = classes[r]!;
      }
    }
    const y = await targetValues(model, input.target, Z, (r1 - r0) * N, cls, input.signal);
    for (let r = r0; r < r1; r++) {
      const o = (r - r0) * N;
      ridge(z.subarray(o * F, (o + N) * F), y.subarray(o, o + N), kw.subarray(o, o + N), N, F, params.alpha, coef, r * F, intercept, r2, r);
    }
    input.onProgress?.(r1 / n);
  }
  return { coef, intercept, r2 };
}

/** Weighted ridge with an unpenalised intercept (centred on the weighted means), as sklearn's Ridge. */
function ridge(z: Uint8Array, y: Float64Array, w: Float64Array, N: number, F: number, alpha: number, coef: Float64Array, off: number, intercept: Float64Array, r2: Float64Array, r: number): void {
  let sw = 0;
  const zm = new Float64Array(F);
  let ym = 0;
  for (let s = 0; s < N; s++) {
    sw += w[s]!;
    ym += w[s]! * y[s]!;
    for (let f = 0; f < F; f++) zm[f]! += w[s]! * z[s * F + f]!;
  }
  ym /= sw;
  for (let f = 0; f < F; f++) zm[f]! /= sw;
  const A = Matrix.eye(F, F).mul(alpha);
  const b = Matrix.zeros(F, 1);
  const zc = new Float64Array(F);
  for (let s = 0; s < N; s++) {
    for (let f = 0; f < F; f++) zc[f] = z[s * F + f]! - zm[f]!;
    const ws = w[s]!;
    for (let i = 0; i < F; i++) {
      if (zc[i] === 0) continue;
      for (let j = 0; j < F; j++) A.set(i, j, A.get(i, j) + ws * zc[i]! * zc[j]!);
      b.set(i, 0, b.get(i, 0) + ws * zc[i]! * (y[s]! - ym));
    }
  }
  const beta = solve(A, b);
  let b0 = ym;
  for (let f = 0; f < F; f++) {
    coef[off + f] = beta.get(f, 0);
    b0 -= beta.get(f, 0) * zm[f]!;
  }
  intercept[r] = b0;
  let ssRes = 0;
  let ssTot = 0;
  for (let s = 0; s < N; s++) {
    let pred = b0;
    for (let f = 0; f < F; f++) pred += coef[off + f]! * z[s * F + f]!;
    ssRes += w[s]! * (y[s]! - pred) ** 2;
    ssTot += w[s]! * (y[s]! - ym) ** 2;
  }
  r2[r] = ssTot > 0 ? 1 - ssRes / ssTot : 1;
}

export const lime = {
  id: 'lime',
  name: 'LIME (tabular)',
  summary: 'Local weighted ridge surrogate on "feature kept vs replaced by a training value" per raw feature, with a stability report across seeds.',
  reference: 'Ribeiro et al. 2016, arXiv:1602.04938',
  capabilities: { gradients: false, background: true, stochastic: true },
  params: {
    samples: { type: 'integer', default: 1000, min: 10, max: 100_000, description: 'Perturbed samples per row.' },
    kernelWidth: { type: 'number', default: 0, min: 0, description: 'Width w of the kernel sqrt(exp(-d²/w²)); 0 means LIME\'s default 0.75·sqrt(number of raw features).' },
    alpha: { type: 'number', default: 1, min: 0, description: 'Ridge penalty (LIME uses sklearn Ridge(alpha=1)).' },
    stabilityRuns: { type: 'integer', default: 3, min: 1, max: 50, description: 'Runs with different seeds for the stability report (1 = no report).' },
    topK: { type: 'integer', default: 5, min: 1, description: 'Size of the top-|attribution| feature set compared across runs.' },
  },
  async attribute(input, params) {
    const { model, encoding, X, n } = input;
    const { background, backgroundN } = requireBackground('lime', input, 'to sample perturbations from');
    const width = encoding.width;
    const F = encoding.features.length;
    const scale = new Float64Array(width).fill(1);
    for (const f of encoding.features) {
      if (f.type !== 'numeric') continue;
      const c = f.columns[0];
      let mean = 0;
      let sq = 0;
      for (let b = 0; b < backgroundN; b++) mean += background[b * width + c]! / backgroundN;
      for (let b = 0; b < backgroundN; b++) sq += (background[b * width + c]! - mean) ** 2;
      scale[c] = Math.sqrt(sq / backgroundN) || 1;
    }
    const classes = resolveTargetClasses(model, X, n, input.target, input.labels);
    const seed = input.seed ?? 0;
    const runs: LimeRun[] = [];
    for (let k = 0; k < params.stabilityRuns; k++) {
      const onProgress = input.onProgress;
      runs.push(await limeRun({ ...input, onProgress: onProgress && ((f) => onProgress((k + f) / params.stabilityRuns)) }, params, classes, seed + 7919 * k, scale));
    }
    const grouped = runs[0]!.coef;
    return {
      method: 'lime',
      n,
      width,
      encoded: spreadToColumns(grouped, X, n, encoding),
      grouped,
      targetClass: reportedTargetClasses(model, classes),
      extras: {
        grouping: 'feature',
        intercept: Array.from(runs[0]!.intercept),
        score: Array.from(runs[0]!.r2),
        kernelWidth: params.kernelWidth > 0 ? params.kernelWidth : 0.75 * Math.sqrt(F),
        stability: runs.length > 1 ? stability(runs.map((r) => r.coef), n, F, Math.min(params.topK, F)) : null,
      },
    };
  },
} satisfies AttributionMethod<LimeParams>;

export interface LimeStability {
  runs: number;
  /** Per feature: mean over rows of the standard deviation across runs. */
  featureStd: number[];
  /** Σ featureStd / Σ mean |attribution|: the typical relative wobble. */
  relativeStd: number;
  /** Mean Jaccard overlap of the top-k feature sets between pairs of runs, over rows. */
  topKJaccard: number;
  /** Fraction of (row, feature) pairs whose sign is the same in every run. */
  signAgreement: number;
}

export function stability(runs: Float64Array[], n: number, F: number, k: number): LimeStability {
  const R = runs.length;
  const featureStd = new Array<number>(F).fill(0);
  let absSum = 0;
  let signSame = 0;
  let jaccard = 0;
  let pairs = 0;
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) {
      const vals = runs.map((run) => run[r * F + f]!);
      const mean = vals.reduce((a, b) => a + b, 0) / R;
      featureStd[f]! += Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / (R - 1)) / n;
      absSum += Math.abs(mean) / n;
      if (vals.every((v) => Math.sign(v) === Math.sign(vals[0]!))) signSame++;
    }
    const tops = runs.map((run) => new Set(Array.from({ length: F }, (_, f) => f).sort((a, b) => Math.abs(run[r * F + b]!) - Math.abs(run[r * F + a]!)).slice(0, k)));
    for (let a = 0; a < R; a++) {
      for (let b = a + 1; b < R; b++) {
        let inter = 0;
        for (const f of tops[a]!) if (tops[b]!.has(f)) inter++;
        jaccard += inter / (2 * k - inter);
        pairs++;
      }
    }
  }
  const stdSum = featureStd.reduce((a, b) => a + b, 0);
  return { runs: R, featureStd, relativeStd: absSum > 0 ? stdSum / absSum : 0, topKJaccard: jaccard / pairs, signAgreement: signSame / (n * F) };
}
