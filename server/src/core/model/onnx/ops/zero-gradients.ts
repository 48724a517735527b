/**
 * Zero gradients for integer-valued and shape operators, so gradient methods run through graphs
 * that contain them.
 */
import { tf } from '../../../engine/tf';

/** Kernels whose output is boolean: piecewise constant in their inputs, so their gradient is zero
 * wherever it exists. tfjs registers none for most, which makes `tf.grad` throw as soon as a
 * comparison lies between the input and the output (torch.where(x > 0, ...), wrapping negative
 * indices of an embedding lookup). */
const BINARY = ['Less', 'LessEqual', 'Greater', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'];
const UNARY = ['LogicalNot', 'IsNan', 'IsInf'];

let registered = false;

/** Registers zero gradients for those kernels (tfjs has no way to ask whether one exists without
 * a warning, and none of these has one in tfjs-core 4.x); idempotent. */
export function registerZeroGradients(): void {
  if (registered) return;
  registered = true;
  const zeroFor = (names: string[]) => (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
    Object.fromEntries(names.map((n, i) => [n, () => tf.zeros(saved[i]!.shape)]));
  for (const kernelName of BINARY) tf.registerGradient({ kernelName, inputsToSave: ['a', 'b'], gradFunc: zeroFor(['a', 'b']) });
  for (const kernelName of UNARY) tf.registerGradient({ kernelName, inputsToSave: ['x'], gradFunc: zeroFor(['x']) });
}
