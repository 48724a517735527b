/**
 * What a counterfactual must achieve, as one number per row that is positive exactly when the row
 * achieves it: the logit margin of the target class over the best other class (or of the best
 * other class over the original one when any other class will do), and with a probability goal
 * also log p_target − log p_goal. Every validity decision is made on `predict`'s output.
 */
import { tf } from '../engine/tf';
import { predict, type ModelHandle } from '../model/model';

export interface Goal {
  /** The class the row is predicted as now. */
  from: number;
  /** Class to reach; undefined: any class other than `from`. */
  target?: number;
  /** Minimum probability of the target class (with `target`). */
  probability?: number;
}

export interface Evaluation {
  /** > 0 exactly when the row meets the goal. */
  score: Float64Array;
  predicted: Int32Array;
  /** n x K */
  probabilities: Float32Array;
}

export function evaluateGoal(model: ModelHandle, goal: Goal, X: Float32Array, n: number, signal?: AbortSignal): Evaluation {
  const p = predict(model, X, n, signal);
  const K = p.classes;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = p.logits.subarray(i * K, (i + 1) * K);
    if (goal.target === undefined) {
      let best = -Infinity;
      for (let k = 0; k < K; k++) if (k !== goal.from && z[k]! > best) best = z[k]!;
      score[i] = best - z[goal.from]!;
    } else {
      const t = goal.target;
      let best = -Infinity;
      for (let k = 0; k < K; k++) if (k !== t && z[k]! > best) best = z[k]!;
      let s = z[t]! - best;
      if (goal.probability !== undefined) s = Math.min(s, Math.log(Math.max(p.probabilities![i * K + t]!, 1e-30)) - Math.log(goal.probability));
      score[i] = s;
    }
  }
  return { score, predicted: p.predicted!, probabilities: p.probabilities! };
}

/**
 * The same score on the tape (differentiable models): n x K logits -> n scores. `mask` is the
 * one-hot row of the target class (or of `from`), 1 x K; callers in a loop pass it once.
 */
export function goalScoreTensor(logits: tf.Tensor2D, goal: Goal, mask?: tf.Tensor2D): tf.Tensor1D {
  const K = logits.shape[1];
  const k = goal.target ?? goal.from;
  mask ??= tf.tensor2d(Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)), [1, K]);
  const own = tf.sum(tf.mul(logits, mask), 1);
  const others = tf.max(tf.sub(logits, tf.mul(mask, 1e9)), 1);
  if (goal.target === undefined) return tf.sub(others, own) as tf.Tensor1D;
  let s = tf.sub(own, others) as tf.Tensor1D;
  if (goal.probability !== undefined) {
    const logp = tf.sum(tf.mul(tf.logSoftmax(logits), mask), 1);
    s = tf.minimum(s, tf.sub(logp, Math.log(goal.probability))) as tf.Tensor1D;
  }
  return s;
}
