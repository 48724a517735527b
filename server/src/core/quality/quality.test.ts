import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { wrapModel, type ModelHandle } from '../model/model';
import { inspectCheckpoint } from '../model/checkpoints';
import { loadCheckpointModel } from '../model/formats/load';
import { groupByFeature, type Encoding } from '../data/encoding';
import { createRng } from '../util/random';
import { getMethod } from '../methods/registry';
import type { AttributionMethod } from '../methods/types';
import { tmpDir } from '../../../test/helpers';
import { explanationQuality } from './battery';
import { curveAuc, orderByAttribution, rowCurves } from './faithfulness';
import { maxSensitivity } from './sensitivity';
import { agreement } from './agreement';
import { explainFor, uniformBackground } from './perturbation';

function numericEncoding(F: number, label?: string[]): Encoding {
  return {
    features: Array.from({ length: F }, (_, i) => ({ name: `f${i}`, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
    ignored: [],
    missing: [],
    width: F,
    ...(label ? { label: { name: 'y', classes: label } } : {}),
  };
}

function normalRows(n: number, F: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * F }, () => rng.normal());
}

const W = [1.5, -2, 0.5, 0.25];
const enc4 = numericEncoding(4);

async function linearModel(): Promise<ModelHandle> {
  const dir = path.join(tmpDir('quality-linear'), 'epoch-1');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'glassbox-linear.json'), JSON.stringify({ format: 'glassbox-linear', version: 1, coef: [W], intercept: [0.3], link: 'identity' }));
  return loadCheckpointModel(inspectCheckpoint(dir), { encoding: enc4, task: 'regression' });
}

/** The same linear function as a one-layer network (gradients, no linear-shap). */
function linearNetwork(): ModelHandle {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1 })] });
  m.layers[0]!.setWeights([tf.tensor2d(W, [4, 1]), tf.tensor1d([0.3])]);
  return wrapModel(m, '/mem', {}, { encoding: enc4, task: 'regression' });
}

function tinyMlp(seed: number): ModelHandle {
  const encoding = numericEncoding(4, ['0', '1']);
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 8, activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed }) }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 1 }) }),
    ],
  });
  // Scale the first layer's rows so the features matter unequally.
  const [k, b] = m.layers[0]!.getWeights();
  m.layers[0]!.setWeights([tf.mul(k!, tf.tensor2d([3, 1, 0.3, 0.1], [4, 1])), b!]);
  return wrapModel(m, '/mem', {}, { encoding, task: 'binary' });
}

/** Seeded random attributions, the same whatever the model: what "no better than random" looks like. */
const noise = {
  id: 'noise',
  name: 'Random attributions (test only)',
  summary: 'seeded normal values per encoded column',
  capabilities: { gradients: false, background: false, stochastic: true },
  params: {},
  async attribute({ X, n, encoding, seed }) {
    const rng = createRng((seed ?? 0) + 99 + Math.round(X[0]! * 1000));
    const encoded = Float32Array.from({ length: n * encoding.width }, () => rng.normal());
    return { method: 'noise', n, width: encoding.width, encoded, grouped: groupByFeature(encoded, n, encoding), targetClass: new Int32Array(n).fill(-1), extras: {} };
  },
} satisfies AttributionMethod<Record<string, never>>;

beforeAll(async () => {
  await initEngine();
});

