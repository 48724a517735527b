/**
 * TreeSHAP, interventional TreeSHAP and interaction values against brute-force Shapley values
 * (all 2^d coalitions) on random small ensembles: ties at thresholds, NaN, LightGBM's zero-as-
 * missing and no-missing rules, repeated features on a path, `<` and `<=`, sum and mean.
 */
import { describe, it, expect } from 'vitest';
import { GlassboxError } from '../../errors';
import { predictMargins } from './predict';
import { treeShap, treeExpectation } from './treeshap';
import { interventionalTreeShap } from './interventional';
import { treeShapInteractions } from './interactions';
import { goesLeft, type Tree, type TreeEnsemble, validateEnsemble } from './types';

/** mulberry32: small seeded generator, enough for test structures. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GRID = [-1, 0, 0.5, 1, 2];

function randomTree(r: () => number, d: number, depth: number, output: number, decision: '<' | '<='): Tree {
  const left: number[] = [], right: number[] = [], feature: number[] = [], threshold: number[] = [];
  const defaultLeft: number[] = [], value: number[] = [], cover: number[] = [], missing: number[] = [];
  const grow = (level: number): number => {
    const id = left.length;
    left.push(-1); right.push(-1); feature.push(-1); threshold.push(0); defaultLeft.push(0); value.push(0); cover.push(0); missing.push(0);
    if (level === depth || (level > 0 && r() < 0.2)) {
      value[id] = Math.round((r() * 4 - 2) * 100) / 100;
      cover[id] = 1 + Math.floor(r() * 20);
      return id;
    }
    feature[id] = Math.floor(r() * d); // repeats on a path are likely with small d
    threshold[id] = GRID[Math.floor(r() * GRID.length)]!;
    defaultLeft[id] = r() < 0.5 ? 1 : 0;
    missing[id] = Math.floor(r() * 3);
    const l = grow(level + 1);
    const rr = grow(level + 1);
    left[id] = l;
    right[id] = rr;
    cover[id] = cover[l]! + cover[rr]!;
    return id;
  };
  grow(0);
  return {
    output, decision, left: Int32Array.from(left), right: Int32Array.from(right), feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold), defaultLeft: Uint8Array.from(defaultLeft), value: Float64Array.from(value),
    cover: Float64Array.from(cover), missing: Uint8Array.from(missing),
  };
}

function randomEnsemble(seed: number, d: number, K: number, aggregate: 'sum' | 'mean'): TreeEnsemble {
  const r = rng(seed);
  const trees = Array.from({ length: 4 * K }, (_, t) => randomTree(r, d, 4, t % K, t % 2 ? '<' : '<='));
  return validateEnsemble(
    { numFeatures: d, outputs: K, baseScore: Array.from({ length: K }, () => r() - 0.5), trees, aggregate, link: K > 1 ? 'softmax' : 'identity', objective: 'test', metadata: {} },
    'test',
  );
}

function randomRows(seed: number, n: number, d: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n * d }, () => {
    const u = r();
    return u < 0.1 ? NaN : u < 0.5 ? GRID[Math.floor(r() * GRID.length)]! : Math.fround(r() * 4 - 1.5);
  });
}

const popcount = (s: number): number => { let c = 0; for (; s; s &= s - 1) c++; return c; };
const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));

/** Shapley values (d x K) of a set function v over d players, from all 2^d coalitions. */
function shapley(v: (S: number) => Float64Array, d: number, K: number): Float64Array {
  const vals = Array.from({ length: 1 << d }, (_, S) => v(S));
  const phi = new Float64Array(d * K);
  for (let S = 0; S < 1 << d; S++) {
    const s = popcount(S);
    const w = (fact(s) * fact(d - s - 1)) / fact(d);
    for (let j = 0; j < d; j++) {
      if (S & (1 << j)) continue;
      for (let k = 0; k < K; k++) phi[j * K + k] += w * (vals[S | (1 << j)]![k]! - vals[S]![k]!);
    }
  }
  return phi;
}

/** Path-dependent game: E[f | x_S] with absent features integrated out by cover. */
function pathGame(e: TreeEnsemble, x: Float32Array): (S: number) => Float64Array {
  const weights = e.trees.map((t) => (e.aggregate === 'mean' ? 1 / e.trees.filter((u) => u.output === t.output).length : 1));
  return (S) => {
    const out = Float64Array.from(e.baseScore);
    e.trees.forEach((t, ti) => {
      const walk = (node: number): number => {
        if (t.left[node]! < 0) return t.value[node]!;
        const f = t.feature[node]!;
        if (S & (1 << f)) return walk(goesLeft(t, node, x[f]!) ? t.left[node]! : t.right[node]!);
        const c = t.cover[node]!;
        return (t.cover[t.left[node]!]! / c) * walk(t.left[node]!) + (t.cover[t.right[node]!]! / c) * walk(t.right[node]!);
      };
      out[t.output] += weights[ti]! * walk(0);
    });
    return out;
  };
}

function expectAllClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol)) expect.fail(`index ${i}: ${a[i]} vs brute force ${b[i]}`);
}

