/**
 * A loaded checkpoint as the analysis core sees it: a function from encoded inputs to class logits
 * (or a regression value), with its shapes checked against the data.
 *
 * Every classifier is exposed through `logits`: an n x K matrix whose softmax is the model's class
 * probabilities. A softmax head gives its pre-activation; a one-unit sigmoid head z becomes [0, z];
 * linear heads are taken as logits. Models that are a plain stack of Dense layers (the common
 * tabular MLP) are run with explicit ops (`layers`), which is what the fast gradient paths and
 * per-example-gradient tricks build on; other models run through tfjs-layers.
 */
import * as path from 'node:path';
import { tf, tfl } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import type { Encoding } from '../data/encoding';
import { columnNames } from '../data/encoding';
import type { Task } from '../data/schema';
import { loadLayersModel } from './io';
import type { ModelFormatId } from './formats/detect';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu' | 'softplus' | 'softsign' | 'relu6';
export type OutputKind = 'logits' | 'probabilities' | 'value';

export interface DenseLayer {
  name: string;
  /** in x out */
  kernel: tf.Tensor2D;
  bias?: tf.Tensor1D;
  activation: Activation;
}

/** What a model is, for choosing methods: a network with gradients, a tree ensemble, a linear model. */
export type ModelKind = 'neural' | 'trees' | 'linear';

/** One weight tensor of a model, named, with the unit (layer, graph node, tree range) it belongs to. */
export interface ParameterTensor {
  name: string;
  /** The layer or node the tensor belongs to: randomisation checks re-initialise whole groups. */
  group: string;
  shape: number[];
  values: Float32Array;
}

export interface ModelHandle {
  dir: string;
  /** The model file the handle was loaded from (for messages and diagnostics). */
  file: string;
  format: ModelFormatId;
  kind: ModelKind;
  metadata: Record<string, unknown>;
  task: Task;
  inputWidth: number;
  /** Width of the model's own output layer. */
  outputWidth: number;
  /** Number of classes K (1 for regression). */
  classes: number;
  /** What the model's output layer emits. */
  outputKind: OutputKind;
  /**
   * `logits` can be differentiated with `tf.grad` (gradient methods, TracIn). False for tree
   * ensembles, whose `logits` is computed off the tape.
   */
  differentiable: boolean;
  /** Why a network has no gradients here (e.g. it runs through onnxruntime), for messages. */
  whyNoGradients?: string;
  /** Dense stack, present when the model is one (input -> dense ... -> dense). */
  layers?: DenseLayer[];
  /** The TF.js layers model, for TF.js checkpoints (training copies of the architecture). */
  layersModel?: tfl.LayersModel;
  /** n x K logits (classification) or n x 1 values (regression). Differentiable when `differentiable`. */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  /** Activations entering the final dense layer (dense stacks only). */
  hidden?(x: tf.Tensor2D): tf.Tensor2D;
  /**
   * For networks that are not a dense stack but end in dense layers: those layers and the model up
   * to them (`prefix`, held fixed), so influence can differentiate the tail exactly.
   */
  denseTail?: { layers: DenseLayer[]; prefix(x: tf.Tensor2D): tf.Tensor2D; description: string };
  /** The model's weights in layer order (differentiable models). */
  parameters?(): ParameterTensor[];
  /** A new handle with the named weights replaced (same architecture); the caller disposes it. */
  withParameters?(replace: Map<string, Float32Array>): Promise<ModelHandle>;
  /** Format-specific structure (tree ensembles, linear coefficients) for exact methods. */
  native?: unknown;
  dispose(): void;
}

export const ACTIVATIONS: Record<Activation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  softmax: (x) => tf.softmax(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  relu6: (x) => tf.relu6(x),
};

/**
 * d activation / d pre-activation from the activation's output h, for the hand-written backward
 * passes of dense stacks: relu, tanh and sigmoid as functions of h; 1 for linear and for any other
 * activation, so callers accept only the activations they cover (dense-gradients.ts, influence).
 */
export function activationDerivative(h: tf.Tensor2D, activation: string): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.step(h);
    case 'tanh':
      return tf.sub(1, tf.square(h));
    case 'sigmoid':
      return tf.mul(h, tf.sub(1, h));
    default:
      return tf.onesLike(h);
  }
}

export interface ModelExpectations {
  encoding: Encoding;
  task: Task;
  /** Overrides what the output layer emits when its activation is ambiguous. */
  output?: OutputKind;
}

/** Loads a TF.js layers checkpoint directory (`model.json` + shards). */
export async function loadModel(dir: string, expect: ModelExpectations): Promise<ModelHandle> {
  const { model, metadata } = await loadLayersModel(dir);
  try {
    return wrapModel(model, dir, metadata, expect);
  } catch (e) {
    model.dispose();
    throw e;
  }
}