describe('explanation quality on a linear model (closed forms)', () => {
  it('linear SHAP has zero infidelity against its own background and the best possible deletion and insertion curves', async () => {
    const model = await linearModel();
    const X = normalRows(6, 4, 1);
    const background = { X: normalRows(20, 4, 2), n: 20 };
    const before = tf.memory().numTensors;
    const q = await explanationQuality({ model, encoding: enc4, background, X, n: 6, methods: [getMethod('linear-shap'), noise], settings: { sensitivitySamples: 0 } });
    expect(tf.memory().numTensors).toBe(before);
    const [lin, rnd] = q.methods;
    expect(lin!.infidelity.raw).toBeLessThan(1e-9);
    expect(lin!.infidelity.relative).toBeLessThan(1e-9);
    expect(rnd!.infidelity.relative).toBeGreaterThan(0.2);
    // Deletion after k features: f(x) − (sum of the k largest φ), φ_j = w_j (x_j − mean_j).
    const mean = [0, 1, 2, 3].map((j) => Array.from({ length: 20 }, (_, b) => background.X[b * 4 + j]!).reduce((s, v) => s + v, 0) / 20);
    const expected = new Float64Array(5);
    for (let i = 0; i < 6; i++) {
      const phi = W.map((w, j) => w * (X[i * 4 + j]! - mean[j]!));
      const fx = W.reduce((s, w, j) => s + w * X[i * 4 + j]!, 0.3);
      const sorted = [...phi].sort((a, b) => b - a);
      let acc = fx;
      for (let k = 0; k <= 4; k++) {
        expected[k] += acc / 6;
        acc -= sorted[k] ?? 0;
      }
    }
    lin!.deletion.curve.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 4));
    // No ordering of the 4 features deletes faster or inserts faster (brute force over all 24).
    const perms = permutations([0, 1, 2, 3]);
    const phi = await explainFor({ model, encoding: enc4, background }, getMethod('linear-shap'), X, 6, new Int32Array(6), 0);
    for (let i = 0; i < 6; i++) {
      const curves = await rowCurves({ model, encoding: enc4, background }, uniformBackground(background), X.subarray(i * 4, i * 4 + 4), 0, [orderByAttribution(phi, i * 4, 4), ...perms.map((p) => Int32Array.from(p))]);
      const [best, ...others] = curves.map((c) => ({ del: curveAuc(c.deletion), ins: curveAuc(c.insertion) }));
      for (const o of others) {
        expect(best!.del).toBeLessThanOrEqual(o.del + 1e-5);
        expect(best!.ins).toBeGreaterThanOrEqual(o.ins - 1e-5);
      }
    }
    expect(lin!.betterThanRandom).toBe(true);
    expect(q.recommended).toBe('linear-shap');
    // One row is no evidence: no z, nothing recommended.
    const one = await explanationQuality({ model, encoding: enc4, background, X, n: 1, methods: [getMethod('linear-shap')], settings: { sensitivitySamples: 0 } });
    expect(one.methods[0]!.advantage.z).toBeNaN();
    expect(one.recommended).toBeUndefined();
    model.dispose();
  });

  it('max-sensitivity: 0 for the gradient of a linear network; max ‖w ⊙ δ‖ / ‖φ(x)‖ for linear SHAP', async () => {
    const net = linearNetwork();
    const model = await linearModel();
    const X = normalRows(3, 4, 3);
    const background = { X: normalRows(10, 4, 4), n: 10 };
    const S = 5;
    const rng = createRng(8);
    const noiseValues = Float32Array.from({ length: 3 * S * 4 }, () => (2 * rng.next() - 1) * 0.2);
    const classes = new Int32Array(3);
    const sal = getMethod('saliency');
    const qn = { model: net, encoding: enc4, background };
    const g = await explainFor(qn, sal, X, 3, classes, 0);
    expect(Array.from(await maxSensitivity(qn, sal, X, 3, classes, g, { radius: 0.2, samples: S, seed: 0 }))).toEqual([0, 0, 0].map(() => expect.closeTo(0, 6)));
    const ql = { model, encoding: enc4, background };
    const lin = getMethod('linear-shap');
    const phi = await explainFor(ql, lin, X, 3, classes, 0);
    const s = await maxSensitivity(ql, lin, X, 3, classes, phi, { radius: 0.2, samples: S, seed: 0, noise: noiseValues });
    for (let i = 0; i < 3; i++) {
      const norm = Math.hypot(...[0, 1, 2, 3].map((j) => phi[i * 4 + j]!));
      const want = Math.max(...Array.from({ length: S }, (_, t) => Math.hypot(...W.map((w, j) => w * noiseValues[(i * S + t) * 4 + j]!))));
      expect(s[i]).toBeCloseTo(want / norm, 4);
      // Within the radius, never above the corner of the ball: r ‖w‖ / ‖φ‖.
      expect(s[i]!).toBeLessThanOrEqual((0.2 * Math.hypot(...W)) / norm + 1e-9);
    }
    net.dispose();
    model.dispose();
  });
});

describe('explanation quality on a small network', () => {
  it('exact Shapley deletes and inserts faster than random orderings; random attributions do not', async () => {
    const model = tinyMlp(5);
    const encoding = numericEncoding(4, ['0', '1']);
    const X = normalRows(24, 4, 11);
    const background = { X: normalRows(16, 4, 12), n: 16 };
    const before = tf.memory().numTensors;
    const q = await explanationQuality({ model, encoding, background, X, n: 24, methods: [getMethod('shapley-exact'), noise], settings: { sensitivitySamples: 3 } });
    expect(tf.memory().numTensors).toBe(before);
    const [shap, rnd] = q.methods;
    expect(shap!.deletion.auc).toBeLessThan(shap!.random.deletionAuc);
    expect(shap!.insertion.auc).toBeGreaterThan(shap!.random.insertionAuc);
    expect(shap!.deletion.auc).toBeLessThan(rnd!.deletion.auc);
    expect(shap!.betterThanRandom).toBe(true);
    expect(rnd!.betterThanRandom).toBe(false);
    expect(Math.abs(rnd!.advantage.z)).toBeLessThan(3);
    // Exact Shapley is additive and complete in this removal game: its infidelity is a small share.
    expect(shap!.infidelity.relative).toBeLessThan(rnd!.infidelity.relative);
    expect(q.recommended).toBe('shapley-exact');
    expect(q.agreement).toHaveLength(1);
    expect(shap!.sensitivity!.mean).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('agreement between methods', () => {
  it('is 1 for the same ranking of |values|, −1 for the reverse, and counts shared top-k features', () => {
    const a = { method: 'a', values: [4, -3, 2, 1, 0.5, 0.4, 0.3, 0.2] };
    expect(agreement(a, { method: 'b', values: [40, 30, -20, 10, 5, 4, 3, 2] }, 2, 4, 2)).toMatchObject({ spearman: 1, topK: 1, rows: 2 });
    const r = agreement(a, { method: 'b', values: [1, 2, 3, 4, 0.2, 0.3, 0.4, 0.5] }, 2, 4, 2);
    expect(r.spearman).toBeCloseTo(-1, 12);
    expect(r.topK).toBe(0);
    // Row 1 constant on one side: left out.
    expect(agreement(a, { method: 'b', values: [1, 2, 3, 4, 1, 1, 1, 1] }, 2, 4, 2).rows).toBe(1);
  });
});

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
