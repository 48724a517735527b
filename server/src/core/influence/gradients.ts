/**
 * Per-example loss gradients of a dense stack in one backward pass, kept in factored form.
 *
 * For a dense layer z = a·W + b the gradient of row i's loss is dL_i/dW = a_i ⊗ δ_i and
 * dL_i/db = δ_i, where a_i is the layer's input activation and δ_i = dL_i/dz_i. Adding a zero
 * tensor to every pre-activation and differentiating the summed loss with respect to those zeros
 * gives every row's δ at once (rows are independent, so the sum's gradient is each row's own).
 * Storing (a, δ) per layer instead of the full gradient is what makes exact TracIn cheap
 * (see tracin.ts): an Adult MLP's 11,266 parameters become 366 numbers per row.
 *
 * Loss: cross-entropy of the true label over the model's logits (the same logits `ModelHandle`
 * exposes: softmax/sigmoid heads give their pre-activation, one-unit heads become [0, z]), summed
 * over rows; regression uses ½(prediction − y)².
 *
 * The δ are written out in closed form where the stack allows it (hidden activations linear, relu,
 * tanh, sigmoid; a logits head): δ_L = softmax(logits) − onehot(y) (σ(z) − [y = 1] for a one-unit
 * head, prediction − y for regression), δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f'(a_{l+1}) — one forward pass
 * of fused matMul + bias + activation kernels and one backward product per layer, no tape and no
 * second forward pass (the taped form below is kept for other activations and as the tests'
 * reference). Each row's squared factor norms |a_l|², |δ_l|² come out of the same pass, so
 * self-influence never rereads the factors.
 */
import { tf } from '../engine/tf';
import { GlassboxError } from '../errors';
import type { Task } from '../data/schema';
import { ACTIVATIONS, activationDerivative, headLogits, type DenseLayer, type ModelHandle } from '../model/model';

/** The parts of a model the gradient factors need. */
export interface DenseStack {
  layers: DenseLayer[];
  task: Task;
  /** Width of the last layer (1 for one-unit sigmoid heads, which become two logits). */
  outputWidth: number;
  /**
   * For a dense tail after other layers (normalisation, embeddings): the model up to the tail,
   * held fixed. Influence then covers the tail's parameters only (`scope` says so).
   */
  prefix?: (x: tf.Tensor2D) => tf.Tensor2D;
  /** Width of the model's encoded input (the prefix's input); default: the first layer's input. */
  inputWidth?: number;
  /** Which parameters the gradients cover, for the output. */
  scope?: string;
}

/** Shape of one layer's factors: input width, output width, whether it has a bias. */
export interface LayerShape {
  name: string;
  in: number;
  out: number;
  bias: boolean;
}

/** Factors of a batch of m rows: per layer the input activations (m×in) and deltas (m×out). */
export interface GradientFactors {
  m: number;
  acts: Float32Array[];
  deltas: Float32Array[];
  /** Per-row loss. */
  loss: Float32Array;
  /** Per-row probability the model gives the row's own label (NaN for regression). */
  pLabel: Float32Array;
  /** m × 2L: per row and layer l, |a_l|² at 2l and |δ_l|² at 2l + 1 (no bias term). */
  norms: Float32Array;
}

/**
 * The dense layers influence differentiates: the whole model when it is a dense stack (exact over
 * every parameter), else its dense tail after other layers (exact over the tail's parameters, the
 * layers before it held fixed, as last-layer TracIn does), or an error naming why.
 */
export function denseStackOf(model: ModelHandle): DenseStack {
  if (model.layers) return { layers: model.layers, task: model.task, outputWidth: model.outputWidth, inputWidth: model.inputWidth, scope: `all ${model.layers.length} dense layers` };
  if (model.denseTail) {
    const { layers, prefix, description } = model.denseTail;
    return { layers, task: model.task, outputWidth: model.outputWidth, prefix, inputWidth: model.inputWidth, scope: description };
  }
  throw new GlassboxError(
    'model',
    model.differentiable
      ? 'influence needs dense layers at the end of the network (a Linear/Gemm head); this model ends in other operators'
      : `influence (TracIn) follows gradients, and this ${model.kind === 'trees' ? 'tree ensemble' : 'model'} has none; 'glassbox suspects' ranks its training rows by the area under the margin over checkpoints instead`,
    { file: model.file },
  );
}

export function layerShapes(stack: DenseStack): LayerShape[] {
  return stack.layers.map((l) => ({ name: l.name, in: l.kernel.shape[0], out: l.kernel.shape[1], bias: Boolean(l.bias) }));
}

