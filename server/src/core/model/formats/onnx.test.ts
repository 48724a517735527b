/**
 * ONNX checkpoints as model handles, on networks exported by torch (scripts/fixtures/onnx_fixtures.py):
 * the handle's logits and probabilities agree with torch, a Sequential MLP is recognised as a dense
 * stack that reproduces the graph exactly, softmax heads give pre-activation logits, and weight
 * replacement (for randomisation checks) changes the model.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../engine/tf';
import { initEngine } from '../../engine/backend';
import { REPO, expectClose, tmpDir } from '../../../../test/helpers';
import { inspectCheckpoint } from '../checkpoints';
import { headLogits, predict, ACTIVATIONS, type ModelHandle } from '../model';
import { loadCheckpointModel } from './load';
import type { Encoding } from '../../data/encoding';
import type { Task } from '../../data/schema';
import { denseStackOf, gradientFactors } from '../../influence/gradients';
import { onnxRuntimeAvailable } from '../onnx/runtime';
import { getMethod } from '../../methods/registry';
import { resolveParams } from '../../methods/params';

const FIXTURES = path.join(REPO, 'server/test/fixtures/onnx');

interface Fixture {
  n: number;
  d: number;
  k: number;
  input: number[];
  output: number[];
}
const fixture = (name: string): Fixture => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));

function numericEncoding(d: number, classes?: string[]): Encoding {
  return {
    features: Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
    ...(classes ? { label: { name: 'y', classes } } : {}),
    ignored: [],
    missing: [],
    width: d,
  };
}

async function load(name: string, task: Task, classes?: string[]): Promise<{ model: ModelHandle; f: Fixture }> {
  const f = fixture(name);
  const dir = path.join(tmpDir('onnx-ckpt'), 'epoch-1');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, `${name}.onnx`), path.join(dir, 'model.onnx'));
  const info = inspectCheckpoint(dir);
  expect(info.state).toBe('ready');
  return { model: await loadCheckpointModel(info, { encoding: numericEncoding(f.d, classes), task }), f };
}

describe('ONNX checkpoints', () => {
  beforeAll(() => initEngine());

  it('reads a torch MLP as a dense stack whose logits are the graph\'s, with metadata from metadata_props', async () => {
    const { model, f } = await load('mlp', 'binary');
    expect(model).toMatchObject({ format: 'onnx', kind: 'neural', differentiable: true, outputKind: 'logits', classes: 2 });
    expect(model.layers?.map((l) => [l.kernel.shape, l.activation])).toEqual([
      [[14, expect.any(Number)], 'relu'],
      [[expect.any(Number), 2], 'linear'],
    ]);
    expect(model.metadata).toMatchObject({ epoch: 4, learning_rate: 0.01 });
    const p = predict(model, Float32Array.from(f.input), f.n);
    expectClose(p.logits, f.output, 1e-5, 1e-6);
    // The dense layers alone reproduce the graph (what exact TracIn differentiates).
    const viaLayers = tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(f.input, [f.n, f.d]);
      const layers = model.layers!;
      for (const l of layers.slice(0, -1)) h = ACTIVATIONS[l.activation](tf.add(tf.matMul(h, l.kernel), l.bias!)) as tf.Tensor2D;
      const last = layers[layers.length - 1]!;
      return headLogits(last, tf.add(tf.matMul(h, last.kernel), last.bias!), 'binary', 2).dataSync();
    });
    expectClose(viaLayers, f.output, 1e-5, 1e-6);
    model.dispose();
  });

  it('takes the pre-softmax values of a softmax head as logits', async () => {
    const { model, f } = await load('softmax3', 'multiclass', ['a', 'b', 'c']);
    expect(model).toMatchObject({ outputKind: 'probabilities', classes: 3 });
    // ELU with alpha 0.7 is not one of the dense stack's activations: the graph path serves it.
    expect(model.layers).toBeUndefined();
    const p = predict(model, Float32Array.from(f.input), f.n);
    expectClose(p.probabilities!, f.output, 1e-5, 1e-6);
    model.dispose();
  });

  it('runs a BatchNorm/LayerNorm/GELU network with gradients but no dense stack, and replaces its weights', async () => {
    const { model, f } = await load('norm13', 'binary');
    expect(model.layers).toBeUndefined();
    const X = Float32Array.from(f.input);
    expectClose(predict(model, X, f.n).logits, f.output, 1e-5, 1e-6);
    const params = model.parameters!();
    // Running statistics of BatchNorm are not weights.
    expect(params.every((p) => !/running|mean|var/i.test(p.name) || p.shape.length > 1)).toBe(true);
    const first = params.find((p) => p.shape.length === 2)!;
    const zeroed = await model.withParameters!(new Map([[first.name, new Float32Array(first.values.length)]]));
    const before = predict(model, X, f.n).logits;
    const after = predict(zeroed, X, f.n).logits;
    expect(after.some((v, i) => Math.abs(v - before[i]!) > 1e-3)).toBe(true);
    zeroed.dispose();
    // The original is untouched.
    expectClose(predict(model, X, f.n).logits, f.output, 1e-5, 1e-6);
    model.dispose();
  });

  it('says where the widths disagree when the encoded data does not match the model', async () => {
    const dir = path.join(tmpDir('onnx-width'), 'epoch-1');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'mlp.onnx'), path.join(dir, 'model.onnx'));
    const err = await loadCheckpointModel(inspectCheckpoint(dir), { encoding: numericEncoding(9), task: 'binary' }).catch((e) => e);
    expect(err.message).toMatch(/model expects input shape \[batch, 14\] but the encoded data has shape \[batch, 9\]/);
    expect(err.location.file).toBe(path.join(dir, 'model.onnx'));
  });

  it('gives TracIn the exact per-example gradients of the dense tail after BatchNorm and LayerNorm, as torch computes them', async () => {
    const { model, f } = await load('norm17', 'binary');
    const torch = (fixture('norm17') as unknown as { perExampleParameterGradients: Array<Record<string, number[]>>; labels: number[] }).perExampleParameterGradients;
    const stack = denseStackOf(model);
    expect(stack.prefix).toBeDefined();
    expect(stack.scope).toMatch(/^the last 1 dense layer .*held fixed/);
    const m = torch.length;
    const labels = (fixture('norm17') as unknown as { labels: number[] }).labels;
    const g = gradientFactors(stack, Float32Array.from(f.input), labels, 0, m);
    // The tail's parameters in torch: the ones whose gradients TracIn covers.
    const tailNames = Object.keys(torch[0]!).filter((k) => k.startsWith('fc3.'));
    expect(tailNames.sort()).toEqual(['fc3.bias', 'fc3.weight']);
    const s = stack.layers[0]!.kernel.shape;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let expected = 0;
        for (const name of tailNames) torch[i]![name]!.forEach((v, t) => (expected += v * torch[j]![name]![t]!));
        let aa = 1;
        for (let t = 0; t < s[0]; t++) aa += g.acts[0]![i * s[0] + t]! * g.acts[0]![j * s[0] + t]!;
        let dd = 0;
        for (let t = 0; t < s[1]; t++) dd += g.deltas[0]![i * s[1] + t]! * g.deltas[0]![j * s[1] + t]!;
        expect(aa * dd).toBeCloseTo(expected, 5);
      }
    }
    model.dispose();
  });

  // onnxruntime-node is optional; this repository's .npmrc lets it install without CUDA downloads.
  it.skipIf(!onnxRuntimeAvailable().ok)('runs a graph with operators TF.js lacks through onnxruntime, without gradients', async () => {
    // bad_topk.onnx: y = cumsum(top-2 of x), i.e. [max, max + second largest]; TopK and CumSum have no TF.js rebuild.
    const dir = path.join(tmpDir('onnx-ort'), 'epoch-1');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, 'bad_topk.onnx'), path.join(dir, 'model.onnx'));
    const d = 14;
    const encoding = numericEncoding(d);
    const model = await loadCheckpointModel(inspectCheckpoint(dir), { encoding, task: 'binary' });
    expect(model).toMatchObject({ differentiable: false, outputKind: 'logits', outputWidth: 2 });
    let s = 3;
    const X = Float32Array.from({ length: 5 * d }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 6 - 3);
    const expected: number[] = [];
    for (let i = 0; i < 5; i++) {
      const row = Array.from(X.subarray(i * d, (i + 1) * d)).sort((a, b) => b - a);
      expected.push(row[0]!, row[0]! + row[1]!);
    }
    expectClose(predict(model, X, 5).logits, expected, 1e-6, 1e-6);
    const saliency = getMethod('saliency');
    const err = await Promise.resolve()
      .then(() => saliency.attribute({ model, encoding, X, n: 5, target: { kind: 'predicted' } }, resolveParams('saliency', saliency.params, {})))
      .catch((e) => e);
    expect(err.message).toMatch(/saliency uses gradients .* \(.*'TopK'.*runs through onnxruntime/);
    const ablation = getMethod('feature-ablation');
    const r = await ablation.attribute({ model, encoding, X, n: 5, target: { kind: 'class', index: 0 }, background: new Float32Array(d), backgroundN: 1 }, resolveParams(ablation.id, ablation.params, {}));
    // Ablating any feature but the row's maximum leaves class 0's logit (the maximum) unchanged.
    for (let i = 0; i < 5; i++) {
      const row = Array.from(X.subarray(i * d, (i + 1) * d));
      const top = row.indexOf(Math.max(...row));
      for (let j = 0; j < d; j++) if (j !== top) expect(r.grouped[i * d + j]).toBeCloseTo(0, 5);
    }
    model.dispose();
  });
});
