/**
 * The contract of an ONNX operator implementation: attributes, inputs, and the tensors it returns.
 */
import type { onnx } from 'onnx-proto';
import type { tf } from '../../../engine/tf';
import type { HostTensor } from '../tensor';

/** A node's attributes, read with ONNX defaults. */
export interface Attributes {
  has(name: string): boolean;
  int(name: string, fallback: number): number;
  float(name: string, fallback: number): number;
  ints(name: string): number[] | undefined;
  floats(name: string): number[] | undefined;
  string(name: string, fallback: string): string;
  tensor(name: string): HostTensor | undefined;
}

/** What an operator sees while the graph runs. */
export interface OpContext {
  node: onnx.INodeProto;
  /** The model's default-domain opset: some operators changed meaning across versions. */
  opset: number;
  attrs: Attributes;
  /** Inputs in order; undefined where an optional input is omitted (empty name) or absent. */
  inputs: Array<tf.Tensor | undefined>;
  /** The exact integer values of input i (shapes, axes, indices): known constants without a device
   * read, otherwise read back once. Undefined when the input is omitted. */
  ints(i: number): number[] | undefined;
  /** Like `ints`, but only when the values are already known on the host (never reads the device). */
  knownInts(i: number): number[] | undefined;
  /** Input i as a 2-D matrix transposed: for an initializer (not overridden by `forward`'s
   * parameters) a copy made once at load, so Gemm's transB costs nothing per call. */
  transposed(i: number): tf.Tensor;
  /** Records that `t` holds exactly these integers, so later `ints` reads need no device read. */
  known<T extends tf.Tensor>(t: T, ints: number[]): T;
}

/** One operator: tfjs ops only (so `tf.grad` differentiates through it); returns its outputs in
 * order (a single tensor for one output). Runs inside the graph's `tf.tidy`. */
export type OpImpl = (ctx: OpContext) => tf.Tensor | Array<tf.Tensor | undefined>;

/** Optional load-time check of a node's attributes: returns a reason the node cannot run, or
 * undefined. Runs once, so `forward` need not validate. */
export type OpCheck = (attrs: Attributes, opset: number) => string | undefined;

export interface OpDef {
  run: OpImpl;
  check?: OpCheck;
}

export type OpFamily = Record<string, OpDef>;
