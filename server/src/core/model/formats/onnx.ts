/**
 * ONNX networks as model handles: the graph rebuilt as TF.js ops (`model/onnx/`), so gradients,
 * Integrated Gradients and TracIn are exact.
 *
 * - Logits: a head ending in Softmax (last axis), LogSoftmax or a one-unit Sigmoid is cut before
 *   that operator, so `logits` are the pre-activations (as for TF.js models); otherwise the output
 *   is taken as logits, or as probabilities when glassbox.json says `model.output: "probabilities"`.
 * - Dense stack: a graph that is only Gemm / MatMul(+Add) layers with element-wise activations
 *   (the common `nn.Sequential` MLP) also exposes `layers`, which exact factorised TracIn uses.
 * - Weights: float initializers, grouped by the node that uses them; BatchNorm running statistics
 *   are not weights (re-initialising them is not a randomisation test).
 */
import * as fs from 'node:fs';
import { tf } from '../../engine/tf';
import { GlassboxError } from '../../errors';
import { columnNames } from '../../data/encoding';
import { OnnxGraph, prepareOnnxGraph } from '../onnx';
import type { GraphSpec } from '../onnx/graph';
import { registerZeroGradients } from '../onnx/ops/zero-gradients';
import { onnxInputWidth, onnxRuntimeAvailable, openOnnxRuntime } from '../onnx/runtime';
import { ACTIVATIONS, headLogits, type Activation, type DenseLayer, type ModelExpectations, type ModelHandle, type OutputKind, type ParameterTensor } from '../model';

/**
 * The longest run of dense layers that ends the graph (after normalisation, embeddings, ...) and
 * the graph up to it, or undefined when the graph does not end in a dense layer.
 */
function denseTailOf(spec: GraphSpec, graph: OnnxGraph): { layers: DenseLayer[]; prefix: OnnxGraph; description: string } | undefined {
  for (let i = 1; i < spec.nodes.length; i++) {
    const op = spec.nodes[i]!.node.opType;
    if (op !== 'Gemm' && op !== 'MatMul') continue;
    const layers = denseStack(spec, graph, i);
    if (!layers) continue;
    const startValue = spec.nodes[i]!.node.input?.[0] ?? '';
    const prefix = new OnnxGraph({ ...spec, nodes: spec.nodes.slice(0, i), info: { ...spec.info, outputName: startValue }, outputWidth: undefined });
    if (prefix.outputWidth !== layers[0]!.kernel.shape[0]) {
      prefix.dispose();
      layers.forEach((l) => tf.dispose([l.kernel, ...(l.bias ? [l.bias] : [])]));
      continue;
    }
    const before = [...new Set(spec.nodes.slice(0, i).map((n) => n.node.opType))].join(', ');
    return { layers, prefix, description: `the last ${layers.length} dense layer${layers.length > 1 ? 's' : ''} (${layers.map((l) => l.name).join(', ')}); the layers before them (${before}) are held fixed` };
  }
  return undefined;
}

/** Operators that pass a [batch, k] tensor through unchanged in value. */
const PASS_THROUGH = new Set(['Identity', 'Dropout', 'Flatten', 'Reshape', 'Squeeze', 'Cast']);

