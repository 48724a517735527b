/**
 * Quadrature rules on [0, 1] for path integrals (Integrated Gradients): the points `alphas` along
 * the straight path from the baseline to the input, and the `weights` the gradients there are
 * summed with.
 *
 * The Captum rules are reproduced exactly (Captum 0.8 `approximation_methods.py`), including its
 * `riemann_trapezoid`, whose weights are 1/n with the two ends halved and so sum to (n-1)/n: its
 * attributions are about (n-1)/n of the integral. `trapezoid` is the textbook composite rule
 * (step 1/(n-1)), whose weights sum to 1.
 */
import { GlassboxError } from '../errors';

export const QUADRATURE_RULES = ['gausslegendre', 'riemann-trapezoid', 'riemann-left', 'riemann-right', 'riemann-middle', 'trapezoid'] as const;
export type QuadratureRule = (typeof QUADRATURE_RULES)[number];

export interface Quadrature {
  alphas: Float64Array;
  weights: Float64Array;
}

export function quadrature(rule: QuadratureRule, n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1) throw new GlassboxError('usage', `quadrature: steps must be a positive integer, got ${n}`);
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  switch (rule) {
    case 'gausslegendre': {
      // Captum: alphas = 0.5 * (1 + nodes), weights = 0.5 * w, nodes/w of numpy's leggauss(n).
      const { nodes, weights: w } = gaussLegendre(n);
      for (let i = 0; i < n; i++) {
        alphas[i] = 0.5 * (1 + nodes[i]!);
        weights[i] = 0.5 * w[i]!;
      }
      break;
    }
    case 'riemann-trapezoid':
    case 'trapezoid': {
      if (n < 2) throw new GlassboxError('usage', `the ${rule} rule needs at least 2 steps, got ${n}`);
      const step = rule === 'trapezoid' ? 1 / (n - 1) : 1 / n;
      for (let i = 0; i < n; i++) {
        alphas[i] = i / (n - 1);
        weights[i] = i === 0 || i === n - 1 ? step / 2 : step;
      }
      break;
    }
    case 'riemann-left':
    case 'riemann-right':
    case 'riemann-middle': {
      const offset = rule === 'riemann-left' ? 0 : rule === 'riemann-right' ? 1 : 0.5;
      for (let i = 0; i < n; i++) {
        alphas[i] = (i + offset) / n;
        weights[i] = 1 / n;
      }
      break;
    }
    default:
      throw new GlassboxError('usage', `unknown quadrature rule '${rule as string}' (rules: ${QUADRATURE_RULES.join(', ')})`);
  }
  return { alphas, weights };
}

/**
 * Gauss–Legendre nodes and weights on [-1, 1], ascending (numpy's `leggauss` order): the roots of
 * the Legendre polynomial P_n by Newton's method from Tricomi's initial guesses, exact to float64
 * rounding; a rule with n nodes integrates polynomials up to degree 2n-1 exactly.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < half; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      // Three-term recurrence for P_n(x), then P_n'(x) from P_n and P_{n-1}.
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * dp * dp);
    // Root i counts down from +1; store both mirror nodes in ascending order.
    nodes[n - 1 - i] = x;
    nodes[i] = -x;
    weights[n - 1 - i] = w;
    weights[i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}
