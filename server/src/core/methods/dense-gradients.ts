/**
 * Input gradients of a dense stack written out by hand: the forward pass as fused matMul + bias +
 * activation kernels, the backward pass as products with the layers' transposed kernels (kept once),
 * so no tape, no one-hot target selection and none of the transposed-operand matMul forms the wasm
 * backend runs slowly (engine/matmul-gradient.ts). The same values as `inputGradients` (target.ts)
 * of the same model and target, tested against it; undefined where the model or target is not
 * covered (then callers use `inputGradients`).
 *
 * Covered: hidden activations linear, relu, tanh, sigmoid; a classifier head whose logits are its
 * pre-activation (linear, softmax or sigmoid), one unit ([0, z] logits) or several; a linear
 * regression head; targets class / predicted (the class logit, ±z for one unit) and loss.
 */
import { tf } from '../engine/tf';
import { activationDerivative, type DenseLayer, type ModelHandle } from '../model/model';
import type { Target } from './types';

export interface DenseGradient {
  /** n x width gradients of the per-row target (classes: n class indices), a tensor the caller disposes. */
  grad(x: tf.Tensor2D, classes: tf.Tensor1D): tf.Tensor2D;
  /**
   * For x holding `groups` stacked blocks of `rows` rows (block-major), the sum over blocks of each
   * row's gradient, rows x width, each block weighted by `weights[block]` when given (quadrature
   * weights of a path integral): the first layer's backward product is linear, so it runs once on
   * the (weighted) summed pre-activation gradients instead of once per block.
   */
  gradSum(x: tf.Tensor2D, classes: tf.Tensor1D, groups: number, rows: number, weights?: Float32Array): tf.Tensor2D;
  dispose(): void;
}

const HIDDEN = new Set(['linear', 'relu', 'tanh', 'sigmoid']);

export function denseInputGradient(model: ModelHandle, target: Target): DenseGradient | undefined {
  const layers = model.layers;
  if (!layers || layers.length < 1) return undefined;
  const hidden = layers.slice(0, -1);
  const head = layers[layers.length - 1]!;
  if (!hidden.every((l) => HIDDEN.has(l.activation))) return undefined;
  if (model.task === 'regression' ? head.activation !== 'linear' : !['linear', 'softmax', 'sigmoid'].includes(head.activation)) return undefined;
  const transposed = layers.map((l) => tf.keep(tf.transpose(l.kernel)) as tf.Tensor2D);
  const K = model.outputWidth;
  /** The target's gradient with respect to the first layer's pre-activation, n x H1. */
  const firstPreGradient = (x: tf.Tensor2D, classes: tf.Tensor1D): tf.Tensor2D => {
    const acts: tf.Tensor2D[] = [];
    let h = x;
    for (const l of hidden) {
      h = forward(h, l);
      acts.push(h);
    }
    const z = tf.fused.matMul({ a: h, b: head.kernel, ...(head.bias ? { bias: head.bias } : {}) }) as tf.Tensor2D;
    // d: the gradient at layer l's pre-activation, from the head down to the first layer.
    let d = outputGradient(z, classes, model.task === 'regression', K, target);
    for (let l = layers.length - 1; l > 0; l--) d = tf.mul(tf.matMul(d, transposed[l]!), activationDerivative(acts[l - 1]!, hidden[l - 1]!.activation)) as tf.Tensor2D;
    return d;
  };
  return {
    grad: (x, classes) => tf.tidy(() => tf.matMul(firstPreGradient(x, classes), transposed[0]!)),
    gradSum: (x, classes, groups, rows, weights) =>
      tf.tidy(() => {
        const d = firstPreGradient(x, classes);
        const H = d.shape[1];
        // The (weighted) sum over blocks as one [1, groups] x [groups, rows * H] product: a reduction
        // over the leading axis transposes first on wasm and measured 2-3x slower than the product.
        const w = tf.tensor2d(weights ?? new Float32Array(groups).fill(1), [1, groups]);
        const summed = tf.reshape(tf.matMul(w, tf.reshape(d, [groups, rows * H])), [rows, H]) as tf.Tensor2D;
        return tf.matMul(summed, transposed[0]!);
      }),
    dispose: () => tf.dispose(transposed),
  };
}

function forward(h: tf.Tensor2D, l: DenseLayer): tf.Tensor2D {
  const fused = l.activation === 'relu' || l.activation === 'linear' || l.activation === 'sigmoid' ? l.activation : undefined;
  const z = tf.fused.matMul({ a: h, b: l.kernel, ...(l.bias ? { bias: l.bias } : {}), ...(fused ? { activation: fused } : {}) }) as tf.Tensor2D;
  return l.activation === 'tanh' ? tf.tanh(z) : z;
}

/** d target / d head pre-activation z (n x K), matching targetScalar's definitions. */
function outputGradient(z: tf.Tensor2D, classes: tf.Tensor1D, regression: boolean, K: number, target: Target): tf.Tensor2D {
  if (regression) return tf.onesLike(z);
  if (K === 1) {
    // Logits [0, z]: the class logit is ±z; the loss target log softmax([0, z])_c has d/dz = [c = 1] − σ(z).
    const isOne = tf.reshape(tf.cast(classes, 'float32'), [-1, 1]);
    return (target.kind === 'loss' ? tf.sub(isOne, tf.sigmoid(z)) : tf.sub(tf.mul(isOne, 2), 1)) as tf.Tensor2D;
  }
  const mask = tf.cast(tf.oneHot(classes, K), 'float32') as tf.Tensor2D;
  return target.kind === 'loss' ? tf.sub(mask, tf.softmax(z)) : mask;
}
