import { describe, it, expect, beforeAll } from 'vitest';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { wrapModel, type ModelHandle } from '../model/model';
import type { Encoding } from '../data/encoding';
import { groupByFeature } from '../data/encoding';
import { createRng } from '../util/random';
import { shapleyExact } from './shapley-exact';
import { kernelShap } from './kernel-shap';
import { lime } from './lime';
import { featureAblation } from './feature-ablation';
import { randomAblation } from './random-ablation';
import { permutationImportance } from './permutation';
import { resolveParams } from './params';
import type { AttributionInput, AttributionMethod } from './types';
import { anchorProject, expectClose, readAnchor } from '../../../test/helpers';

/** f0 numeric (col 0), f1 categorical with 3 categories (cols 1-3), f2 numeric (col 4). */
const mixed: Encoding = {
  features: [
    { name: 'f0', type: 'numeric', transform: 'none', mean: 0, std: 1, columns: [0, 1] },
    { name: 'f1', type: 'categorical', categories: ['a', 'b', 'c'], unknown: 'zeros', columns: [1, 4] },
    { name: 'f2', type: 'numeric', transform: 'none', mean: 0, std: 1, columns: [4, 5] },
  ],
  ignored: [],
  missing: [],
  width: 5,
  label: { name: 'y' },
};

function mixedRows(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const X = new Float32Array(n * 5);
  for (let r = 0; r < n; r++) {
    X[r * 5] = rng.normal();
    X[r * 5 + 1 + rng.int(3)] = 1;
    X[r * 5 + 4] = rng.normal();
  }
  return X;
}

function numericEncoding(F: number): Encoding {
  return {
    features: Array.from({ length: F }, (_, i) => ({ name: `f${i}`, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
    ignored: [],
    missing: [],
    width: F,
    label: { name: 'y', classes: ['0', '1'] },
  };
}

function mlp(width: number, seed: number, task: 'binary' | 'regression', encoding: Encoding): ModelHandle {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [width], units: 12, activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed }) }),
      tfl.layers.dense({ units: task === 'binary' ? 2 : 1, kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 1 }) }),
    ],
  });
  return wrapModel(m, '/mem', {}, { encoding, task });
}

async function run<P extends Record<string, unknown>>(method: AttributionMethod<P>, input: AttributionInput, params: Record<string, unknown> = {}) {
  return method.attribute(input, resolveParams(method.id, method.params, params));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await initEngine();
});

