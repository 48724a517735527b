/**
 * ONNX shape operators (Reshape, Flatten, Concat, Gather, ...) as TensorFlow.js ops.
 */
import { tf } from '../../../engine/tf';
import { tfDtypeOf } from '../tensor';
import type { OpContext, OpFamily } from './types';
import { gatherAlong, need, normAxis } from './util';

/** Shape manipulation, indexing, casts and constants. Shapes, axes and slice bounds are read as
 * host integers (constants need no device read); data stays on the device. */

function axesOf(c: OpContext, input: number): number[] | undefined {
  return c.opset < 13 ? c.attrs.ints('axes') : c.ints(input);
}

/** ONNX Slice bounds for one axis, clamped as the spec says; returns the selected indices. */
function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  if (step === 0) throw new Error('Slice step 0');
  const s = start < 0 ? start + dim : start;
  const e = end < 0 ? end + dim : end;
  const out: number[] = [];
  if (step > 0) {
    for (let i = Math.max(0, Math.min(dim, s)); i < Math.max(0, Math.min(dim, e)); i += step) out.push(i);
  } else {
    for (let i = Math.max(-1, Math.min(dim - 1, s)); i > Math.max(-1, Math.min(dim - 1, e)); i += step) out.push(i);
  }
  return out;
}

export const shape: OpFamily = {
  Identity: { run: (c) => need(c.inputs[0], 'input') },
  Constant: {
    // Folded into the graph's constants at load; this runs only for a Constant the loader kept.
    run: (c) => {
      const t = c.attrs.tensor('value');
      if (t) return tf.tensor(t.data, t.shape, t.dtype);
      if (c.attrs.has('value_float')) return tf.scalar(c.attrs.float('value_float', 0));
      if (c.attrs.has('value_floats')) return tf.tensor1d(c.attrs.floats('value_floats') ?? [], 'float32');
      if (c.attrs.has('value_int')) return c.known(tf.scalar(c.attrs.int('value_int', 0), 'int32'), [c.attrs.int('value_int', 0)]);
      const ints = c.attrs.ints('value_ints') ?? [];
      return c.known(tf.tensor1d(ints, 'int32'), ints);
    },
    check: (attrs) => (['value', 'value_float', 'value_floats', 'value_int', 'value_ints'].some((a) => attrs.has(a)) ? undefined : 'a Constant without a numeric value'),
  },
  Cast: {
    check: (attrs) => (tfDtypeOf(attrs.int('to', 0)) ? undefined : `a cast to element type ${attrs.int('to', 0)}`),
    // Float -> integer truncates toward zero in both ONNX and tfjs. Its gradient is zero in
    // effect: integer results only feed lookups (Gather: OneHot's gradient is zero).
    run: (c) => {
      const x = need(c.inputs[0], 'input');
      const to = tfDtypeOf(c.attrs.int('to', 1))!;
      return x.dtype === to ? x : tf.cast(x, to);
    },
  },
  Shape: {
    // Static at run time: tfjs shapes are concrete, so this never reads the device.
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      const r = x.rank;
      const clamp = (v: number) => Math.max(0, Math.min(r, v < 0 ? v + r : v));
      const dims = x.shape.slice(clamp(c.attrs.int('start', 0)), clamp(c.attrs.int('end', r)));
      return c.known(tf.tensor1d(dims, 'int32'), dims);
    },
  },
  Flatten: {
    run: (c) => {
      const x = need(c.inputs[0], 'input');
      const axis = normAxis(c.attrs.int('axis', 1), x.rank);
      const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return tf.reshape(x, [rows, -1]);
    },
  },
  Reshape: {
    // 0 copies the input's dim (unless allowzero=1), -1 is inferred.
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      const target = c.opset < 5 ? c.attrs.ints('shape')! : c.ints(1)!;
      const allowZero = c.attrs.int('allowzero', 0) === 1;
      return tf.reshape(x, target.map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d)));
    },
  },
  Transpose: {
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      return tf.transpose(x, c.attrs.ints('perm') ?? [...Array(x.rank).keys()].reverse());
    },
  },
  Unsqueeze: {
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      const axes = axesOf(c, 1) ?? [];
      const rank = x.rank + axes.length;
      const at = new Set(axes.map((a) => normAxis(a, rank)));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) dims.push(at.has(i) ? 1 : x.shape[k++]!);
      const out = tf.reshape(x, dims);
      const ints = c.knownInts(0);
      return ints ? c.known(out, ints) : out;
    },
  },
  Squeeze: {
    run: (c) => {
      const x = need(c.inputs[0], 'data');
      const axes = axesOf(c, 1);
      const out = axes && axes.length > 0 ? tf.squeeze(x, axes.map((a) => normAxis(a, x.rank))) : tf.squeeze(x);
      const ints = c.knownInts(0);
      return ints ? c.known(out, ints) : out;
    },
  },
  Concat: {
    run: (c) => {
      const parts = c.inputs.map((t, i) => need(t, `input ${i}`));
      const axis = normAxis(c.attrs.int('axis', 0), parts[0]!.rank);
      const out = parts.length === 1 ? parts[0]! : tf.concat(parts, axis);
      if (parts[0]!.dtype === 'int32' && axis === 0 && parts.every((p) => p.rank <= 1)) {
        const ints = parts.map((_, i) => c.knownInts(i));
        if (ints.every((v) => v)) return c.known(out, ints.flatMap((v) => v!));
      }
      return out;
    },
  },
  Gather: {
    // Embedding lookups and column picks. Floats gather by a one-hot matMul (differentiable on
    // every backend; util.gatherFloat); a scalar constant index is a plain slice.
    run: (c) => {
      const data = need(c.inputs[0], 'data');
      const indices = need(c.inputs[1], 'indices');
      const axis = normAxis(c.attrs.int('axis', 0), data.rank);
      const dataInts = c.knownInts(0);
      const idxInts = c.knownInts(1);
      if (dataInts && idxInts && data.rank === 1) {
        const dim = data.shape[0]!;
        const picked = idxInts.map((i) => dataInts[i < 0 ? i + dim : i]!);
        return c.known(tf.tensor(picked, indices.shape, 'int32'), picked);
      }
      if (idxInts && indices.rank === 0) {
        const i = idxInts[0]! < 0 ? idxInts[0]! + data.shape[axis]! : idxInts[0]!;
        const begin = data.shape.map((_, k) => (k === axis ? i : 0));
        const size = data.shape.map((d, k) => (k === axis ? 1 : d));
        return tf.squeeze(tf.slice(data, begin, size), [axis]);
      }
      return gatherAlong(data, indices, axis);
    },
  },
  Slice: {
    // Opset >= 10: starts, ends, axes?, steps? as inputs; before: attributes (step 1).
    run: (c) => {
      let x = need(c.inputs[0], 'data');
      const old = c.opset < 10;
      const starts = (old ? c.attrs.ints('starts') : c.ints(1))!;
      const ends = (old ? c.attrs.ints('ends') : c.ints(2))!;
      const axes = (old ? c.attrs.ints('axes') : c.ints(3)) ?? starts.map((_, i) => i);
      const steps = (old ? undefined : c.ints(4)) ?? starts.map(() => 1);
      const xInts = c.knownInts(0);
      for (let k = 0; k < starts.length; k++) {
        const axis = normAxis(axes[k]!, x.rank);
        const dim = x.shape[axis]!;
        const idx = sliceIndices(dim, starts[k]!, ends[k]!, steps[k]!);
        if (steps[k] === 1) {
          const begin = x.shape.map((_, a) => (a === axis ? (idx[0] ?? 0) : 0));
          const size = x.shape.map((d, a) => (a === axis ? idx.length : d));
          x = tf.slice(x, begin, size);
        } else {
          x = gatherAlong(x, tf.tensor1d(idx, 'int32'), axis);
        }
      }
      if (xInts && x.rank === 1 && starts.length === 1) {
        const idx = sliceIndices(xInts.length, starts[0]!, ends[0]!, steps[0]!);
        return c.known(x, idx.map((i) => xInts[i]!));
      }
      return x;
    },
  },
};