describe.each([
  { seed: 1, d: 5, K: 1, aggregate: 'sum' as const },
  { seed: 2, d: 6, K: 3, aggregate: 'sum' as const },
  { seed: 3, d: 4, K: 2, aggregate: 'mean' as const },
  { seed: 4, d: 8, K: 1, aggregate: 'mean' as const },
])('random ensemble seed $seed (d=$d, K=$K, $aggregate)', ({ seed, d, K, aggregate }) => {
  const e = randomEnsemble(seed, d, K, aggregate);
  const n = 6;
  const X = randomRows(seed + 100, n, d);

  it('path-dependent TreeSHAP (Algorithm 2 and the per-leaf tables) equals brute-force Shapley of E[f | x_S]', async () => {
    const rec = await treeShap(e, X, n, { method: 'recursive' });
    const tab = await treeShap(e, X, n, { method: 'tables' });
    for (let i = 0; i < n; i++) {
      const game = pathGame(e, X.subarray(i * d, (i + 1) * d));
      const bf = shapley(game, d, K);
      expectAllClose(rec.values.subarray(i * d * K, (i + 1) * d * K), bf, 1e-10);
      expectAllClose(tab.values.subarray(i * d * K, (i + 1) * d * K), bf, 1e-10);
      expectAllClose(rec.expectedValue, game(0), 1e-12);
    }
    const ev = Float64Array.from(e.baseScore);
    e.trees.forEach((t) => (ev[t.output] += (aggregate === 'mean' ? K / e.trees.length : 1) * treeExpectation(t)));
    expectAllClose(rec.expectedValue, ev, 1e-12);
  });

  it('interventional TreeSHAP equals brute-force Shapley of the background-averaged f(x_S, r_S̄)', async () => {
    const B = 5;
    const bg = randomRows(seed + 200, B, d);
    const { values, expectedValue } = await interventionalTreeShap(e, X, n, bg, B);
    for (let i = 0; i < n; i++) {
      const game = (S: number): Float64Array => {
        const z = new Float32Array(B * d);
        for (let b = 0; b < B; b++) for (let j = 0; j < d; j++) z[b * d + j] = S & (1 << j) ? X[i * d + j]! : bg[b * d + j]!;
        const m = predictMargins(e, z, B);
        const out = new Float64Array(K);
        for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) out[k] += m[b * K + k]! / B;
        return out;
      };
      expectAllClose(values.subarray(i * d * K, (i + 1) * d * K), shapley(game, d, K), 1e-10);
      expectAllClose(expectedValue, game(0), 1e-12);
    }
  });

  it('interaction values equal the brute-force Shapley interaction index of E[f | x_S]', async () => {
    const m = 3;
    const { values } = await treeShapInteractions(e, X.subarray(0, m * d), m);
    for (let r = 0; r < m; r++) {
      const game = pathGame(e, X.subarray(r * d, (r + 1) * d));
      const v = Array.from({ length: 1 << d }, (_, S) => game(S));
      const phi = shapley(game, d, K);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          for (let k = 0; k < K; k++) {
            let expected = 0;
            if (i !== j) {
              for (let S = 0; S < 1 << d; S++) {
                if (S & ((1 << i) | (1 << j))) continue;
                const s = popcount(S);
                const w = (fact(s) * fact(d - s - 2)) / (2 * fact(d - 1));
                expected += w * (v[S | (1 << i) | (1 << j)]![k]! - v[S | (1 << i)]![k]! - v[S | (1 << j)]![k]! + v[S]![k]!);
              }
            } else {
              expected = phi[i * K + k]!;
              for (let jj = 0; jj < d; jj++) {
                if (jj === i) continue;
                for (let S = 0; S < 1 << d; S++) {
                  if (S & ((1 << i) | (1 << jj))) continue;
                  const s = popcount(S);
                  const w = (fact(s) * fact(d - s - 2)) / (2 * fact(d - 1));
                  expected -= w * (v[S | (1 << i) | (1 << jj)]![k]! - v[S | (1 << i)]![k]! - v[S | (1 << jj)]![k]! + v[S]![k]!);
                }
              }
            }
            const got = values[((r * d + i) * d + j) * K + k]!;
            if (!(Math.abs(got - expected) <= 1e-10)) expect.fail(`row ${r} (${i},${j},${k}): ${got} vs brute force ${expected}`);
          }
        }
      }
    }
  });
});

describe('cancellation', () => {
  it('stops between row batches when the signal fires', async () => {
    const e = randomEnsemble(9, 6, 1, 'sum');
    const X = randomRows(10, 400, 6);
    const controller = new AbortController();
    const run = treeShap(e, X, 400, { signal: controller.signal, batchSize: 8, method: 'recursive' });
    controller.abort();
    await expect(run).rejects.toSatisfy((err: unknown) => err instanceof GlassboxError && err.code === 'cancelled');
    const again = new AbortController();
    again.abort();
    await expect(interventionalTreeShap(e, X, 400, X.subarray(0, 60), 10, { signal: again.signal })).rejects.toBeInstanceOf(GlassboxError);
    await expect(treeShapInteractions(e, X, 400, { signal: again.signal })).rejects.toBeInstanceOf(GlassboxError);
  });
});