describe('exact Shapley', () => {
  it('equals w·(x − E[x]) per raw feature on a linear model, one-hot group included', async () => {
    const w = [0.7, -1.2, 0.4, 2.0, -0.5];
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 1 })] });
    m.layers[0]!.setWeights([tf.tensor2d(w, [5, 1]), tf.tensor1d([0.3])]);
    const model = wrapModel(m, '/mem', {}, { encoding: mixed, task: 'regression' });
    const X = mixedRows(6, 1);
    const B = mixedRows(40, 2);
    const before = tf.memory().numTensors;
    const res = await run(shapleyExact, { model, encoding: mixed, X, n: 6, target: { kind: 'predicted' }, background: B, backgroundN: 40 }, { backgroundSize: 40 });
    expect(tf.memory().numTensors).toBe(before);
    const mean = new Float64Array(5);
    for (let r = 0; r < 40; r++) for (let c = 0; c < 5; c++) mean[c]! += B[r * 5 + c]! / 40;
    const expected = new Float64Array(6 * 5);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 5; c++) expected[r * 5 + c] = w[c]! * (X[r * 5 + c]! - mean[c]!);
    expectClose(res.grouped, groupByFeature(expected, 6, mixed), 1e-4, 1e-5);
    // The encoded view sums back to the per-feature values.
    expectClose(groupByFeature(res.encoded, 6, mixed), res.grouped, 1e-5, 1e-6);
    expect(res.extras.maxEfficiencyError as number).toBeLessThan(1e-5);
    m.dispose();
  });

  it('matches brute force over orderings on a small nonlinear model', async () => {
    const model = mlp(5, 3, 'binary', { ...mixed, label: { name: 'y', classes: ['0', '1'] } });
    const X = mixedRows(4, 5);
    const B = mixedRows(3, 6);
    // A dense stack: the first-layer factorisation path (the linear model above takes the generic one).
    const before = tf.memory().numTensors;
    const res = await run(shapleyExact, { model, encoding: mixed, X, n: 4, target: { kind: 'class', index: 1 }, background: B, backgroundN: 3 });
    expect(tf.memory().numTensors).toBe(before);
    // v(S) by explicit composite rows; φ_i = mean over the 6 orderings of the marginal contribution.
    const v = (r: number, S: number) => {
      const Z = new Float32Array(3 * 5);
      for (let b = 0; b < 3; b++) {
        for (const [f, feat] of mixed.features.entries()) {
          for (let c = feat.columns[0]; c < feat.columns[1]; c++) Z[b * 5 + c] = (S >> f) & 1 ? X[r * 5 + c]! : B[b * 5 + c]!;
        }
      }
      const z = tf.tidy(() => model.logits(tf.tensor2d(Z, [3, 5])).arraySync() as number[][]);
      return z.reduce((a, row) => a + row[1]! / 3, 0);
    };
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (let r = 0; r < 4; r++) {
      const phi = [0, 0, 0];
      for (const o of orders) {
        let S = 0;
        for (const i of o) {
          phi[i]! += (v(r, S | (1 << i)) - v(r, S)) / 6;
          S |= 1 << i;
        }
      }
      expectClose(res.grouped.subarray(r * 3, r * 3 + 3), phi, 1e-4, 1e-6);
    }
    model.layersModel!.dispose();
  });

  it('takes the same values through the dense fast path as through composite rows, for every head', async () => {
    // Hidden activations fused into matMul (relu) and not (tanh); heads: one-unit sigmoid, softmax,
    // linear logits, regression; targets: a class, the loss.
    const heads: Array<[string, string, number, 'binary' | 'multiclass' | 'regression', AttributionInput['target']]> = [
      ['relu', 'sigmoid', 1, 'binary', { kind: 'class', index: 0 }],
      ['tanh', 'softmax', 3, 'multiclass', { kind: 'class', index: 2 }],
      ['relu', 'linear', 2, 'binary', { kind: 'loss' }],
      ['tanh', 'linear', 1, 'regression', { kind: 'predicted' }],
    ];
    const X = mixedRows(4, 15);
    const B = mixedRows(3, 16);
    for (const [hidden, head, units, task, target] of heads) {
      const m = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [5], units: 7, activation: hidden as 'relu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }), biasInitializer: 'ones' }),
          tfl.layers.dense({ units: 6, activation: hidden as 'relu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 4 }) }),
          tfl.layers.dense({ units, activation: head as 'linear', kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }) }),
        ],
      });
      const classes = task === 'regression' ? undefined : Array.from({ length: Math.max(2, units) }, (_, i) => String(i));
      const model = wrapModel(m, '/mem', {}, { encoding: { ...mixed, label: { name: 'y', ...(classes ? { classes } : {}) } }, task });
      expect(model.layers, `${hidden}/${head}`).toBeDefined();
      const labels = Float32Array.from([0, 1, 0, 1]);
      const input: AttributionInput = { model, encoding: mixed, X, n: 4, labels, target, background: B, backgroundN: 3 };
      const before = tf.memory().numTensors;
      const fast = await run(shapleyExact, input);
      expect(tf.memory().numTensors).toBe(before);
      const generic = await run(shapleyExact, { ...input, model: { ...model, layers: undefined } });
      expectClose(fast.grouped, generic.grouped, 1e-4, 1e-6);
      expect(maxAbsDiff(generic.grouped, new Float64Array(12))).toBeGreaterThan(1e-3);
      m.dispose();
    }
  });

  it('refuses more than 16 raw features with an actionable error', async () => {
    const enc = numericEncoding(17);
    const model = mlp(17, 1, 'binary', enc);
    const X = new Float32Array(17);
    await expect(run(shapleyExact, { model, encoding: enc, X, n: 1, target: { kind: 'predicted' }, background: X, backgroundN: 1 })).rejects.toThrow(/at most 16 raw features; this model has 17: use --method kernel-shap/);
    model.layersModel!.dispose();
  });
});

