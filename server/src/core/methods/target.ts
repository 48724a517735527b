/**
 * Turning a `Target` into one differentiable scalar per row, and the helpers gradient methods share.
 */
import { tf } from '../engine/tf';
import { GlassboxError } from '../errors';
import type { ModelHandle } from '../model/model';
import { predict } from '../model/model';
import { groupByFeature } from '../data/encoding';
import type { AttributionInput, AttributionResult, Target } from './types';

/**
 * The class each row's target refers to: the predicted class, a fixed class, or (for `loss`) the
 * true label. Regression gives 0 (its single output).
 */
export function resolveTargetClasses(model: ModelHandle, X: Float32Array, n: number, target: Target, labels?: Float32Array): Int32Array {
  const out = new Int32Array(n);
  if (model.task === 'regression') return out;
  switch (target.kind) {
    case 'class':
      if (!Number.isInteger(target.index) || target.index < 0 || target.index >= model.classes) {
        throw new GlassboxError('usage', `target class ${target.index} is out of range: the model has classes 0..${model.classes - 1}`);
      }
      return out.fill(target.index);
    case 'predicted':
      return predict(model, X, n).predicted!;
    case 'loss':
      if (!labels) throw new GlassboxError('usage', "the 'loss' target needs true labels, and these rows have none");
      for (let i = 0; i < n; i++) {
        const y = labels[i]!;
        if (!Number.isInteger(y) || y < 0 || y >= model.classes) {
          throw new GlassboxError('usage', `row ${i} has no usable label for the 'loss' target (label ${y})`);
        }
        out[i] = y;
      }
      return out;
  }
}

/**
 * Per-row scalar the gradient methods differentiate: the chosen class's logit, or the negated
 * cross-entropy loss (so a positive attribution always means "pushes toward the target").
 * `classes` is an n-vector of class indices; `x` may be a batch of k*n rows (steps x rows), in
 * which case `classes` is tiled by the caller.
 */
export function targetScalar(model: ModelHandle, x: tf.Tensor2D, classes: tf.Tensor1D, target: Target): tf.Tensor1D {
  const z = model.logits(x);
  if (model.task === 'regression') return tf.reshape(z, [-1]) as tf.Tensor1D;
  const mask = tf.oneHot(classes, model.classes) as tf.Tensor2D;
  if (target.kind === 'loss') {
    // log softmax of the true class = -cross-entropy.
    return tf.sum(tf.mul(tf.logSoftmax(z), mask), 1) as tf.Tensor1D;
  }
  if (model.task === 'binary' && model.outputWidth === 1) {
    // One-output binary models have logits [0, z], so class 0's own logit is constant: explain each
    // class's log-odds instead, z for class 1 and -z for class 0.
    const own = tf.sum(tf.mul(z, mask), 1);
    return tf.sub(own, tf.sub(tf.sum(z, 1), own)) as tf.Tensor1D;
  }
  return tf.sum(tf.mul(z, mask), 1) as tf.Tensor1D;
}

/**
 * Gradient of the per-row target with respect to the inputs for a batch of rows, as a tensor the
 * caller disposes. Rows are independent, so the gradient of the summed target gives every row's own
 * gradient in one backward pass.
 */
export function inputGradients(model: ModelHandle, x: tf.Tensor2D, classes: tf.Tensor1D, target: Target): tf.Tensor2D {
  const f = (inp: tf.Tensor) => tf.sum(targetScalar(model, inp as tf.Tensor2D, classes, target));
  return tf.grad(f)(x) as tf.Tensor2D;
}

/** The `targetClass` a result reports: the resolved classes, or -1 everywhere for regression. */
export function reportedTargetClasses(model: ModelHandle, classes: Int32Array): Int32Array {
  return model.task === 'regression' ? classes.fill(-1) : classes;
}

/**
 * The result of an additive method (per-row contributions that add up): `encoded` per encoded
 * column as computed, per raw feature the sum over each one-hot group (`groupByFeature`), and the
 * class each row explains (`reportedTargetClasses`, which may overwrite `classes`).
 */
export function additiveResult(method: string, input: AttributionInput, encoded: Float32Array, classes: Int32Array, extras: Record<string, unknown>): AttributionResult {
  const { model, n, encoding } = input;
  return { method, n, width: encoding.width, encoded, grouped: groupByFeature(encoded, n, encoding), targetClass: reportedTargetClasses(model, classes), extras };
}
