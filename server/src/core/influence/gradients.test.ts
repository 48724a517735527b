/**
 * Factored per-example gradients and factorised TracIn against explicit per-row autodiff
 * gradients (brute force: one backward pass per row, fine for a handful of rows in a test), and the
 * random projection against the Johnson–Lindenstrauss bound.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { initEngine } from '../engine/backend';
import { tf } from '../engine/tf';
import { createRng } from '../util/random';
import type { Activation, DenseLayer } from '../model/model';
import { gradientFactors, layerShapes, packedGradientFactors, type DenseStack } from './gradients';
import { dotProducts, factorLayout, packFactors, prepareQuery, squaredNorms, squaredNormsFromFactorNorms, type ParamScope } from './tracin';
import { createProjection, parameterCount, projectGradients } from './projection';
import { expectClose } from '../../../test/helpers';

beforeAll(async () => {
  await initEngine();
});

function randomStack(seed: number, sizes: number[], acts: Activation[], task: DenseStack['task']): DenseStack {
  const rng = createRng(seed);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [i, o] = [sizes[l]!, sizes[l + 1]!];
    layers.push({
      name: `d${l}`,
      kernel: tf.tensor2d(Float32Array.from({ length: i * o }, () => rng.normal() * 0.8), [i, o]),
      bias: tf.tensor1d(Float32Array.from({ length: o }, () => rng.normal() * 0.3)),
      activation: acts[l]!,
    });
  }
  return { layers, task, outputWidth: sizes[sizes.length - 1]! };
}

/** Explicit per-row gradients (kernels then biases per layer, in scope), one backward pass per row. */
function explicitGradients(stack: DenseStack, X: Float32Array, y: Float32Array, n: number, scope: ParamScope): number[][] {
  const d = stack.layers[0]!.kernel.shape[0];
  const L = stack.layers.length;
  const vars = stack.layers.flatMap((l, li) => (scope.layers === 'last' && li < L - 1 ? [] : [l.kernel, ...(l.bias && scope.bias !== false ? [l.bias] : [])]));
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const grads = tf.tidy(() => {
      const x = tf.tensor2d(X.subarray(i * d, (i + 1) * d), [1, d]);
      const f = (...ws: tf.Tensor[]) => {
        let h: tf.Tensor2D = x;
        let k = 0;
        stack.layers.forEach((l, li) => {
          const inScope = !(scope.layers === 'last' && li < L - 1);
          const W = inScope ? ws[k++]! : l.kernel;
          const b = l.bias ? (inScope && scope.bias !== false ? ws[k++]! : l.bias) : undefined;
          let z = tf.matMul(h, W as tf.Tensor2D);
          if (b) z = tf.add(z, b);
          h = (li === L - 1 ? (l.activation === 'sigmoid' || l.activation === 'softmax' ? z : z) : l.activation === 'relu' ? tf.relu(z) : tf.tanh(z)) as tf.Tensor2D;
        });
        if (stack.outputWidth === 1) h = tf.concat([tf.zerosLike(h), h], 1);
        const mask = tf.oneHot(tf.tensor1d([y[i]!], 'int32'), h.shape[1]);
        return tf.neg(tf.sum(tf.mul(tf.logSoftmax(h), mask))) as tf.Scalar;
      };
      return tf.grads(f)(vars).map((g) => tf.reshape(g, [-1]));
    });
    out.push(grads.flatMap((g) => Array.from(g.dataSync())));
    tf.dispose(grads);
  }
  return out;
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, k) => s + v * b[k]!, 0);

