/**
 * ONNX element-wise arithmetic and comparison operators as TensorFlow.js ops.
 */
import { tf } from '../../../engine/tf';
import type { OpContext, OpFamily } from './types';
import { broadcastShape, need } from './util';

/** Element-wise arithmetic and math with numpy broadcasting (tfjs broadcasts the same way). */

const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => ({
  run: (c: OpContext) => f(need(c.inputs[0], 'A'), need(c.inputs[1], 'B')),
});
const unary = (f: (x: tf.Tensor) => tf.Tensor) => ({ run: (c: OpContext) => f(need(c.inputs[0], 'X')) });

/** ONNX integer Div truncates toward zero; tfjs's int32 div floors. */
function div(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.dtype !== 'int32') return tf.div(a, b);
  const q = tf.floorDiv(tf.abs(a), tf.abs(b));
  return tf.mul(q, tf.cast(tf.mul(tf.sign(a), tf.sign(b)), 'int32'));
}

/** Clip's bound as a number: an attribute before opset 11, an optional input from 11 on. */
function bound(c: OpContext, input: number, attr: string, fallback: number): number {
  if (c.opset < 11) return c.attrs.float(attr, fallback);
  const t = c.inputs[input];
  if (!t) return fallback;
  return t.dtype === 'float32' ? t.dataSync()[0]! : c.ints(input)![0]!;
}

export const elementwise: OpFamily = {
  Add: binary(tf.add),
  Sub: binary(tf.sub),
  Mul: binary(tf.mul),
  Div: binary(div),
  Pow: binary((a, b) => tf.pow(a, b.dtype === a.dtype ? b : tf.cast(b, a.dtype))),
  Sqrt: unary(tf.sqrt),
  Neg: unary(tf.neg),
  Exp: unary(tf.exp),
  Log: unary(tf.log),
  Abs: unary(tf.abs),
  Erf: unary(tf.erf),
  Sum: { run: (c) => c.inputs.map((t, i) => need(t, `data_${i}`)).reduce((a, b) => tf.add(a, b)) },
  Clip: {
    run: (c) => {
      const x = need(c.inputs[0], 'input');
      return tf.clipByValue(x, bound(c, 1, 'min', -3.4028234663852886e38), bound(c, 2, 'max', 3.4028234663852886e38));
    },
  },
  Equal: binary(tf.equal),
  Greater: binary(tf.greater),
  Less: binary(tf.less),
  GreaterOrEqual: binary(tf.greaterEqual),
  LessOrEqual: binary(tf.lessEqual),
  Not: unary(tf.logicalNot),
  Where: {
    run: (c) => {
      const cond = need(c.inputs[0], 'condition');
      const a = need(c.inputs[1], 'X');
      const b = need(c.inputs[2], 'Y');
      const s = broadcastShape(broadcastShape(cond.shape, a.shape), b.shape);
      return tf.where(tf.broadcastTo(cond, s), tf.broadcastTo(a, s), tf.broadcastTo(b, s));
    },
  },
};
