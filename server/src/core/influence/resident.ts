/**
 * The query hot path on the backend: when a checkpoint's factors fit in memory they are uploaded
 * once as per-layer tensors (activations n×in, deltas n×out), and a query's dot products with every
 * training row become two matrix products per layer, (A·a_q + 1) ⊙ (D·δ_q), instead of a JavaScript
 * loop. Exact, same formula as tracin.ts. The training inputs (layer 0's activations) are shared.
 */
import { tf } from '../engine/tf';
import type { GradientFactors } from './gradients';
import { layersInScope, type FactorLayout, type ParamScope } from './tracin';

export class ResidentFactors {
  private constructor(
    private readonly layout: FactorLayout,
    private readonly acts: tf.Tensor2D[][],
    private readonly deltas: tf.Tensor2D[][],
  ) {}

  /** Uploads every checkpoint's packed rows (n × rowWidth each) with the shared inputs X. */
  static upload(layout: FactorLayout, X: Float32Array, n: number, checkpoints: Float32Array[]): ResidentFactors {
    const x = tf.tensor2d(X, [n, layout.inputWidth]);
    const acts: tf.Tensor2D[][] = [];
    const deltas: tf.Tensor2D[][] = [];
    for (const rows of checkpoints) {
      const all = tf.tensor2d(rows, [n, layout.rowWidth]);
      acts.push(layout.shapes.map((s, l) => (l === 0 ? x : tf.slice(all, [0, layout.actOffset[l]!], [n, s.in]))));
      deltas.push(layout.shapes.map((s, l) => tf.slice(all, [0, layout.deltaOffset[l]!], [n, s.out])));
      all.dispose();
    }
    return new ResidentFactors(layout, acts, deltas);
  }

  /** n × nq gradient dot products of every training row with the query rows at checkpoint c. */
  dots(c: number, q: GradientFactors, scope: ParamScope = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let total: tf.Tensor2D | undefined;
      for (const l of layersInScope(this.layout, scope)) {
        const s = this.layout.shapes[l]!;
        // Explicit transposes: matMul's transpose flags take a slow path on wasm.
        const aq = tf.transpose(tf.tensor2d(q.acts[l]!, [q.m, s.in]));
        const dq = tf.transpose(tf.tensor2d(q.deltas[l]!, [q.m, s.out]));
        let aa: tf.Tensor2D = tf.matMul(this.acts[c]![l]!, aq);
        if (scope.bias !== false && s.bias) aa = tf.add(aa, 1) as tf.Tensor2D;
        const term = tf.mul(aa, tf.matMul(this.deltas[c]![l]!, dq)) as tf.Tensor2D;
        total = total ? (tf.add(total, term) as tf.Tensor2D) : term;
      }
      return total!;
    });
  }

  dispose(): void {
    const seen = new Set<tf.Tensor>();
    for (const t of [...this.acts.flat(), ...this.deltas.flat()]) if (!seen.has(t)) seen.add(t);
    tf.dispose([...seen]);
  }
}