/** Forward pass returning each layer's input activation and the final logits/prediction. */
function forward(stack: DenseStack, x: tf.Tensor2D, zeros?: tf.Tensor2D[]): { inputs: tf.Tensor2D[]; out: tf.Tensor2D } {
  const { layers, task } = stack;
  const inputs: tf.Tensor2D[] = [];
  let h = x;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l]!;
    inputs.push(h);
    let z: tf.Tensor2D = tf.matMul(h, layer.kernel);
    if (layer.bias) z = tf.add(z, layer.bias);
    if (zeros) z = tf.add(z, zeros[l]!);
    h = l < layers.length - 1 ? (ACTIVATIONS[layer.activation](z) as tf.Tensor2D) : headLogits(layer, z, task, stack.outputWidth);
  }
  return { inputs, out: h };
}

/** Per-row loss as a tensor (n), and the label probability. */
function rowLoss(stack: DenseStack, out: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Tensor1D; p: tf.Tensor1D } {
  if (stack.task === 'regression') {
    const d = tf.sub(tf.reshape(out, [-1]), y);
    return { loss: tf.mul(tf.square(d), 0.5) as tf.Tensor1D, p: tf.fill([y.shape[0]], NaN) as tf.Tensor1D };
  }
  const mask = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, out.shape[1]);
  const logp = tf.sum(tf.mul(tf.logSoftmax(out), mask), 1) as tf.Tensor1D;
  return { loss: tf.neg(logp), p: tf.exp(logp) };
}

/**
 * Gradient factors of rows [start, end) of X (row-major, width = first layer's input) with labels y.
 * One forward and one backward pass for the whole batch; the caller chunks large data sets.
 * `taped` forces the autodiff form (tests compare the two).
 */
export function gradientFactors(stack: DenseStack, X: Float32Array, y: ArrayLike<number>, start: number, end: number, taped = false): GradientFactors {
  const tensors = factorTensors(stack, X, y, start, end, taped);
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const result: GradientFactors = {
    m: end - start,
    acts: tensors.acts.map(read),
    deltas: tensors.deltas.map(read),
    loss: read(tensors.loss),
    pLabel: read(tensors.p),
    norms: read(tensors.norms),
  };
  tf.dispose([...tensors.acts, ...tensors.deltas, tensors.loss, tensors.p, tensors.norms]);
  return result;
}

/** A batch's factors already packed (tracin.ts `factorLayout`): m × rowWidth, with loss, label probability and norms. */
export interface PackedFactors {
  m: number;
  rows: Float32Array;
  loss: Float32Array;
  pLabel: Float32Array;
  norms: Float32Array;
}

/**
 * The same factors as `gradientFactors`, packed on the backend into rows of the store's layout
 * (`actOffset`/`deltaOffset` ascending, layer 0's input left out unless `inputStored`) and read
 * back once: the precompute's path, with no per-row copying in JavaScript.
 */
export function packedGradientFactors(stack: DenseStack, X: Float32Array, y: ArrayLike<number>, start: number, end: number, inputStored: boolean): PackedFactors {
  const tensors = factorTensors(stack, X, y, start, end, false);
  const rows = tf.tidy(() => tf.concat([...tensors.acts.filter((_, l) => l > 0 || inputStored), ...tensors.deltas], 1));
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const out: PackedFactors = { m: end - start, rows: read(rows), loss: read(tensors.loss), pLabel: read(tensors.p), norms: read(tensors.norms) };
  tf.dispose([rows, ...tensors.acts, ...tensors.deltas, tensors.loss, tensors.p, tensors.norms]);
  return out;
}

