/**
 * Differential privacy for the aggregates a report releases (Dwork & Roth 2014, "The Algorithmic
 * Foundations of Differential Privacy", §3.3 Laplace mechanism; Balle & Wang 2018, "Improving the
 * Gaussian Mechanism for Differential Privacy", analytic Gaussian mechanism, Thm. 8).
 *
 * What is released, and its sensitivity under replacing one explained row (n rows, n public):
 * - importance per checkpoint: the mean over the explained rows of each row's local share vector
 *   (each row's shares are >= 0 and sum to 1, so one row moves the mean by at most 2/n in L1 and
 *   sqrt(2)/n in L2). This is the per-row-mean share, not the ratio-of-means share the non-private
 *   report shows; the two differ slightly.
 * - accuracy on each labelled data set: a count of correct rows over n, sensitivity 1/n.
 * The total budget (epsilon, and delta for Gaussian) is split evenly over all released queries
 * (basic sequential composition); an answer released twice (the same checkpoint in the timeline
 * and as "latest") is released once and reused. Noise is followed by post-processing only
 * (clipping to [0, 1], renormalising shares), which keeps the guarantee.
 *
 * What it protects: whether any single row of the explained and evaluated data sets was in them,
 * against anyone reading the report, with the model held fixed.
 * What it does not protect: the model (trained without DP, it may memorise training rows; its own
 * predictions and weights are not covered), the training rows used as a background or training set
 * (KernelSHAP's k-means background, the training-set accuracy's model), repeated reports (each
 * report spends its epsilon again: budgets add up), or anything withheld-by-design sections would
 * have shown: with DP on, row-level results (flipped rows, evidence rows, suspects), influence,
 * drift and check outcomes are left out of the report, because their sensitivity is not bounded.
 * Noise comes from the operating system's cryptographic generator: a seeded generator would let a
 * reader who knows the seed subtract it (tests pass their own source).
 */
import { randomBytes } from 'node:crypto';
import { GlassboxError } from '../errors';
import type { ReportCheckpoint, ReportData, ReportMetric } from './data';

export type Mechanism = 'laplace' | 'gaussian';

export interface PrivacyOptions {
  mechanism: Mechanism;
  /** Total epsilon of the report (> 0). */
  epsilon: number;
  /** Total delta of the Gaussian mechanism (0 < delta < 1; default `DEFAULT_DELTA`). */
  delta?: number;
  /** Uniform (0, 1) source; default the OS's cryptographic generator. */
  uniform?: () => number;
}

export const DEFAULT_DELTA = 1e-6;

/** Validates the options; epsilon <= 0 (or not a number) is a usage error. */
export function checkPrivacyOptions(o: { mechanism?: string; epsilon?: number; delta?: number }): { mechanism: Mechanism; epsilon: number; delta?: number } {
  const mechanism = o.mechanism ?? 'laplace';
  if (mechanism !== 'laplace' && mechanism !== 'gaussian') throw new GlassboxError('usage', `the privacy mechanism must be laplace or gaussian, got '${mechanism}'`);
  if (o.epsilon === undefined || !Number.isFinite(o.epsilon) || o.epsilon <= 0) throw new GlassboxError('usage', `epsilon must be a number > 0, got ${o.epsilon}`);
  if (mechanism === 'laplace') {
    if (o.delta !== undefined) throw new GlassboxError('usage', 'delta applies to the gaussian mechanism only (laplace is pure epsilon-DP)');
    return { mechanism, epsilon: o.epsilon };
  }
  const delta = o.delta ?? DEFAULT_DELTA;
  if (!Number.isFinite(delta) || delta <= 0 || delta >= 1) throw new GlassboxError('usage', `delta must be in (0, 1), got ${delta}`);
  return { mechanism, epsilon: o.epsilon, delta };
}

/** Uniform in the open interval (0, 1) from 53 random bits. */
export function cryptoUniform(): number {
  for (;;) {
    const b = randomBytes(8);
    const u = (b.readUInt32BE(0) * 2 ** 21 + (b.readUInt32BE(4) >>> 11)) / 2 ** 53;
    if (u > 0) return u;
  }
}

