import { describe, it, expect } from 'vitest';
import { gaussLegendre, quadrature, QUADRATURE_RULES } from './quadrature';
import { expectClose } from '../../../test/helpers';

describe('quadrature rules', () => {
  it('Gauss–Legendre nodes and weights equal numpy leggauss', () => {
    const five = gaussLegendre(5);
    expectClose(five.nodes, [-0.906179845938664, -0.5384693101056831, 0.0, 0.5384693101056831, 0.906179845938664], 1e-14, 1e-15);
    expectClose(five.weights, [0.23692688505618928, 0.4786286704993663, 0.5688888888888887, 0.4786286704993663, 0.23692688505618928], 1e-14);
    const fifty = gaussLegendre(50);
    expectClose(fifty.nodes.subarray(0, 3), [-0.998866404420071, -0.9940319694320907, -0.9853540840480058], 1e-14);
    expectClose(fifty.weights.subarray(0, 3), [0.0029086225531579266, 0.006759799195744566, 0.010590548383651496], 1e-11);
    expectClose([fifty.nodes[25]!, fifty.weights[25]!], [0.031098338327188876, 0.06217661665534703], 1e-13);
    expectClose(gaussLegendre(1).weights, [2], 1e-15);
  });

  it('Gauss–Legendre with n points integrates polynomials of degree 2n-1 on [0, 1] exactly', () => {
    for (const n of [1, 2, 3, 8, 64]) {
      const { alphas, weights } = quadrature('gausslegendre', n);
      const deg = 2 * n - 1;
      let s = 0;
      for (let i = 0; i < n; i++) s += weights[i]! * alphas[i]! ** deg;
      expect(s).toBeCloseTo(1 / (deg + 1), 12);
    }
  });

  it("Captum's riemann-trapezoid weights sum to (n-1)/n, the textbook rules to 1", () => {
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(quadrature('riemann-trapezoid', 50).weights)).toBeCloseTo(49 / 50, 14);
    const rt = quadrature('riemann-trapezoid', 5);
    expectClose(rt.alphas, [0, 0.25, 0.5, 0.75, 1], 1e-15);
    expectClose(rt.weights, [0.1, 0.2, 0.2, 0.2, 0.1], 1e-15);
    for (const rule of QUADRATURE_RULES.filter((r) => r !== 'riemann-trapezoid')) {
      expect(sum(quadrature(rule, 7).weights), rule).toBeCloseTo(1, 14);
    }
    expectClose(quadrature('riemann-middle', 4).alphas, [0.125, 0.375, 0.625, 0.875], 1e-15);
    expectClose(quadrature('riemann-left', 4).alphas, [0, 0.25, 0.5, 0.75], 1e-15);
    expectClose(quadrature('riemann-right', 4).alphas, [0.25, 0.5, 0.75, 1], 1e-15);
    expect(() => quadrature('trapezoid', 1)).toThrow(/at least 2 steps/);
  });
});
