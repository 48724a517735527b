/**
 * ONNX linear algebra operators (Gemm, MatMul) as TensorFlow.js ops.
 */
import { tf } from '../../../engine/tf';
import type { OpFamily } from './types';
import { need } from './util';

/** Matrix products. Transposes are explicit ops rather than matMul's transpose flags: the wasm
 * backend takes a slow path for the flagged forms (see engine/matmul-gradient.ts). */

export const linear: OpFamily = {
  Gemm: {
    run: (c) => {
      need(c.inputs[1], 'B');
      const a = c.attrs.int('transA', 0) ? c.transposed(0) : need(c.inputs[0], 'A');
      const b = c.attrs.int('transB', 0) ? c.transposed(1) : c.inputs[1]!;
      const alpha = c.attrs.float('alpha', 1);
      const beta = c.attrs.float('beta', 1);
      let y = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) as tf.Tensor;
      if (alpha !== 1) y = tf.mul(y, alpha);
      const bias = c.inputs[2];
      if (bias && beta !== 0) y = tf.add(y, beta === 1 ? bias : tf.mul(bias, beta));
      return y;
    },
  },
  MatMul: {
    // numpy matmul: 1-D operands gain a dimension that is removed again; batch dims broadcast.
    run: (c) => {
      let a = need(c.inputs[0], 'A');
      let b = need(c.inputs[1], 'B');
      const aVec = a.rank === 1;
      const bVec = b.rank === 1;
      if (aVec) a = tf.reshape(a, [1, -1]);
      if (bVec) b = tf.reshape(b, [-1, 1]);
      let y = tf.matMul(a, b) as tf.Tensor;
      if (aVec) y = tf.squeeze(y, [y.rank - 2]);
      if (bVec) y = tf.squeeze(y, [y.rank - 1]);
      return y;
    },
  },
};