/** A draw of Laplace(0, scale) by inversion. */
export function laplace(scale: number, uniform: () => number): number {
  const u = uniform() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** A draw of N(0, sigma^2) (Box–Muller). */
export function gaussian(sigma: number, uniform: () => number): number {
  return sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Standard normal CDF; erfc by its Chebyshev fit (relative error < 1.2e-7 everywhere). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The delta a Gaussian of `sigma` achieves at `epsilon` for L2 sensitivity `sensitivity` (Balle & Wang 2018, Thm. 8). */
export function gaussianDelta(sigma: number, epsilon: number, sensitivity: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  return normalCdf(a - b) - Math.exp(epsilon) * normalCdf(-a - b);
}

/** The smallest sigma whose Gaussian is (epsilon, delta)-DP for L2 sensitivity `sensitivity` (bisection on `gaussianDelta`, decreasing in sigma). */
export function analyticGaussianSigma(epsilon: number, delta: number, sensitivity: number): number {
  let lo = 0;
  let hi = sensitivity;
  while (gaussianDelta(hi, epsilon, sensitivity) > delta) hi *= 2;
  for (let k = 0; k < 200 && hi - lo > 1e-12 * hi; k++) {
    const mid = (lo + hi) / 2;
    if (gaussianDelta(mid, epsilon, sensitivity) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** One query's noise: Laplace with L1 sensitivity `l1`, or Gaussian with L2 sensitivity `l2`. */
interface Budget {
  noise(l1: number, l2: number): () => number;
}

function budget(o: { mechanism: Mechanism; epsilon: number; delta?: number }, queries: number, uniform: () => number): Budget {
  const eps = o.epsilon / queries;
  if (o.mechanism === 'laplace') return { noise: (l1) => () => laplace(l1 / eps, uniform) };
  const delta = o.delta! / queries;
  return {
    noise: (_l1, l2) => {
      const sigma = analyticGaussianSigma(eps, delta, l2);
      return () => gaussian(sigma, uniform);
    },
  };
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * The report with differentially private aggregates only. Built from scratch from the allowed
 * fields (never by deleting from the original), so nothing non-private can slip through.
 */
export function privatiseReport(data: ReportData, options: PrivacyOptions): ReportData {
  const o = checkPrivacyOptions(options);
  const uniform = options.uniform ?? cryptoUniform;
  // Distinct checkpoints released (timeline points, latest, previous): one answer each.
  const released = new Map<string, { perRowMean: number[]; rows: number; metrics: ReportMetric[] }>();
  const key = (name: string, hash?: string) => hash ?? name;
  for (const p of data.timeline?.points ?? []) released.set(key(p.name, p.hash), p);
  for (const cp of [data.latest, data.previous]) {
    if (cp && !released.has(key(cp.name, cp.hash))) released.set(key(cp.name, cp.hash), { perRowMean: cp.perRowMean, rows: cp.importance.rows, metrics: cp.metrics });
  }
  const queries = [...released.values()].reduce((s, r) => s + 1 + r.metrics.filter((m) => m.accuracy !== undefined).length, 0);
  const b = budget(o, queries, uniform);
  const answers = new Map<string, { shares: number[]; metrics: ReportMetric[] }>();
  for (const [k, r] of released) {
    const draw = b.noise(2 / r.rows, Math.SQRT2 / r.rows);
    const noisy = r.perRowMean.map((v) => clip01(v + draw()));
    const total = noisy.reduce((s, v) => s + v, 0);
    const shares = total > 0 ? noisy.map((v) => v / total) : noisy.map(() => 1 / noisy.length);
    const metrics = r.metrics
      .filter((m) => m.accuracy !== undefined)
      .map((m) => {
        const d = b.noise(1 / m.rows, 1 / m.rows);
        return { data: m.data, file: m.file, rows: m.rows, accuracy: clip01(m.accuracy! + d()) };
      });
    answers.set(k, { shares, metrics });
  }
  const cpOut = (cp: ReportCheckpoint): ReportCheckpoint => {
    const a = answers.get(key(cp.name, cp.hash))!;
    return { name: cp.name, ...(cp.hash ? { hash: cp.hash } : {}), metrics: a.metrics, importance: { ...cp.importance, provider: `${cp.importance.provider}, mean per-row share with DP noise`, shares: a.shares }, perRowMean: [] };
  };
  const out: ReportData = {
    title: data.title,
    generated: data.generated,
    task: data.task,
    classes: data.classes,
    latest: cpOut(data.latest),
    privacy: {
      mechanism: o.mechanism,
      epsilon: o.epsilon,
      ...(o.delta !== undefined ? { delta: o.delta } : {}),
      queries,
      statement: privacyStatement(o, queries),
      withheld: ['flipped rows and row attributions', 'check outcomes and their evidence rows', 'drift and drift impact', 'suspects and influence', 'log loss'],
    },
  };
  if (data.previous) out.previous = cpOut(data.previous);
  if (data.timeline) {
    out.timeline = {
      provider: data.timeline.provider,
      features: data.timeline.features,
      points: data.timeline.points.map((p) => {
        const a = answers.get(key(p.name, p.hash))!;
        return { name: p.name, ...(p.hash ? { hash: p.hash } : {}), metrics: a.metrics, shares: a.shares, perRowMean: [], rows: p.rows, suspects: null, ok: null };
      }),
    };
  }
  return out;
}

export function privacyStatement(o: { mechanism: Mechanism; epsilon: number; delta?: number }, queries: number): string {
  const each = o.mechanism === 'laplace' ? `epsilon ${fmt(o.epsilon / queries)} each` : `epsilon ${fmt(o.epsilon / queries)}, delta ${fmt(o.delta! / queries)} each`;
  return (
    `Aggregates carry ${o.mechanism === 'laplace' ? 'Laplace' : 'analytic Gaussian'} noise: total epsilon ${fmt(o.epsilon)}${o.delta !== undefined ? `, delta ${fmt(o.delta)}` : ''} over ${queries} released quantities (${each}). ` +
    'Importance is the mean per-row share (sensitivity 2/n in L1, sqrt(2)/n in L2 for n explained rows); accuracy has sensitivity 1/n. ' +
    'This protects whether any one row of the explained or evaluated data was present, with the model held fixed; it does not protect the training data from the model itself, the background rows, or repeated reports (budgets add up).'
  );
}

function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