describe('KernelSHAP', () => {
  it('converges to exact Shapley on an 8-feature MLP as samples grow, with honest standard errors', async () => {
    const enc = numericEncoding(8);
    const model = mlp(8, 11, 'binary', enc);
    const rng = createRng(4);
    const X = Float32Array.from({ length: 10 * 8 }, () => 1.5 * rng.normal());
    const B = Float32Array.from({ length: 20 * 8 }, () => rng.normal());
    const base: AttributionInput = { model, encoding: enc, X, n: 10, target: { kind: 'class', index: 1 }, background: B, backgroundN: 20, seed: 9 };
    const exact = await run(shapleyExact, base, { backgroundSize: 20 });
    const errors: number[] = [];
    for (const samples of [16, 64, 160, 254]) {
      const k = await run(kernelShap, base, { samples, backgroundSize: 20, summary: 'sample' });
      errors.push(maxAbsDiff(k.grouped, exact.grouped));
      // Efficiency is enforced exactly.
      for (let r = 0; r < 10; r++) {
        let a = 0;
        let b = 0;
        for (let f = 0; f < 8; f++) [a, b] = [a + k.grouped[r * 8 + f]!, b + exact.grouped[r * 8 + f]!];
        expect(Math.abs(a - b)).toBeLessThan(1e-4);
      }
      if (samples === 64) {
        // The jackknife SE is of the order of the actual error.
        const se = k.extras.standardError as number[];
        const meanSe = se.reduce((a, s) => a + s, 0) / se.length;
        const meanErr = Array.from(k.grouped).reduce((a, g, i) => a + Math.abs(g - exact.grouped[i]!), 0) / se.length;
        expect(meanSe).toBeGreaterThan(meanErr / 5);
        expect(meanSe).toBeLessThan(meanErr * 5);
      }
    }
    expect(errors[1]).toBeLessThan(errors[0]!);
    expect(errors[2]).toBeLessThan(errors[1]!);
    // 254 = 2^8 − 2: every coalition enumerated, exact.
    expect(errors[3]).toBeLessThan(1e-4);
    model.layersModel!.dispose();
  });
});

describe('on the reference Adult MLP', () => {
  const anchor = readAnchor('attr_shapley.json');
  const enc = readAnchor('encoding.json');
  async function setup(rows: number) {
    const project = await anchorProject();
    const { encoding } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const X = test.X.subarray(0, rows * encoding.width);
    return { project, encoding, model, X, test };
  }

  it('exact Shapley with the mean-baseline row matches the enumeration reference', async () => {
    // 20 of the 50 reference rows keep the test fast; the benchmark runs all 50.
    const n = 20;
    const { project, encoding, model, X } = await setup(n);
    const ref = (anchor.exact_shapley.values as number[][]).slice(0, n).flat();
    const B = Float32Array.from(enc.baseline_mean as number[]);
    const res = await run(shapleyExact, { model, encoding, X, n, target: { kind: 'class', index: 1 }, background: B, backgroundN: 1 });
    expectClose(res.grouped, ref, 1e-4, 2e-5);
    expectClose(res.extras.baseValue as number[], new Array(n).fill(anchor.f_baseline), 1e-5, 1e-6);

    const k = await run(kernelShap, { model, encoding, X, n, target: { kind: 'class', index: 1 }, background: B, backgroundN: 1, seed: 0 }, { samples: 2048 });
    const err = maxAbsDiff(k.grouped, ref);
    // SHAP KernelExplainer: 0.0059, Captum KernelShap: 0.038 at the same budget.
    expect(err).toBeLessThan(2 * anchor.shap_kernel_explainer.max_abs_err_vs_exact);
    await project.dispose();
  });

  it('LIME agrees with the lime package in its top features and signs, and reports its stability', async () => {
    const { project, encoding, model, X } = await setup(20);
    const train = await project.dataset('train');
    const res = await run(lime, { model, encoding, X, n: 20, target: { kind: 'class', index: 1 }, background: train.X, backgroundN: train.n, seed: 0 }, { samples: 2000 });
    const names = encoding.features.map((f) => f.name);
    const explanations = readAnchor('attr_lime_marcotcr.json').explanations as Array<{ weights: Array<[string, number]> }>;
    let overlap = 0;
    let signs = 0;
    let signed = 0;
    explanations.forEach((e, r) => {
      const ref = new Map(e.weights.map(([label, w]) => [names.find((nm) => new RegExp(`(^|[ <=])${nm}([ <=]|$)`).test(label))!, w]));
      const ours = res.grouped.subarray(r * 14, (r + 1) * 14);
      const top = (vals: (f: number) => number) => new Set([...names.keys()].sort((a, b) => Math.abs(vals(b)) - Math.abs(vals(a))).slice(0, 5));
      const refTop = top((f) => ref.get(names[f]!) ?? 0);
      const ourTop = top((f) => ours[f]!);
      for (const f of refTop) if (ourTop.has(f)) overlap++;
      for (const f of refTop) {
        signed++;
        if (Math.sign(ours[f]!) === Math.sign(ref.get(names[f]!)!)) signs++;
      }
    });
    expect(overlap / (20 * 5)).toBeGreaterThan(0.6);
    expect(signs / signed).toBeGreaterThan(0.85);
    const st = res.extras.stability as { runs: number; topKJaccard: number; featureStd: number[] };
    expect(st.runs).toBe(3);
    expect(st.topKJaccard).toBeGreaterThan(0.5);
    expect(st.featureStd).toHaveLength(14);
    await project.dispose();
  });
});