function factorTensors(stack: DenseStack, X: Float32Array, y: ArrayLike<number>, start: number, end: number, taped: boolean) {
  const shapes = layerShapes(stack);
  const d = stack.inputWidth ?? shapes[0]!.in;
  const m = end - start;
  for (let i = start; i < end; i++) {
    const v = y[i]!;
    if (stack.task !== 'regression' && !(Number.isInteger(v) && v >= 0)) {
      throw new GlassboxError('usage', `row ${i} has no usable label (${v}); influence needs the true label of every row`);
    }
  }
  const closed = !taped && closedForm(stack);
  return tf.tidy(() => {
    const input = tf.tensor2d(X.subarray(start * d, end * d), [m, d]);
    // The prefix is held fixed: only the tail's parameters are differentiated.
    const x = stack.prefix ? stack.prefix(input) : input;
    const yt = tf.tensor1d(Float32Array.from({ length: m }, (_, i) => y[start + i]!));
    let acts: tf.Tensor2D[];
    let deltas: tf.Tensor2D[];
    let loss: tf.Tensor1D;
    let p: tf.Tensor1D;
    if (closed) {
      ({ acts, deltas, loss, p } = closedFormFactors(stack, x, yt));
    } else {
      const { inputs, out } = forward(stack, x);
      ({ loss, p } = rowLoss(stack, out, yt));
      const zeros = shapes.map((s) => tf.zeros([m, s.out]) as tf.Tensor2D);
      const f = (...zs: tf.Tensor[]) => tf.sum(rowLoss(stack, forward(stack, x, zs as tf.Tensor2D[]).out, yt).loss) as tf.Scalar;
      acts = inputs;
      deltas = tf.grads(f)(zeros) as tf.Tensor2D[];
    }
    const norms = tf.stack(acts.flatMap((a, l) => [tf.sum(tf.square(a), 1), tf.sum(tf.square(deltas[l]!), 1)]), 1);
    return { acts, deltas, loss, p, norms };
  });
}

const CLOSED_HIDDEN = new Set(['linear', 'relu', 'tanh', 'sigmoid']);

/** Whether the δ have the closed form: known hidden derivatives and a head whose logits are its pre-activation. */
function closedForm(stack: DenseStack): boolean {
  const { layers, task } = stack;
  const head = layers[layers.length - 1]!;
  if (!layers.slice(0, -1).every((l) => CLOSED_HIDDEN.has(l.activation))) return false;
  return task === 'regression' ? head.activation === 'linear' : ['linear', 'softmax', 'sigmoid'].includes(head.activation);
}

function closedFormFactors(stack: DenseStack, x: tf.Tensor2D, y: tf.Tensor1D): { acts: tf.Tensor2D[]; deltas: tf.Tensor2D[]; loss: tf.Tensor1D; p: tf.Tensor1D } {
  const { layers, task } = stack;
  const L = layers.length;
  const acts: tf.Tensor2D[] = [x];
  for (let l = 0; l < L - 1; l++) {
    const layer = layers[l]!;
    const fused = layer.activation === 'tanh' ? 'linear' : (layer.activation as 'linear' | 'relu' | 'sigmoid');
    const z = tf.fused.matMul({ a: acts[l]!, b: layer.kernel, ...(layer.bias ? { bias: layer.bias } : {}), activation: fused }) as tf.Tensor2D;
    acts.push(layer.activation === 'tanh' ? tf.tanh(z) : z);
  }
  const head = layers[L - 1]!;
  const z = tf.fused.matMul({ a: acts[L - 1]!, b: head.kernel, ...(head.bias ? { bias: head.bias } : {}) }) as tf.Tensor2D;
  let top: tf.Tensor2D;
  let loss: tf.Tensor1D;
  let p: tf.Tensor1D;
  if (task === 'regression') {
    top = tf.sub(z, tf.reshape(y, [-1, 1]));
    loss = tf.mul(tf.square(tf.reshape(top, [-1])), 0.5) as tf.Tensor1D;
    p = tf.fill([y.shape[0]], NaN) as tf.Tensor1D;
  } else {
    const logits = stack.outputWidth === 1 ? tf.concat([tf.zerosLike(z), z], 1) : z;
    const mask = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, logits.shape[1]);
    const logp = tf.logSoftmax(logits);
    const dLogits = tf.sub(tf.exp(logp), mask);
    // One-unit heads: logits [0, z], so dL/dz is the second logit's gradient.
    top = stack.outputWidth === 1 ? (tf.slice(dLogits, [0, 1], [-1, 1]) as tf.Tensor2D) : (dLogits as tf.Tensor2D);
    const own = tf.sum(tf.mul(logp, mask), 1) as tf.Tensor1D;
    loss = tf.neg(own);
    p = tf.exp(own);
  }
  const deltas: tf.Tensor2D[] = new Array(L);
  deltas[L - 1] = top;
  for (let l = L - 1; l > 0; l--) {
    const a = acts[l]!;
    const back = tf.matMul(deltas[l]!, tf.transpose(layers[l]!.kernel));
    deltas[l - 1] = tf.mul(back, activationDerivative(a, layers[l - 1]!.activation)) as tf.Tensor2D;
  }
  return { acts, deltas, loss, p };
}
