import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from '../../engine/tf';
import { initEngine } from '../../engine/backend';
import { expectClose, REPO } from '../../../../test/helpers';
import { loadOnnxGraph, type OnnxGraph } from './index';

/** Reference numbers from scripts/fixtures/onnx_fixtures.py: torch 1.13 (eval mode, float32),
 * with onnxruntime's outputs as a check of the export. */
const FIXTURES = path.join(REPO, 'server/test/fixtures/onnx');

interface Reference {
  model: string;
  opset: number;
  operators: string[];
  n: number;
  d: number;
  k: number;
  input: number[];
  labels: number[];
  output: number[];
  onnxruntimeOutput: number[];
  gradColumn: number;
  gradOfColumnSum: number[];
  loss: 'ce-logits' | 'ce-probs' | 'mse';
  gradOfLoss: number[];
  metadata?: Record<string, string>;
  producer?: { name: string; version: string };
  parameters?: Record<string, number[]>;
  weights?: Record<string, number[]>;
  perExampleParameterGradients?: Array<Record<string, number[]>>;
}

const ref = (name: string): Reference => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
const load = (file: string): OnnxGraph => loadOnnxGraph(path.join(FIXTURES, file));

/** The loss whose input gradient torch recorded, summed over rows. */
function loss(kind: Reference['loss'], out: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor {
  if (kind === 'mse') return tf.sum(tf.square(tf.sub(tf.squeeze(out, [1]), labels)));
  const onehot = tf.oneHot(tf.cast(labels, 'int32'), out.shape[1]);
  const logp = kind === 'ce-logits' ? tf.logSoftmax(out) : tf.log(out);
  return tf.neg(tf.sum(tf.mul(logp, onehot)));
}

// [fixture file, reference json]: norm_gelu20 is norm17 with its erf subgraph replaced by one
// opset-20 Gelu node, so torch's numbers for norm17 apply to it.
const CASES: Array<[string, string]> = [
  ['mlp.onnx', 'mlp'],
  ['norm17.onnx', 'norm17'],
  ['norm13.onnx', 'norm13'],
  ['norm_gelu20.onnx', 'norm17'],
  ['embedding.onnx', 'embedding'],
  ['softmax3.onnx', 'softmax3'],
  ['regression.onnx', 'regression'],
];

describe('ONNX graphs exported by torch.onnx.export', () => {
  beforeAll(() => initEngine());

  for (const [file, name] of CASES) {
    it(`${file}: outputs and input gradients match torch`, () => {
      const r = ref(name);
      const g = load(file);
      expect(g.inputWidth).toBe(r.d);
      expect(g.outputWidth).toBe(r.k);
      if (file !== 'norm_gelu20.onnx') {
        expect(g.opsetVersion).toBe(r.opset);
        expect(g.operators).toEqual(r.operators);
      } else {
        expect(g.opsetVersion).toBe(20);
        expect(g.operators).toContain('Gelu');
        expect(g.operators).not.toContain('Erf');
      }
      const before = tf.memory().numTensors;
      const [out, gCol, gLoss] = tf.tidy(() => {
        const x = tf.tensor2d(r.input, [r.n, r.d]);
        const labels = tf.tensor1d(r.labels);
        const col = tf.tensor2d(Array.from({ length: r.n * r.k }, (_, k) => (k % r.k === r.gradColumn ? 1 : 0)), [r.n, r.k]);
        const out = g.forward(x);
        const gCol = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(g.forward(z as tf.Tensor2D), col)))(x);
        const gLoss = tf.grad((z: tf.Tensor) => loss(r.loss, g.forward(z as tf.Tensor2D), labels))(x);
        return [out.dataSync(), gCol.dataSync(), gLoss.dataSync()];
      });
      expect(tf.memory().numTensors).toBe(before);
      expectClose(out, r.output, 1e-5, 1e-6);
      expectClose(gCol, r.gradOfColumnSum, 1e-5, 1e-6);
      expectClose(gLoss, r.gradOfLoss, 1e-5, 1e-6);
      g.dispose();
    });
  }

  it('embedding.onnx: the input gradient of the integer-coded column is zero (a lookup), the table gets the rows picked', () => {
    const r = ref('embedding');
    const g = load('embedding.onnx');
    const gCol = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(g.forward(z as tf.Tensor2D)))(tf.tensor2d(r.input, [r.n, r.d])).dataSync());
    for (let i = 0; i < r.n; i++) expect(gCol[i * r.d]).toBe(0);
    // d(output)/d(table): only rows whose code occurs get a gradient.
    const table = g.parameters().find((p) => p.name === 'emb.weight')!;
    const used = new Set(r.input.filter((_, k) => k % r.d === 0));
    const gTable = tf.tidy(() => {
      const w = tf.tensor(table.values, table.shape);
      return tf.grad((t: tf.Tensor) => tf.sum(g.forward(tf.tensor2d(r.input, [r.n, r.d]), new Map([['emb.weight', t]]))))(w).arraySync() as number[][];
    });
    gTable.forEach((row, code) => expect(row.some((v) => v !== 0)).toBe(used.has(code)));
    g.dispose();
  });

  it('norm17.onnx: per-example parameter gradients of the cross-entropy match torch (TracIn)', () => {
    const r = ref('norm17');
    const g = load('norm17.onnx');
    const params = g.parameters().filter((p) => p.role === 'weight');
    expect(params.map((p) => p.name).sort()).toEqual(Object.keys(r.perExampleParameterGradients![0]!).sort());
    const before = tf.memory().numTensors;
    r.perExampleParameterGradients!.forEach((expected, i) => {
      const grads = tf.tidy(() => {
        const x = tf.tensor2d(r.input.slice(i * r.d, (i + 1) * r.d), [1, r.d]);
        const labels = tf.tensor1d([r.labels[i]!]);
        const ws = params.map((p) => tf.tensor(p.values, p.shape));
        const f = (...t: tf.Tensor[]) => loss('ce-logits', g.forward(x, new Map(params.map((p, k) => [p.name, t[k]!]))), labels);
        return tf.grads(f)(ws).map((t) => t.dataSync());
      });
      params.forEach((p, k) => expectClose(grads[k]!, expected[p.name]!, 1e-5, 1e-6));
    });
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });

  it('norm17.onnx: Integrated Gradients (64 steps) is complete: sum = f(x) - f(0) within 1e-3', () => {
    const r = ref('norm17');
    const g = load('norm17.onnx');
    const steps = 64;
    const before = tf.memory().numTensors;
    const [attrSums, gaps] = tf.tidy(() => {
      const x = tf.tensor2d(r.input, [r.n, r.d]);
      const f = (z: tf.Tensor) => tf.sum(tf.slice(g.forward(z as tf.Tensor2D), [0, 1], [-1, 1]));
      // Midpoint rule on the straight path from the zero baseline: all steps in one batch.
      const alphas = tf.reshape(tf.div(tf.add(tf.range(0, steps), 0.5), steps), [steps, 1, 1]);
      const path = tf.reshape(tf.mul(alphas, x), [steps * r.n, r.d]) as tf.Tensor2D;
      const grads = tf.reshape(tf.grad(f)(path), [steps, r.n, r.d]);
      const ig = tf.mul(tf.mean(grads, 0), x);
      const fx = tf.slice(g.forward(x), [0, 1], [-1, 1]);
      const f0 = tf.slice(g.forward(tf.zeros([r.n, r.d])), [0, 1], [-1, 1]);
      return [tf.sum(ig, 1).dataSync(), tf.reshape(tf.sub(fx, f0), [-1]).dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(attrSums, gaps, 0, 1e-3);
    // Not trivially satisfied: the outputs do differ from the baseline's.
    expect(Math.max(...Array.from(gaps, Math.abs))).toBeGreaterThan(0.1);
    g.dispose();
  });

  it('mlp.onnx: metadata_props, producer and initializers read as onnxruntime and onnx read them', () => {
    const r = ref('mlp');
    const g = load('mlp.onnx');
    expect(g.metadata).toEqual(r.metadata);
    expect(g.producer).toEqual(r.producer);
    expect(g.inputName).toBe('input');
    const params = g.parameters();
    expect(Object.fromEntries(params.map((p) => [p.name, p.shape]))).toEqual(r.parameters);
    // 9 significant digits round-trip a float32 exactly.
    for (const p of params) expect(Array.from(p.values)).toEqual(r.weights![p.name]!.map(Math.fround));
    g.dispose();
  });

  it('withParameters: a copy with replaced weights computes with them; the original is unchanged', () => {
    const r = ref('mlp');
    const g = load('mlp.onnx');
    const [w2, b2] = ['net.2.weight', 'net.2.bias'].map((n) => g.parameters().find((p) => p.name === n)!);
    // Zero last-layer weights: every row's output is the last bias.
    const h = g.withParameters(new Map([[w2!.name, new Float32Array(w2!.values.length)]]));
    const x = tf.tensor2d(r.input, [r.n, r.d]);
    const outH = tf.tidy(() => h.forward(x).dataSync());
    expectClose(outH, Array.from({ length: r.n * r.k }, (_, k) => b2!.values[k % r.k]!), 0, 0);
    expectClose(tf.tidy(() => g.forward(x).dataSync()), r.output, 1e-5, 1e-6);
    h.dispose();
    expectClose(tf.tidy(() => g.forward(x).dataSync()), r.output, 1e-5, 1e-6);
    expect(() => g.withParameters(new Map([['net.2.weight', new Float32Array(3)]]))).toThrow(/has 32 values, got 3/);
    expect(() => g.withParameters(new Map([['nope', new Float32Array(3)]]))).toThrow(/'nope' is not a float initializer/);
    x.dispose();
    g.dispose();
    expect(() => g.forward(tf.zeros([1, r.d]) as tf.Tensor2D)).toThrow(/disposed/);
  });

  it('dispose frees every constant tensor', () => {
    const before = tf.memory().numTensors;
    const g = load('norm13.onnx');
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
