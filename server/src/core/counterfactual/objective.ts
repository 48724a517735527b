/**
 * What a counterfactual must achieve, as one number per row that is positive exactly when the row
 * achieves it: the logit margin of the target class over the best other class (or of the best
 * other class over the original one when any other class will do), and with a probability goal
 * also log p_target − log p_goal. For a regression model the goal is an interval [min, max] of
 * the predicted value and the score min(v − min, max − v) (an infinite end drops out), in the
 * label's units. Every validity decision is made on `predict`'s output.
 */
import { tf } from '../engine/tf';
import { predict, type ModelHandle } from '../model/model';

export interface Goal {
  /** The class the row is predicted as now (regression: -1). */
  from: number;
  /** Regression: the interval the predicted value must reach (inclusive; ends may be infinite). */
  interval?: { min: number; max: number };
  /** Regression: how far inside the interval the gradient search aims (label units). */
  margin?: number;
  /** Class to reach; undefined: any class other than `from`. */
  target?: number;
  /** Minimum probability of the target class (with `target`). */
  probability?: number;
}

export interface Evaluation {
  /** > 0 exactly when the row meets the goal. */
  score: Float64Array;
  /** Classification: argmax class per row; regression: -1. */
  predicted: Int32Array;
  /** n x K (classification); empty for regression. */
  probabilities: Float32Array;
  /** Regression: the predicted value per row. */
  values?: Float32Array;
}

/** Score of a regression value against an interval: ≥ 0 inside, the distance outside, negated. */
export function intervalScore(v: number, interval: { min: number; max: number }): number {
  const lo = Number.isFinite(interval.min) ? v - interval.min : Infinity;
  const hi = Number.isFinite(interval.max) ? interval.max - v : Infinity;
  // Inclusive ends: a value exactly on one counts (the tiny offset keeps "> 0 means met").
  return Math.min(lo, hi) + 1e-9 * Math.max(1, Math.abs(v));
}

export function evaluateGoal(model: ModelHandle, goal: Goal, X: Float32Array, n: number, signal?: AbortSignal): Evaluation {
  const p = predict(model, X, n, signal);
  const K = p.classes;
  const score = new Float64Array(n);
  if (goal.interval) {
    if (!p.predicted) {
      const values = Float32Array.from({ length: n }, (_, i) => p.logits[i * K]!);
      for (let i = 0; i < n; i++) score[i] = intervalScore(values[i]!, goal.interval);
      return { score, predicted: new Int32Array(n).fill(-1), probabilities: new Float32Array(0), values };
    }
  }
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
  if (goal.interval) {
    const v = tf.squeeze(tf.slice(logits, [0, 0], [-1, 1]), [1]) as tf.Tensor1D;
    const { min, max } = goal.interval;
    if (Number.isFinite(min) && Number.isFinite(max)) return tf.minimum(tf.sub(v, min), tf.sub(max, v)) as tf.Tensor1D;
    return (Number.isFinite(min) ? tf.sub(v, min) : tf.sub(max, v)) as tf.Tensor1D;
  }
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
