/**
 * ONNX normalisation operators (BatchNormalization, LayerNormalization, the ReduceMean they are
 * exported with, Dropout at inference) as TensorFlow.js ops.
 */
import { tf } from '../../../engine/tf';
import type { OpContext, OpFamily } from './types';
import { need, normAxis } from './util';

/** Normalisations (inference form), reductions they decompose into, and Dropout (identity). */

/** ReduceMean's axes: an attribute before opset 18, an optional input from 18 on. Undefined
 * means all axes (or none, with noop_with_empty_axes). */
function reduceAxes(c: OpContext, rank: number): number[] | undefined {
  const axes = c.opset < 18 ? c.attrs.ints('axes') : c.ints(1);
  if (!axes || axes.length === 0) return undefined;
  return axes.map((a) => normAxis(a, rank));
}

export const normalisation: OpFamily = {
  BatchNormalization: {
    check: (attrs) =>
      attrs.int('training_mode', 0)
        ? 'training_mode=1 (export the model in eval mode)'
        : attrs.int('spatial', 1) === 0
          ? 'spatial=0 (per-element statistics, opset 7-8), which Glassbox does not run'
          : undefined,
    // (x − mean)/√(var + ε)·scale + B per channel (axis 1), with the stored statistics.
    run: (c) => {
      const x = need(c.inputs[0], 'X');
      const channelShape = [-1, ...Array(Math.max(x.rank - 2, 0)).fill(1)];
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => tf.reshape(need(c.inputs[i], `input ${i}`), channelShape));
      const eps = c.attrs.float('epsilon', 1e-5);
      const normed = tf.div(tf.sub(x, mean!), tf.sqrt(tf.add(variance!, eps)));
      return tf.add(tf.mul(normed, scale!), bias!);
    },
  },
  LayerNormalization: {
    // Normalises over dims axis..rank-1 with the population variance; outputs Y, Mean, InvStdDev.
    run: (c) => {
      const x = need(c.inputs[0], 'X');
      const axis = normAxis(c.attrs.int('axis', -1), x.rank);
      const axes = [...Array(x.rank - axis).keys()].map((i) => axis + i);
      const eps = c.attrs.float('epsilon', 1e-5);
      const mean = tf.mean(x, axes, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axes, true);
      const invStd = tf.rsqrt(tf.add(variance, eps));
      let y = tf.mul(tf.mul(centred, invStd), need(c.inputs[1], 'Scale'));
      if (c.inputs[2]) y = tf.add(y, c.inputs[2]);
      return [y, mean, invStd];
    },
  },
  ReduceMean: {
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      const keep = c.attrs.int('keepdims', 1) === 1;
      const axes = reduceAxes(c, x.rank);
      if (!axes && c.opset >= 18 && c.attrs.int('noop_with_empty_axes', 0)) return x;
      return tf.mean(x, axes, keep);
    },
  },
  Dropout: {
    // Inference: identity; the optional mask output is all true.
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      return c.node.output?.[1] ? [x, tf.cast(tf.onesLike(x), 'bool')] : x;
    },
  },
};
