/**
 * Every ONNX operator Glassbox runs with TensorFlow.js, by name; graphs with others fall back to
 * onnxruntime (forward only).
 */
import { activation } from './activation';
import { elementwise } from './elementwise';
import { linear } from './linear';
import { normalisation } from './normalisation';
import { shape } from './shape';
import type { OpDef } from './types';

/** Operator name (default ONNX domain) -> its tfjs implementation. */
export const OPERATORS: ReadonlyMap<string, OpDef> = new Map(
  Object.entries({ ...elementwise, ...activation, ...linear, ...normalisation, ...shape }),
);

export const SUPPORTED_OPERATORS: readonly string[] = [...OPERATORS.keys()].sort();
