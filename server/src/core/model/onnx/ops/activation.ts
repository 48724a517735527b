/**
 * ONNX activation operators (Relu, Sigmoid, Tanh, Gelu, Softmax, ...) as TensorFlow.js ops.
 */
import { tf } from '../../../engine/tf';
import type { OpContext, OpFamily } from './types';
import { need, normAxis } from './util';

/** Activations and the softmax family. */

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Softmax/LogSoftmax: from opset 13 along one axis (default -1); before 13 the input is seen as
 * 2-D [prod(dims < axis), prod(dims >= axis)] (default axis 1) and normalised along the second. */
function softmaxLike(f: (x: tf.Tensor) => tf.Tensor) {
  return (c: OpContext): tf.Tensor => {
    const x = need(c.inputs[0], 'input');
    if (c.opset < 13) {
      const axis = normAxis(c.attrs.int('axis', 1), x.rank);
      const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return tf.reshape(f(tf.reshape(x, [rows, -1])), x.shape);
    }
    const axis = normAxis(c.attrs.int('axis', -1), x.rank);
    if (axis === x.rank - 1) return f(x);
    const perm = [...Array(x.rank).keys()];
    [perm[axis], perm[x.rank - 1]] = [perm[x.rank - 1]!, perm[axis]!];
    return tf.transpose(f(tf.transpose(x, perm)), perm);
  };
}

/** alpha·(e^x − 1) for x ≤ 0; expm1 of min(x, 0) keeps the unused branch finite so its zero
 * gradient stays zero (not 0·∞) for large x. */
function elu(x: tf.Tensor, alpha: number): tf.Tensor {
  if (alpha === 1) return tf.elu(x);
  return tf.where(tf.greater(x, 0), x, tf.mul(tf.expm1(tf.minimum(x, 0)), alpha));
}

export const activation: OpFamily = {
  Relu: { run: (c) => tf.relu(need(c.inputs[0], 'X')) },
  LeakyRelu: { run: (c) => tf.leakyRelu(need(c.inputs[0], 'X'), c.attrs.float('alpha', 0.01)) },
  Elu: { run: (c) => elu(need(c.inputs[0], 'X'), c.attrs.float('alpha', 1)) },
  Sigmoid: { run: (c) => tf.sigmoid(need(c.inputs[0], 'X')) },
  Tanh: { run: (c) => tf.tanh(need(c.inputs[0], 'input')) },
  Gelu: {
    check: (attrs) => {
      const a = attrs.string('approximate', 'none');
      return a === 'none' || a === 'tanh' ? undefined : `approximate='${a}' (expected 'none' or 'tanh')`;
    },
    run: (c) => {
      const x = need(c.inputs[0], 'X');
      const inner =
        c.attrs.string('approximate', 'none') === 'tanh'
          ? tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI))
          : tf.erf(tf.mul(x, SQRT1_2));
      return tf.mul(tf.mul(x, 0.5), tf.add(inner, 1));
    },
  },
  Softmax: { run: softmaxLike((x) => tf.softmax(x)) },
  LogSoftmax: { run: softmaxLike((x) => tf.logSoftmax(x)) },
};