export function loadOnnxModel(file: string, dir: string, metadata: Record<string, unknown>, expect: ModelExpectations): ModelHandle {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new GlassboxError('model', `cannot read the ONNX model: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  registerZeroGradients();
  let spec: GraphSpec;
  try {
    spec = prepareOnnxGraph(bytes, file);
  } catch (e) {
    // Operators Glassbox cannot rebuild as TF.js ops: the model still runs, without gradients,
    // through onnxruntime when it is installed; otherwise the operator error stands.
    if (!(e instanceof GlassboxError) || !/cannot run as TF\.js ops/.test(e.message) || !onnxRuntimeAvailable().ok) throw e;
    return loadThroughRuntime(file, dir, bytes, metadata, expect, e.message);
  }
  const { encoding, task } = expect;
  if (spec.info.inputWidth !== encoding.width) {
    const names = columnNames(encoding);
    throw new GlassboxError(
      'shape',
      `the model expects input shape [batch, ${spec.info.inputWidth}] but the encoded data has shape [batch, ${encoding.width}] ` +
        `(${encoding.features.length} raw features -> ${names.length} columns: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}); ` +
        `check the feature schema (or the encoding file) in glassbox.json against the one used in training`,
      { file },
    );
  }
  const head = headOf(spec);
  const graph = new OnnxGraph(spec);
  let logitsGraph: OnnxGraph | undefined;
  try {
    const outputWidth = graph.outputWidth;
    const classes = task === 'regression' ? 1 : task === 'binary' ? 2 : (encoding.label?.classes?.length ?? outputWidth);
    if (task === 'regression' && outputWidth !== 1) throw new GlassboxError('model', `task is regression but the model has output shape [batch, ${outputWidth}]; expected [batch, 1]`, { file });
    if (task !== 'regression') {
      const ok = task === 'binary' ? outputWidth === 1 || outputWidth === 2 : outputWidth === classes;
      if (!ok) throw new GlassboxError('model', `task is ${task} with ${classes} classes but the model has output shape [batch, ${outputWidth}]; expected [batch, ${task === 'binary' ? '1 or 2' : classes}]`, { file });
    }
    const cut = task !== 'regression' && head && (head.op === 'Softmax' || head.op === 'LogSoftmax' || (head.op === 'Sigmoid' && outputWidth === 1)) && !expect.output;
    if (cut) logitsGraph = new OnnxGraph({ ...spec, info: { ...spec.info, outputName: head.input }, outputWidth });
    const outputKind: OutputKind = task === 'regression' ? 'value' : cut ? (head!.op === 'LogSoftmax' ? 'logits' : 'probabilities') : (expect.output ?? 'logits');
    const single = outputWidth === 1 && task !== 'regression';
    const makeLogits = (g: OnnxGraph, lg: OnnxGraph | undefined) => (x: tf.Tensor2D): tf.Tensor2D => {
      const out = (lg ?? g).forward(x);
      if (task === 'regression') return out;
      if (lg || outputKind === 'logits') return single ? tf.concat([tf.zerosLike(out), out], 1) : out;
      const eps = 1e-7;
      if (single) {
        const p = tf.clipByValue(out, eps, 1 - eps);
        return tf.concat([tf.zerosLike(p), tf.sub(tf.log(p), tf.log1p(tf.neg(p))) as tf.Tensor2D], 1);
      }
      return tf.log(tf.clipByValue(out, eps, 1));
    };
    const build = (g: OnnxGraph, lg: OnnxGraph | undefined, gspec: GraphSpec): ModelHandle => {
      const groups = parameterGroups(gspec);
      const layers = denseStack(gspec, g);
      const tail = layers ? undefined : denseTailOf(gspec, g);
      const handle: ModelHandle = {
        dir,
        file,
        format: 'onnx',
        kind: 'neural',
        metadata: { ...g.metadata, ...metadata },
        task,
        inputWidth: g.inputWidth,
        outputWidth,
        classes,
        outputKind,
        differentiable: true,
        // A dense stack runs as explicit ops, as a TF.js layers model does (same values, tested).
        logits: layers && !expect.output ? denseLogits(layers, task, outputWidth) : makeLogits(g, lg),
        parameters: () =>
          g
            .parameters()
            .filter((p) => p.role === 'weight')
            .map((p): ParameterTensor => ({ name: p.name, group: groups.get(p.name) ?? p.name, shape: p.shape, values: p.values })),
        withParameters: async (replace) => {
          const next = g.withParameters(replace);
          const nextLogits = lg?.withParameters(replace);
          const nextSpec = { ...gspec, constants: new Map(gspec.constants) };
          for (const [name, values] of replace) {
            const c = nextSpec.constants.get(name);
            if (c) nextSpec.constants.set(name, { ...c, data: Float32Array.from(values) });
          }
          return build(next, nextLogits, nextSpec);
        },
        native: { operators: g.operators, opset: g.opsetVersion, producer: g.producer },
        dispose: () => {
          g.dispose();
          lg?.dispose();
          for (const l of layers ?? tail?.layers ?? []) tf.dispose([l.kernel, ...(l.bias ? [l.bias] : [])]);
          tail?.prefix.dispose();
        },
      };
      if (layers) handle.layers = layers;
      if (tail) handle.denseTail = { layers: tail.layers, prefix: (x) => tail.prefix.forward(x), description: tail.description };
      return handle;
    };
    return build(graph, logitsGraph, spec);
  } catch (e) {
    graph.dispose();
    logitsGraph?.dispose();
    throw e;
  }
}

/** The operator that produces the graph's output, looking through pass-through operators. */
function headOf(spec: GraphSpec): { op: string; input: string } | undefined {
  const producer = new Map<string, GraphSpec['nodes'][number]>();
  for (const n of spec.nodes) for (const o of n.node.output ?? []) producer.set(o, n);
  let name = spec.info.outputName;
  for (let guard = 0; guard < 16; guard++) {
    const p = producer.get(name);
    if (!p) return undefined;
    const op = p.node.opType ?? '';
    if (!PASS_THROUGH.has(op)) {
      if ((op === 'Softmax' || op === 'LogSoftmax') && !lastAxis(p.attrs.int('axis', spec.info.opsetVersion >= 13 ? -1 : 1))) return undefined;
      return { op, input: p.node.input?.[0] ?? '' };
    }
    name = p.node.input?.[0] ?? '';
  }
  return undefined;
}

function lastAxis(axis: number | undefined): boolean {
  return axis === -1 || axis === 1;
}

/** Each float initializer's group: the name of the first node that reads it. */
function parameterGroups(spec: GraphSpec): Map<string, string> {
  const groups = new Map<string, string>();
  const params = new Set(spec.parameterNames);
  spec.nodes.forEach((n, i) => {
    for (const input of n.node.input ?? []) if (params.has(input) && !groups.has(input)) groups.set(input, n.node.name || `${n.node.opType}_${i}`);
  });
  return groups;
}

const ACTIVATION_OPS: Record<string, Activation> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softmax: 'softmax', Elu: 'elu', Softplus: 'softplus', Softsign: 'softsign', Selu: 'selu' };

/**
 * The graph as dense layers when it is one: a chain from the input through Gemm (or MatMul + Add)
 * with constant weights, element-wise activations between them, pass-through operators anywhere.
 * Anything else (normalisation, embeddings, branches) gives undefined.
 */
function denseStack(spec: GraphSpec, graph: OnnxGraph, from = 0): DenseLayer[] | undefined {
  const consts = spec.constants;
  const params = new Map(graph.parameters().map((p) => [p.name, p]));
  const layers: Array<{ name: string; kernel: Float32Array; shape: [number, number]; bias?: Float32Array; activation: Activation }> = [];
  let current = from === 0 ? spec.info.inputName : (spec.nodes[from]?.node.input?.[0] ?? '');
  const readMatrix = (name: string, transpose: boolean): { data: Float32Array; shape: [number, number] } | undefined => {
    const c = params.get(name) ?? (consts.get(name)?.dtype === 'float32' ? { values: consts.get(name)!.data as Float32Array, shape: consts.get(name)!.shape } : undefined);
    if (!c || c.shape.length !== 2) return undefined;
    const [r, k] = c.shape as [number, number];
    if (!transpose) return { data: Float32Array.from(c.values), shape: [r, k] };
    const out = new Float32Array(r * k);
    for (let i = 0; i < r; i++) for (let j = 0; j < k; j++) out[j * r + i] = c.values[i * k + j]!;
    return { data: out, shape: [k, r] };
  };
  const readVector = (name: string, width: number): Float32Array | undefined => {
    const c = params.get(name) ?? (consts.get(name)?.dtype === 'float32' ? { values: consts.get(name)!.data as Float32Array, shape: consts.get(name)!.shape } : undefined);
    if (!c || c.values.length !== width) return undefined;
    return Float32Array.from(c.values);
  };
  for (let i = from; i < spec.nodes.length; i++) {
    const { node, attrs } = spec.nodes[i]!;
    const op = node.opType ?? '';
    const inputs = node.input ?? [];
    if (inputs[0] !== current) return undefined; // not a chain
    const out = node.output?.[0] ?? '';
    if (PASS_THROUGH.has(op)) {
      if (op === 'Reshape' || op === 'Cast') return undefined; // would need shape reasoning
      current = out;
      continue;
    }
    if (op === 'Gemm') {
      if ((attrs.float('alpha', 1)) !== 1 || (attrs.float('beta', 1)) !== 1 || attrs.int('transA', 0) === 1) return undefined;
      const w = readMatrix(inputs[1]!, attrs.int('transB', 0) === 1);
      if (!w) return undefined;
      const bias = inputs[2] ? readVector(inputs[2], w.shape[1]) : undefined;
      if (inputs[2] && !bias) return undefined;
      layers.push({ name: node.name || `Gemm_${i}`, kernel: w.data, shape: w.shape, ...(bias ? { bias } : {}), activation: 'linear' });
      current = out;
      continue;
    }
    if (op === 'MatMul') {
      const w = readMatrix(inputs[1]!, false);
      if (!w) return undefined;
      layers.push({ name: node.name || `MatMul_${i}`, kernel: w.data, shape: w.shape, activation: 'linear' });
      current = out;
      continue;
    }
    if (op === 'Add') {
      const last = layers[layers.length - 1];
      if (!last || last.bias || last.activation !== 'linear') return undefined;
      const bias = readVector(inputs[1]!, last.shape[1]);
      if (!bias) return undefined;
      last.bias = bias;
      current = out;
      continue;
    }
    const act = ACTIVATION_OPS[op];
    if (act) {
      const last = layers[layers.length - 1];
      if (!last || last.activation !== 'linear') return undefined;
      if (op === 'Elu' && (attrs.float('alpha', 1)) !== 1) return undefined;
      if (op === 'Softmax' && !lastAxis(attrs.int('axis', spec.info.opsetVersion >= 13 ? -1 : 1))) return undefined;
      last.activation = act;
      current = out;
      continue;
    }
    return undefined;
  }
  if (current !== spec.info.outputName || layers.length === 0) return undefined;
  return layers.map((l) => {
    const dl: DenseLayer = { name: l.name, kernel: tf.tensor2d(l.kernel, l.shape), activation: l.activation };
    if (l.bias) dl.bias = tf.tensor1d(l.bias);
    return dl;
  });
}

/**
 * A handle over onnxruntime for graphs with operators the TF.js rebuild lacks: forward passes only.
 * The output is taken as logits unless glassbox.json says `model.output: "probabilities"` or every
 * row of a probe batch is a probability vector (non-negative, summing to 1).
 */
function loadThroughRuntime(file: string, dir: string, bytes: Uint8Array, metadata: Record<string, unknown>, expect: ModelExpectations, why: string): ModelHandle {
  const { encoding, task } = expect;
  const inputWidth = onnxInputWidth(bytes, file);
  if (inputWidth !== encoding.width) {
    const names = columnNames(encoding);
    throw new GlassboxError('shape', `the model expects input shape [batch, ${inputWidth}] but the encoded data has shape [batch, ${encoding.width}] (${names.length} columns: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''})`, { file });
  }
  const session = openOnnxRuntime(file, inputWidth);
  try {
    const outputWidth = session.outputWidth;
    const classes = task === 'regression' ? 1 : task === 'binary' ? 2 : (encoding.label?.classes?.length ?? outputWidth);
    if (task === 'regression' && outputWidth !== 1) throw new GlassboxError('model', `task is regression but the model has output shape [batch, ${outputWidth}]; expected [batch, 1]`, { file });
    if (task !== 'regression' && !(task === 'binary' ? outputWidth === 1 || outputWidth === 2 : outputWidth === classes)) {
      throw new GlassboxError('model', `task is ${task} with ${classes} classes but the model has output shape [batch, ${outputWidth}]`, { file });
    }
    let outputKind: OutputKind = task === 'regression' ? 'value' : (expect.output ?? 'logits');
    if (task !== 'regression' && !expect.output) {
      let seed = 7;
      const probe = Float32Array.from({ length: 16 * inputWidth }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2);
      const out = session.run(probe, 16);
      const rowsAreProbabilities = Array.from({ length: 16 }, (_, r) => out.subarray(r * outputWidth, (r + 1) * outputWidth)).every(
        (row) => row.every((v) => v >= 0 && v <= 1) && (outputWidth === 1 || Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4),
      );
      if (rowsAreProbabilities) outputKind = 'probabilities';
    }
    const single = outputWidth === 1 && task !== 'regression';
    const eps = 1e-7;
    const logits = (x: tf.Tensor2D): tf.Tensor2D => {
      const n = x.shape[0];
      const out = session.run(x.dataSync() as Float32Array, n);
      const K = task === 'regression' ? 1 : classes;
      const z = new Float32Array(n * K);
      for (let i = 0; i < n; i++) {
        if (task === 'regression') z[i] = out[i]!;
        else if (single) {
          const v = out[i]!;
          z[2 * i + 1] = outputKind === 'probabilities' ? Math.log(Math.max(eps, v) / Math.max(eps, 1 - v)) : v;
        } else for (let k = 0; k < K; k++) z[i * K + k] = outputKind === 'probabilities' ? Math.log(Math.max(eps, out[i * K + k]!)) : out[i * K + k]!;
      }
      return tf.tensor2d(z, [n, K]);
    };
    const reason = `${why.replace(/ \(supported: .*\)$/, '')}; it runs through onnxruntime, forward passes only`;
    return {
      dir,
      file,
      format: 'onnx',
      kind: 'neural',
      metadata: { ...metadata, runtime: 'onnxruntime' },
      task,
      inputWidth,
      outputWidth,
      classes,
      outputKind,
      differentiable: false,
      whyNoGradients: reason,
      logits,
      native: { runtime: 'onnxruntime', reason },
      dispose: () => session.dispose(),
    };
  } catch (e) {
    session.dispose();
    throw e;
  }
}

/** Logits of a dense stack with explicit ops: the path TF.js layers models take (model.ts). */
function denseLogits(layers: DenseLayer[], task: ModelExpectations['task'], outputWidth: number): (x: tf.Tensor2D) => tf.Tensor2D {
  return (x) => {
    let h: tf.Tensor2D = x;
    for (const l of layers.slice(0, -1)) {
      const z: tf.Tensor2D = tf.matMul(h, l.kernel);
      h = ACTIVATIONS[l.activation](l.bias ? tf.add(z, l.bias) : z) as tf.Tensor2D;
    }
    const head = layers[layers.length - 1]!;
    const z: tf.Tensor2D = tf.matMul(h, head.kernel);
    return headLogits(head, head.bias ? tf.add(z, head.bias) : z, task, outputWidth);
  };
}
