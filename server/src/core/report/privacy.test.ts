import { describe, expect, it } from 'vitest';
import { createRng } from '../util/random';
import { analyticGaussianSigma, checkPrivacyOptions, gaussian, gaussianDelta, laplace, normalCdf, privatiseReport } from './privacy';
import type { ReportData } from './data';
import { GlassboxError } from '../errors';

const uniformFrom = (seed: number) => {
  const rng = createRng(seed);
  return () => {
    let u = rng.next();
    while (u <= 0) u = rng.next();
    return u;
  };
};

/** delta(sigma) of the Gaussian mechanism by direct integration of max(0, p(x) - e^eps q(x)), p = N(0, s^2), q = N(D, s^2). */
function deltaByIntegration(sigma: number, eps: number, D: number): number {
  const pdf = (x: number, m: number) => Math.exp(-((x - m) ** 2) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
  const lo = -40 * sigma;
  const hi = 40 * sigma + D;
  const steps = 400_000;
  const h = (hi - lo) / steps;
  let s = 0;
  for (let k = 0; k <= steps; k++) {
    const x = lo + k * h;
    const v = Math.max(0, pdf(x, 0) - Math.exp(eps) * pdf(x, D));
    s += (k === 0 || k === steps ? 0.5 : 1) * v;
  }
  return s * h;
}

describe('differential privacy mechanisms', () => {
  it('normal CDF matches reference values', () => {
    // Phi(-1.96) = 0.0249979, Phi(-4) = 3.16712e-5, Phi(1) = 0.841345 (standard tables).
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249979, 6);
    expect(normalCdf(-4) / 3.16712e-5).toBeCloseTo(1, 5);
    expect(normalCdf(1)).toBeCloseTo(0.841345, 6);
  });

  it('Laplace draws have mean |x| = b and variance 2 b^2', () => {
    const u = uniformFrom(1);
    const b = 0.3;
    const n = 200_000;
    let abs = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = laplace(b, u);
      abs += Math.abs(x);
      sq += x * x;
    }
    expect(abs / n / b).toBeCloseTo(1, 1.5);
    expect(sq / n / (2 * b * b)).toBeCloseTo(1, 1.5);
  });

  it('the analytic Gaussian sigma achieves delta by brute-force integration, and beats the classical bound', () => {
    for (const [eps, delta, D] of [
      [1, 1e-5, 1],
      [0.5, 1e-6, 0.01],
      [3, 1e-6, 2],
    ] as const) {
      const sigma = analyticGaussianSigma(eps, delta, D);
      expect(gaussianDelta(sigma, eps, D) / delta).toBeCloseTo(1, 3);
      expect(deltaByIntegration(sigma, eps, D) / delta).toBeCloseTo(1, 2);
      expect(deltaByIntegration(sigma * 0.97, eps, D)).toBeGreaterThan(delta);
      if (eps < 1) expect(sigma).toBeLessThan((D * Math.sqrt(2 * Math.log(1.25 / delta))) / eps);
    }
    const u = uniformFrom(2);
    let sq = 0;
    for (let i = 0; i < 100_000; i++) sq += gaussian(0.7, u) ** 2;
    expect(sq / 100_000 / 0.49).toBeCloseTo(1, 1.5);
  });

  it('refuses epsilon <= 0, and delta outside (0, 1) or with laplace', () => {
    for (const epsilon of [0, -1, Number.NaN]) expect(() => checkPrivacyOptions({ epsilon })).toThrow(GlassboxError);
    expect(() => checkPrivacyOptions({ epsilon: 1, mechanism: 'gaussian', delta: 1 })).toThrow(/delta must be in \(0, 1\)/);
    expect(() => checkPrivacyOptions({ epsilon: 1, delta: 1e-6 })).toThrow(/gaussian mechanism only/);
    expect(() => checkPrivacyOptions({ epsilon: 1, mechanism: 'uniform' })).toThrow(/laplace or gaussian/);
  });
});

function report(): ReportData {
  const cp = (name: string, acc: number) => ({
    name,
    hash: name,
    metrics: [{ data: 'test', file: 't.csv', rows: 1000, accuracy: acc, logLoss: 0.4 }],
    importance: { provider: 'mean |kernel-shap|', file: 't.csv', rows: 500, features: ['a', 'b', 'c'], shares: [0.6, 0.3, 0.1] },
    perRowMean: [0.5, 0.3, 0.2],
  });
  const latest = cp('epoch-2', 0.8);
  const previous = cp('epoch-1', 0.7);
  return {
    title: 't',
    generated: 'now',
    task: 'binary',
    classes: ['no', 'yes'],
    latest,
    previous,
    comparison: { changed: true, metrics: [], ranks: [], agreement: { spearman: 1, topK: 3, overlap: 3 }, disagreement: [], flipped: { rows: 1, of: 10, file: 't.csv', methodA: 'saliency', methodB: 'saliency', listed: [{ row: 4, line: 6, before: 'no', after: 'yes', change: 0.2, attributionsA: { a: 1 }, attributionsB: { a: 2 } }] }, checks: [], drift: [] },
    checks: { ok: true, summary: { passed: 1, failed: 0, warnings: 0, skipped: 0 }, results: [] },
    timeline: { provider: 'p', features: ['a', 'b', 'c'], points: [{ ...previous, shares: previous.importance.shares, rows: 500, suspects: 3, ok: true }, { ...latest, shares: latest.importance.shares, rows: 500, suspects: 2, ok: true }] },
  };
}

describe('privatiseReport', () => {
  it('releases only noisy aggregates, once per checkpoint, with the stated budget split', () => {
    const r = privatiseReport(report(), { mechanism: 'laplace', epsilon: 1, uniform: uniformFrom(3) });
    expect(r.comparison).toBeUndefined();
    expect(r.checks).toBeUndefined();
    expect(r.drift).toBeUndefined();
    // Two checkpoints x (shares + test accuracy) = 4 queries; latest and its timeline point share one answer.
    expect(r.privacy).toMatchObject({ mechanism: 'laplace', epsilon: 1, queries: 4 });
    expect(r.latest.importance.shares).toEqual(r.timeline!.points[1]!.shares);
    expect(r.latest.importance.shares.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(r.latest.perRowMean).toEqual([]);
    expect(r.latest.metrics[0]!.logLoss).toBeUndefined();
    expect(r.timeline!.points.every((p) => p.suspects === null && p.ok === null)).toBe(true);
    expect(JSON.stringify(r)).not.toContain('"line"');
  });

  it('adds Laplace noise of scale (sensitivity / n) / (epsilon / queries) to accuracy', () => {
    const u = uniformFrom(4);
    const base = report();
    const runs = 4000;
    let sq = 0;
    for (let k = 0; k < runs; k++) {
      const r = privatiseReport(base, { mechanism: 'laplace', epsilon: 40, uniform: u });
      sq += (r.latest.metrics[0]!.accuracy! - 0.8) ** 2;
    }
    // 4 queries, epsilon 10 each: b = (1/1000)/10 = 1e-4, variance 2 b^2 (no clipping this far from 0 and 1).
    expect(sq / runs / (2 * 1e-4 ** 2)).toBeCloseTo(1, 0.7);
  });
});
