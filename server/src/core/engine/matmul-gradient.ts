/** A faster gradient for matMul on the WebAssembly backend (same outputs, other kernel path). */
import { tf } from './tf';

/**
 * Re-registers the `BatchMatMul` gradient so that it transposes explicitly instead of passing
 * `transposeA/transposeB` to matMul: the WebAssembly backend takes a slow path for the flagged
 * forms (measured 4-9x slower on this machine's kind, see ENGINE.md), and tfjs's stock gradient
 * uses them. The outputs are identical; only the kernel path changes.
 */
export function registerFastMatMulGradient(): void {
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const grad = dy as tf.Tensor;
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const t = (x: tf.Tensor) => {
        const perm = x.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
        return tf.transpose(x, perm);
      };
      const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y);
      if (!transposeA && !transposeB) {
        return { a: () => mm(grad, t(b)), b: () => mm(t(a), grad) };
      } else if (!transposeA && transposeB) {
        return { a: () => mm(grad, b), b: () => mm(t(grad), a) };
      } else if (transposeA && !transposeB) {
        return { a: () => mm(b, t(grad)), b: () => mm(a, grad) };
      }
      return { a: () => mm(t(b), t(grad)), b: () => mm(t(grad), t(a)) };
    },
  });
}
