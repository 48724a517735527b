/**
 * Fast path for coalition games on dense-stack models. The first layer is linear in its input, and
 * a composite row (x on the coalition's features, b elsewhere) differs from b only feature by
 * feature, so its first-layer pre-activation is
 *   b·W1 + bias + Σ_f m_f · (x − b)_f · W1_f,
 * a product of the C x (F+1) mask matrix (with a constant column) and an (F+1) x H matrix per
 * (row, background row) pair. That replaces the width x H first layer (108 x 64 on Adult) by an
 * (F+1) x H product (15 x 64) and never builds the composite rows. The layers after the first run
 * as fused matMul + bias + activation kernels (one pass over the activations instead of three,
 * ~30% of the time of the hidden product on wasm), and the head's logits go through `headLogits`,
 * the conventions every dense-stack path shares.
 */
import { tf } from '../engine/tf';
import type { Encoding } from '../data/encoding';
import { ACTIVATIONS, headLogits, type DenseLayer, type ModelHandle } from '../model/model';
import { targetScalar } from './target';
import type { Target } from './types';

/** Activations tfjs fuses into matMul. */
const FUSED: Partial<Record<string, 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid'>> = { linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', sigmoid: 'sigmoid' };

function denseForward(h: tf.Tensor2D, l: DenseLayer, activation: string): tf.Tensor2D {
  const fused = FUSED[activation];
  const z = tf.fused.matMul({ a: h, b: l.kernel, ...(l.bias ? { bias: l.bias } : {}), ...(fused ? { activation: fused } : {}) }) as tf.Tensor2D;
  return fused ? z : (ACTIVATIONS[activation as keyof typeof ACTIVATIONS](z) as tf.Tensor2D);
}

const FIRST_ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  relu6: (x) => tf.relu6(x),
};

export interface DenseGame {
  /** Target values of the composites, ordered (coalition, row, background), as a tensor. */
  evaluate(masks: Uint8Array, c0: number, c1: number, X: Float32Array, r0: number, r1: number, classes: Int32Array, B: Float32Array, m: number): tf.Tensor1D;
  dispose(): void;
}

/** Undefined when the model is not a dense stack of at least two layers with a known first activation. */
export function denseGame(model: ModelHandle, encoding: Encoding, target: Target): DenseGame | undefined {
  const layers = model.layers;
  if (!layers || layers.length < 2) return undefined;
  const act = FIRST_ACTIVATIONS[layers[0]!.activation];
  if (!act) return undefined;
  const W1 = layers[0]!.kernel;
  const b1 = layers[0]!.bias;
  const H = W1.shape[1];
  const rest = layers.slice(1);
  const head = rest[rest.length - 1]!;
  // The tail as a handle: same task, classes and output width as the model, logits from the
  // hidden activations of the first layer.
  const tail: ModelHandle = {
    ...model,
    logits: (h: tf.Tensor2D) => {
      let x = h;
      for (const l of rest.slice(0, -1)) x = denseForward(x, l, l.activation);
      return headLogits(head, denseForward(x, head, 'linear'), model.task, model.outputWidth);
    },
  };
  const width = encoding.width;
  const F = encoding.features.length;
  const colFeature = new Int32Array(width);
  encoding.features.forEach((f, i) => colFeature.fill(i, f.columns[0], f.columns[1]));
  return {
    evaluate(masks, c0, c1, X, r0, r1, classes, B, m) {
      const R = r1 - r0;
      const cc = c1 - c0;
      const P = R * m;
      // Per (row, background) pair and feature: (x − b) restricted to the feature's columns.
      const diff = new Float32Array(P * F * width);
      const base = new Float32Array(P * width);
      for (let r = 0; r < R; r++) {
        for (let b = 0; b < m; b++) {
          const p = r * m + b;
          base.set(B.subarray(b * width, (b + 1) * width), p * width);
          for (let j = 0; j < width; j++) diff[(p * F + colFeature[j]!) * width + j] = X[(r0 + r) * width + j]! - B[b * width + j]!;
        }
      }
      const mk = new Float32Array(cc * (F + 1));
      for (let c = 0; c < cc; c++) {
        for (let f = 0; f < F; f++) mk[c * (F + 1) + f] = masks[(c0 + c) * F + f]!;
        mk[c * (F + 1) + F] = 1;
      }
      const cls = new Int32Array(cc * P);
      for (let c = 0; c < cc; c++) for (let r = 0; r < R; r++) cls.fill(classes[r0 + r]!, (c * R + r) * m, (c * R + r + 1) * m);
      return tf.tidy(() => {
        const D = tf.transpose(tf.reshape(tf.matMul(tf.tensor2d(diff, [P * F, width]), W1), [P, F, H]), [1, 0, 2]);
        let baseH: tf.Tensor2D = tf.matMul(tf.tensor2d(base, [P, width]), W1);
        if (b1) baseH = tf.add(baseH, b1);
        const right = tf.reshape(tf.concat([D, tf.reshape(baseH, [1, P, H])], 0), [F + 1, P * H]) as tf.Tensor2D;
        const pre = tf.reshape(tf.matMul(tf.tensor2d(mk, [cc, F + 1]), right), [cc * P, H]) as tf.Tensor2D;
        return targetScalar(tail, act(pre) as tf.Tensor2D, tf.tensor1d(cls, 'int32'), target);
      });
    },
    dispose: () => undefined,
  };
}