describe.each([
  ['multiclass relu/tanh MLP', () => randomStack(1, [5, 6, 4, 3], ['relu', 'tanh', 'linear'], 'multiclass'), 3],
  ['binary one-unit sigmoid head', () => randomStack(2, [5, 4, 1], ['relu', 'sigmoid'], 'binary'), 2],
])('%s', (_, makeStack, K) => {
  let stack: DenseStack;
  let layout: ReturnType<typeof factorLayout>;
  beforeAll(() => {
    stack = makeStack();
    layout = factorLayout(layerShapes(stack));
  });
  const n = 12;
  const rng = createRng(9);
  const X = Float32Array.from({ length: n * 5 }, () => rng.normal());
  const y = Float32Array.from({ length: n }, () => rng.int(K));

  for (const scope of [{}, { layers: 'last', bias: false }] as ParamScope[]) {
    it(`factorised dot products equal explicit gradient dot products (${scope.layers ?? 'all'} layers)`, () => {
      const tensors = tf.memory().numTensors;
      const f = gradientFactors(stack, X, y, 0, n);
      expect(tf.memory().numTensors).toBe(tensors);
      const rows = packFactors(layout, f);
      const q = prepareQuery(layout, gradientFactors(stack, X, y, 0, 4), scope);
      const dots = dotProducts(layout, rows, X, n, q, scope);
      const norms = squaredNorms(layout, rows, X, n, scope);
      const G = explicitGradients(stack, X, y, n, scope);
      expectClose(squaredNormsFromFactorNorms(layout, f.norms, n, scope), G.map((g) => dot(g, g)), 1e-4, 1e-6);
      if (!scope.layers) expect(G[0]!.length).toBe(parameterCount(layout.shapes));
      const want: number[] = [];
      for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) want.push(dot(G[i]!, G[k]!));
      expectClose(dots, want, 1e-4, 1e-6);
      expectClose(norms, G.map((g) => dot(g, g)), 1e-4, 1e-6);
      expectClose(q.sqnorm, G.slice(0, 4).map((g) => dot(g, g)), 1e-4, 1e-6);
    });
  }

  it('closed-form factors equal the autodiff ones (activations, deltas, loss, label probability, norms)', () => {
    const fast = gradientFactors(stack, X, y, 2, n);
    const taped = gradientFactors(stack, X, y, 2, n, true);
    for (let l = 0; l < stack.layers.length; l++) {
      expectClose(fast.acts[l]!, taped.acts[l]!, 1e-5, 1e-6);
      expectClose(fast.deltas[l]!, taped.deltas[l]!, 1e-5, 1e-6);
      expect(Math.max(...Array.from(taped.deltas[l]!, Math.abs))).toBeGreaterThan(1e-3);
    }
    expectClose(fast.loss, taped.loss, 1e-5, 1e-6);
    expectClose(fast.pLabel, taped.pLabel, 1e-5, 1e-6);
    expectClose(fast.norms, taped.norms, 1e-5, 1e-6);
  });

  it('packs the factors on the backend into the store layout, with or without the inputs', () => {
    for (const inputStored of [false, true]) {
      const tensors = tf.memory().numTensors;
      const p = packedGradientFactors(stack, X, y, 1, n, inputStored);
      expect(tf.memory().numTensors).toBe(tensors);
      const f = gradientFactors(stack, X, y, 1, n);
      expect(Array.from(p.rows)).toEqual(Array.from(packFactors(factorLayout(layerShapes(stack), inputStored), f)));
      expect(Array.from(p.norms)).toEqual(Array.from(f.norms));
      expect(Array.from(p.loss)).toEqual(Array.from(f.loss));
    }
  });

  it('projection preserves dot products within the Johnson–Lindenstrauss error', () => {
    const f = gradientFactors(stack, X, y, 0, n);
    const G = explicitGradients(stack, X, y, n, {});
    const k = 1024;
    const proj = createProjection(layout.shapes, k, 3);
    const tensors = tf.memory().numTensors;
    const P = projectGradients(proj, f);
    expect(tf.memory().numTensors).toBe(tensors);
    proj.dispose();
    // For unit vectors the error of a projected dot product has standard deviation ≤ √(2/k);
    // 4.5 standard deviations bounds every pair of this test with overwhelming probability.
    const bound = 4.5 * Math.sqrt(2 / k);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const ni = Math.sqrt(dot(G[i]!, G[i]!));
        const nj = Math.sqrt(dot(G[j]!, G[j]!));
        let pd = 0;
        for (let t = 0; t < k; t++) pd += P[i * k + t]! * P[j * k + t]!;
        worst = Math.max(worst, Math.abs(pd - dot(G[i]!, G[j]!)) / (ni * nj));
      }
    }
    expect(worst).toBeLessThan(bound);
    expect(worst).toBeGreaterThan(0); // it is a projection, not the identity
  });
});

describe('closed-form factors on other stacks', () => {
  it('equal the autodiff ones for sigmoid hidden layers, a softmax head and a regression head', () => {
    const rng = createRng(4);
    const X = Float32Array.from({ length: 7 * 5 }, () => rng.normal());
    const cases: Array<[DenseStack, Float32Array]> = [
      [randomStack(6, [5, 6, 3], ['sigmoid', 'softmax'], 'multiclass'), Float32Array.from({ length: 7 }, (_, i) => i % 3)],
      [randomStack(7, [5, 4, 4, 1], ['tanh', 'linear', 'linear'], 'regression'), Float32Array.from({ length: 7 }, () => rng.normal())],
    ];
    for (const [stack, y] of cases) {
      const fast = gradientFactors(stack, X, y, 0, 7);
      const taped = gradientFactors(stack, X, y, 0, 7, true);
      for (let l = 0; l < stack.layers.length; l++) expectClose(fast.deltas[l]!, taped.deltas[l]!, 1e-5, 1e-6);
      expectClose(fast.loss, taped.loss, 1e-5, 1e-6);
      expectClose(fast.norms, taped.norms, 1e-5, 1e-6);
      tf.dispose(stack.layers.flatMap((l) => [l.kernel, ...(l.bias ? [l.bias] : [])]));
    }
  });
});

describe('denseStackOf', () => {
  it('refuses a network that does not end in dense layers, and a model without gradients, naming its file', async () => {
    const { denseStackOf } = await import('./gradients');
    const { GlassboxError } = await import('../errors');
    const net = { file: '/models/conv/model.onnx', differentiable: true, kind: 'neural' } as unknown as Parameters<typeof denseStackOf>[0];
    expect(() => denseStackOf(net)).toThrow(GlassboxError);
    expect(() => denseStackOf(net)).toThrow(/needs dense layers at the end of the network/);
    const trees = { file: '/models/xgb/xgboost.json', differentiable: false, kind: 'trees' } as unknown as Parameters<typeof denseStackOf>[0];
    const err = (() => {
      try {
        denseStackOf(trees);
      } catch (e) {
        return e as InstanceType<typeof GlassboxError>;
      }
    })();
    expect(err?.message).toMatch(/tree ensemble has none; 'glassbox suspects' ranks .* area under the margin/);
    expect(err?.location?.file).toBe('/models/xgb/xgboost.json');
  });
});
