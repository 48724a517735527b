/**
 * The query hot path on the backend: when the checkpoints' factors fit in memory they are uploaded
 * once as per-layer, per-checkpoint tensors, transposed (activations in×n, deltas out×n), and a
 * query's dot products with every training row become two matrix products per layer and
 * checkpoint, (a_q·Aᵀ + 1) ⊙ (δ_q·Dᵀ), instead of a JavaScript loop. Exact, same formula as
 * tracin.ts.
 *
 * Shapes chosen by measurement on wasm: a row vector times a wide matrix is ~2× faster than a tall
 * matrix times a column and comes out query-major; the backend keeps the packed form of a constant
 * right-hand matrix between calls, so these products cost ~0.1 ms each, while the same products
 * stacked over checkpoints as one batched matMul (C×1×in times C×in×n) took 30× longer (no packed
 * form for batched products). The training inputs (layer 0's activations when they are the encoded
 * rows) are uploaded once, and their product with the query rows, the same at every checkpoint, is
 * taken once.
 */
import { tf } from '../engine/tf';
import type { GradientFactors } from './gradients';
import { layersInScope, type FactorLayout, type ParamScope } from './tracin';

export class ResidentFactors {
  private constructor(
    private readonly layout: FactorLayout,
    /** in × n: the shared training inputs, when layer 0 reads them. */
    private readonly inputs: tf.Tensor2D | undefined,
    /** [checkpoint][layer] in × n (undefined for layer 0 when its input is shared). */
    private readonly acts: Array<Array<tf.Tensor2D | undefined>>,
    /** [checkpoint][layer] out × n. */
    private readonly deltas: tf.Tensor2D[][],
  ) {}

  /** Uploads every checkpoint's packed rows (n × rowWidth each) with the shared inputs X. */
  static upload(layout: FactorLayout, X: Float32Array, n: number, checkpoints: Float32Array[]): ResidentFactors {
    const shared = layout.actOffset[0]! < 0;
    const inputs = shared ? tf.tidy(() => tf.transpose(tf.tensor2d(X, [n, layout.inputWidth])) as tf.Tensor2D) : undefined;
    const acts: Array<Array<tf.Tensor2D | undefined>> = [];
    const deltas: tf.Tensor2D[][] = [];
    for (const rows of checkpoints) {
      tf.tidy(() => {
        const all = tf.tensor2d(rows, [n, layout.rowWidth]);
        const cut = (off: number, w: number) => tf.keep(tf.transpose(tf.slice(all, [0, off], [n, w])) as tf.Tensor2D);
        acts.push(layout.shapes.map((s, l) => (layout.actOffset[l]! < 0 ? undefined : cut(layout.actOffset[l]!, s.in))));
        deltas.push(layout.shapes.map((s, l) => cut(layout.deltaOffset[l]!, s.out)));
      });
    }
    return new ResidentFactors(layout, inputs, acts, deltas);
  }

  /**
   * C × nq × n gradient dot products of the query rows with every training row at every
   * checkpoint. `q[c]` holds the query rows' factors at checkpoint c; `Xq` their encoded inputs.
   */
  dots(q: GradientFactors[], Xq: Float32Array, scope: ParamScope = {}): tf.Tensor3D {
    const nq = q[0]!.m;
    const layers = layersInScope(this.layout, scope);
    return tf.tidy(() => {
      // Layer 0 on shared inputs: one nq × n product for every checkpoint.
      const input: tf.Tensor2D | undefined = this.inputs && layers.includes(0) ? (tf.matMul(tf.tensor2d(Xq, [nq, this.layout.inputWidth]), this.inputs) as tf.Tensor2D) : undefined;
      const perCheckpoint = q.map((f, c) => {
        let total: tf.Tensor2D | undefined;
        for (const l of layers) {
          const s = this.layout.shapes[l]!;
          const A = this.acts[c]![l];
          let aa: tf.Tensor2D = A ? tf.matMul(tf.tensor2d(f.acts[l]!, [nq, s.in]), A) : input!;
          if (scope.bias !== false && s.bias) aa = tf.add(aa, 1) as tf.Tensor2D;
          const term = tf.mul(aa, tf.matMul(tf.tensor2d(f.deltas[l]!, [nq, s.out]), this.deltas[c]![l]!)) as tf.Tensor2D;
          total = total ? (tf.add(total, term) as tf.Tensor2D) : term;
        }
        return total!;
      });
      return tf.stack(perCheckpoint) as tf.Tensor3D;
    });
  }

  dispose(): void {
    tf.dispose([...(this.inputs ? [this.inputs] : []), ...this.acts.flat().filter((t): t is tf.Tensor2D => Boolean(t)), ...this.deltas.flat()]);
  }
}
