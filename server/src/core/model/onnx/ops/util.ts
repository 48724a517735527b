/**
 * Helpers shared by the ONNX operator families (axes, required inputs, gathers).
 */
import { tf } from '../../../engine/tf';

/** ONNX allows negative axes counted from the end. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function need(t: tf.Tensor | undefined, what: string): tf.Tensor {
  if (!t) throw new Error(`missing input ${what}`);
  return t;
}

/**
 * `data` gathered along `axis` at `indices` (int32, any shape, negative counts from the end), as
 * a matMul with a one-hot selection matrix instead of tf.gather: the gradient wrt `data` is then a
 * matMul too, which every backend has (tf.gather's gradient needs UnsortedSegmentSum, missing on
 * wasm), and each output is 1·v plus exact zeros, so values are exact for finite data (−0 comes
 * out as +0; a non-finite entry spreads NaN to its column, as 0·∞ is NaN). The
 * gradient wrt `indices` is zero (OneHot's gradient), which is correct for a lookup. An index
 * out of range (an error in ONNX) gives zeros.
 */
export function gatherFloat(data: tf.Tensor, indices: tf.Tensor, axis: number): tf.Tensor {
  const dim = data.shape[axis]!;
  const flat = tf.cast(tf.reshape(indices, [-1]), 'int32');
  const wrapped = tf.where(tf.less(flat, 0), tf.add(flat, tf.scalar(dim, 'int32')), flat);
  const m = flat.shape[0]!;
  // int32 then cast: tfjs-wasm 4.22's OneHot writes int bits into a float32 output. tf.oneHot
  // refuses depth 1, where every valid index is 0.
  const select = dim === 1 ? tf.ones([m, 1]) : tf.cast(tf.oneHot(wrapped, dim), 'float32'); // [m, dim]
  const pre = data.shape.slice(0, axis);
  const post = data.shape.slice(axis + 1);
  if (axis === 0) {
    const picked = tf.matMul(select, tf.reshape(data, [dim, -1])); // [m, prod(post)]
    return tf.reshape(picked, [...indices.shape, ...post]);
  }
  // Move `axis` last, select, then put the index dimensions where `axis` was.
  const rank = data.rank;
  const perm = [...Array(rank).keys()].filter((i) => i !== axis).concat(axis);
  const moved = tf.reshape(tf.transpose(data, perm), [-1, dim]);
  const picked = tf.reshape(tf.matMul(moved, tf.transpose(select)), [...pre, ...post, m]);
  const withIndexShape = tf.reshape(picked, [...pre, ...post, ...indices.shape]);
  const k = indices.rank;
  const back = [
    ...pre.map((_, i) => i),
    ...Array.from({ length: k }, (_, j) => pre.length + post.length + j),
    ...post.map((_, i) => pre.length + i),
  ];
  return tf.transpose(withIndexShape, back);
}

/** tf.gather for any dtype, with the same differentiable path for floats. */
export function gatherAlong(data: tf.Tensor, indices: tf.Tensor, axis: number): tf.Tensor {
  if (data.dtype === 'float32') return gatherFloat(data, indices, axis);
  const dim = data.shape[axis]!;
  const idx = tf.cast(indices, 'int32');
  const wrapped = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(dim, 'int32')), idx);
  return tf.gather(data, wrapped, axis);
}

/** numpy broadcasting of two shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