export function wrapModel(model: tfl.LayersModel, dir: string, metadata: Record<string, unknown>, expect: ModelExpectations): ModelHandle {
  const file = path.join(dir, 'model.json');
  const inShape = model.inputs[0]?.shape ?? [];
  const outShape = model.outputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || inShape.length !== 2) {
    throw new GlassboxError('model', `the model takes input of shape ${fmt(inShape)}${model.inputs.length > 1 ? ` (and ${model.inputs.length - 1} more inputs)` : ''}; Glassbox needs one [batch, features] input for tabular data`, { file });
  }
  const inputWidth = inShape[1] as number;
  const { encoding, task } = expect;
  if (inputWidth !== encoding.width) {
    const names = columnNames(encoding);
    throw new GlassboxError(
      'shape',
      `the model expects input shape [batch, ${inputWidth}] but the encoded data has shape [batch, ${encoding.width}] ` +
        `(${encoding.features.length} raw features -> ${names.length} columns: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}); ` +
        `check the feature schema in glassbox.json against the one used in training`,
      { file },
    );
  }
  if (model.outputs.length !== 1 || outShape.length !== 2) {
    throw new GlassboxError('model', `the model's output has shape ${fmt(outShape)}; Glassbox understands one [batch, outputs] output`, { file });
  }
  const outputWidth = outShape[1] as number;
  const layers = denseStack(model);
  const lastActivation = layers ? layers[layers.length - 1]!.activation : lastLayerActivation(model);
  const classes = task === 'regression' ? 1 : task === 'binary' ? 2 : encoding.label?.classes?.length ?? outputWidth;

  let outputKind: OutputKind;
  if (task === 'regression') {
    if (outputWidth !== 1) throw new GlassboxError('model', `task is regression but the model has output shape [batch, ${outputWidth}]; expected [batch, 1]`, { file });
    outputKind = 'value';
  } else {
    const ok = task === 'binary' ? outputWidth === 1 || outputWidth === 2 : outputWidth === classes;
    if (!ok) {
      throw new GlassboxError('model', `task is ${task} with ${classes} classes but the model has output shape [batch, ${outputWidth}]; expected [batch, ${task === 'binary' ? '1 or 2' : classes}]`, { file });
    }
    outputKind = expect.output ?? (lastActivation === 'softmax' || lastActivation === 'sigmoid' ? 'probabilities' : 'logits');
    if (outputWidth === 1 && lastActivation === 'softmax') {
      throw new GlassboxError('model', 'the model ends in softmax over a single unit, which is constant 1', { file });
    }
  }

  const single = outputWidth === 1 && task !== 'regression';
  const toTwo = (z: tf.Tensor2D): tf.Tensor2D => tf.concat([tf.zerosLike(z), z], 1);

  let logits: (x: tf.Tensor2D) => tf.Tensor2D;
  let hidden: ((x: tf.Tensor2D) => tf.Tensor2D) | undefined;
  if (layers) {
    const body = layers.slice(0, -1);
    const head = layers[layers.length - 1]!;
    hidden = (x) => {
      let h: tf.Tensor2D = x;
      for (const l of body) h = ACTIVATIONS[l.activation](dense(h, l)) as tf.Tensor2D;
      return h;
    };
    logits = (x) => headLogits(head, dense(hidden!(x), head), task, outputWidth);
  } else {
    logits = (x) => {
      const out = model.apply(x, { training: false }) as tf.Tensor2D;
      if (task === 'regression' || outputKind === 'logits') return single ? toTwo(out) : out;
      const eps = 1e-7;
      if (single) {
        const p = tf.clipByValue(out, eps, 1 - eps);
        return toTwo(tf.sub(tf.log(p), tf.log1p(tf.neg(p))) as tf.Tensor2D);
      }
      return tf.log(tf.clipByValue(out, eps, 1)) as tf.Tensor2D;
    };
  }

  const handle: ModelHandle = {
    dir,
    file,
    format: 'tfjs',
    kind: 'neural',
    metadata,
    task,
    inputWidth,
    outputWidth,
    classes,
    outputKind,
    differentiable: true,
    layersModel: model,
    logits,
    parameters: () =>
      model.layers.flatMap((l) => l.weights.map((w, i) => {
        const t = l.getWeights()[i]!;
        return { name: w.originalName, group: l.name, shape: t.shape, values: t.dataSync() as Float32Array };
      })),
    withParameters: async (replace) => {
      const copy = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
      const values = model.layers.flatMap((l) => l.weights.map((w, i) => ({ name: w.originalName, t: l.getWeights()[i]! })));
      const next = values.map(({ name, t }) => {
        const r = replace.get(name);
        return r ? tf.tensor(r, t.shape, 'float32') : t;
      });
      copy.setWeights(next);
      tf.dispose(next.filter((t, i) => t !== values[i]!.t));
      return wrapModel(copy, dir, metadata, expect);
    },
    dispose: () => model.dispose(),
  };
  if (layers) handle.layers = layers;
  if (hidden) handle.hidden = hidden;
  return handle;
}