describe('ablation and permutation', () => {
  it('rank a planted feature first and give the others ~0', async () => {
    const enc = numericEncoding(4);
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2 })] });
    m.layers[0]!.setWeights([tf.tensor2d([0, 0, 0, 0, 0, 0, 0, 3], [4, 2]), tf.tensor1d([0, 0])]);
    const model = wrapModel(m, '/mem', {}, { encoding: enc, task: 'binary' });
    const rng = createRng(8);
    const n = 200;
    const X = Float32Array.from({ length: n * 4 }, () => rng.normal());
    const labels = Float32Array.from({ length: n }, (_, r) => (X[r * 4 + 3]! + 0.3 * rng.normal() > 0 ? 1 : 0));
    const input: AttributionInput = { model, encoding: enc, X, n, labels, target: { kind: 'class', index: 1 }, background: X, backgroundN: n, seed: 1 };
    for (const metric of ['log-loss', 'accuracy', 'target']) {
      const res = await run(permutationImportance, input, { metric });
      const imp = res.extras.importance as number[];
      expect(imp[3]).toBeGreaterThan(0.1);
      for (let f = 0; f < 3; f++) expect(imp[f]).toBe(0);
    }
    for (const method of [randomAblation, featureAblation] as AttributionMethod<any>[]) {
      const res = await run(method, input);
      for (let r = 0; r < n; r++) for (let f = 0; f < 3; f++) expect(Math.abs(res.grouped[r * 4 + f]!)).toBeLessThan(1e-6);
    }
    // Feature ablation of a linear model: w·(x − mean of the background sample).
    const fa = await run(featureAblation, input, { baseline: 'mean' });
    const mean = X.reduce((a, v, i) => a + (i % 4 === 3 ? v / n : 0), 0);
    for (let r = 0; r < 5; r++) expect(fa.grouped[r * 4 + 3]).toBeCloseTo(3 * (X[r * 4 + 3]! - mean), 4);
    m.dispose();
  });
});

describe('seeded methods', () => {
  it('are deterministic with a seed and change with it', async () => {
    const model = mlp(5, 2, 'binary', { ...mixed, label: { name: 'y', classes: ['0', '1'] } });
    const X = mixedRows(3, 1);
    const B = mixedRows(100, 2);
    for (const method of [kernelShap, lime, randomAblation] as AttributionMethod<any>[]) {
      const input: AttributionInput = { model, encoding: mixed, X, n: 3, target: { kind: 'predicted' }, background: B, backgroundN: 100, seed: 5 };
      const params = method.id === 'kernel-shap' ? { samples: 4 } : method.id === 'lime' ? { samples: 50 } : {};
      const a = await run(method, input, params);
      const b = await run(method, input, params);
      expect(Array.from(a.grouped)).toEqual(Array.from(b.grouped));
      const c = await run(method, { ...input, seed: 6 }, params);
      expect(Array.from(c.grouped)).not.toEqual(Array.from(a.grouped));
    }
    const ac = new AbortController();
    ac.abort();
    await expect(run(shapleyExact, { model, encoding: mixed, X, n: 3, target: { kind: 'predicted' }, background: B, backgroundN: 100, signal: ac.signal })).rejects.toThrow();
    model.layersModel!.dispose();
  });
});