/**
 * The logits of a dense head from its pre-activation `z`: the one definition every dense-stack
 * path (prediction, attribution, per-example gradients) shares. Softmax and sigmoid heads give their
 * pre-activation; other activations their output; a one-unit classifier head z becomes [0, z];
 * regression gives the output value.
 */
export function headLogits(head: DenseLayer, z: tf.Tensor2D, task: Task, outputWidth: number): tf.Tensor2D {
  if (task === 'regression') return ACTIVATIONS[head.activation](z) as tf.Tensor2D;
  const pre = head.activation === 'softmax' || head.activation === 'sigmoid' ? z : (ACTIVATIONS[head.activation](z) as tf.Tensor2D);
  return outputWidth === 1 ? tf.concat([tf.zerosLike(pre), pre], 1) : pre;
}

function dense(h: tf.Tensor2D, l: DenseLayer): tf.Tensor2D {
  const z: tf.Tensor2D = tf.matMul(h, l.kernel);
  return l.bias ? tf.add<tf.Tensor2D>(z, l.bias) : z;
}

/**
 * The model as a list of dense layers, or undefined when it has anything else that computes
 * (Dropout and InputLayer are identities at inference; a separate Activation layer folds into the
 * dense layer before it).
 */
function denseStack(model: tfl.LayersModel): DenseLayer[] | undefined {
  const out: DenseLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    if (cls === 'InputLayer' || cls === 'Dropout') continue;
    if (cls === 'Activation') {
      const prev = out[out.length - 1];
      const act = config.activation as Activation;
      if (!prev || prev.activation !== 'linear' || !(act in ACTIVATIONS)) return undefined;
      prev.activation = act;
      continue;
    }
    if (cls !== 'Dense') return undefined;
    const act = (config.activation ?? 'linear') as Activation;
    if (!(act in ACTIVATIONS)) return undefined;
    const weights = layer.getWeights();
    const dl: DenseLayer = { name: layer.name, kernel: weights[0] as tf.Tensor2D, activation: act };
    if (weights[1]) dl.bias = weights[1] as tf.Tensor1D;
    out.push(dl);
  }
  return out.length > 0 ? out : undefined;
}

function lastLayerActivation(model: tfl.LayersModel): Activation | undefined {
  const last = model.layers[model.layers.length - 1];
  const act = (last?.getConfig() as { activation?: string } | undefined)?.activation;
  return act as Activation | undefined;
}

function fmt(shape: ReadonlyArray<number | null>): string {
  return `[${shape.map((d) => (d === null ? 'batch' : d)).join(', ')}]`;
}

/** Rows per forward batch: large enough to keep the backend busy, small enough to bound memory. */
export const PREDICT_BATCH = 4096;

export interface Predictions {
  n: number;
  classes: number;
  /** n x K logits (classification) or n x 1 values (regression). */
  logits: Float32Array;
  /** n x K softmax probabilities (classification only). */
  probabilities?: Float32Array;
  /** argmax class per row (classification only). */
  predicted?: Int32Array;
}

/** Batched forward pass over an encoded matrix; no tensors outlive the call. */
export function predict(model: ModelHandle, X: Float32Array, n: number, signal?: AbortSignal): Predictions {
  const d = model.inputWidth;
  const K = model.classes;
  const logits = new Float32Array(n * K);
  const probabilities = model.task === 'regression' ? undefined : new Float32Array(n * K);
  for (let start = 0; start < n; start += PREDICT_BATCH) {
    throwIfAborted(signal);
    const end = Math.min(n, start + PREDICT_BATCH);
    const [z, p] = tf.tidy(() => {
      const x = tf.tensor2d(X.subarray(start * d, end * d), [end - start, d]);
      const z = model.logits(x);
      return [z, probabilities ? tf.softmax(z) : undefined] as const;
    });
    logits.set(z.dataSync() as Float32Array, start * K);
    z.dispose();
    if (p) {
      probabilities!.set(p.dataSync() as Float32Array, start * K);
      p.dispose();
    }
  }
  const out: Predictions = { n, classes: K, logits };
  if (probabilities) {
    out.probabilities = probabilities;
    const predicted = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (probabilities[i * K + k]! > probabilities[i * K + best]!) best = k;
      predicted[i] = best;
    }
    out.predicted = predicted;
  }
  return out;
}
