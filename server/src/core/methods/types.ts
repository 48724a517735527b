/**
 * The one interface every attribution method implements (captum-style): encoded inputs in, one
 * attribution per row and encoded column out, plus the same summed per raw feature.
 */
import type { Encoding } from '../data/encoding';
import type { ModelHandle, ModelKind } from '../model/model';

/**
 * What is being explained, per row:
 * - `predicted`: the logit of the class the model predicts for that row;
 * - `class`: the logit of a given class index;
 * - `loss`: the cross-entropy loss against the row's true label (needs labels);
 * for regression every target is the predicted value.
 */
export type Target = { kind: 'predicted' } | { kind: 'class'; index: number } | { kind: 'loss' };

export interface AttributionInput {
  model: ModelHandle;
  encoding: Encoding;
  /** Row-major n x width encoded rows to explain. */
  X: Float32Array;
  n: number;
  /** True labels (class index) per row; required by the `loss` target. */
  labels?: Float32Array;
  target: Target;
  /** Training rows (row-major, `backgroundN` x width) for baselines, noise scales and backgrounds. */
  background?: Float32Array;
  backgroundN?: number;
  /** Per-row baselines (row-major n x width) for path methods given `baseline: custom`. */
  baselines?: Float32Array;
  seed?: number;
  signal?: AbortSignal;
  /** Called with the fraction done, between batches. */
  onProgress?: (fraction: number) => void;
}

export interface AttributionResult {
  method: string;
  n: number;
  width: number;
  /** n x width, per encoded column. */
  encoded: Float32Array;
  /** n x features, per raw feature (one-hot groups summed). */
  grouped: Float64Array;
  /** The class explained for each row: the predicted or given class, the true label for `loss`, -1 for regression. */
  targetClass: Int32Array;
  /** Method-specific per-row or global diagnostics (plain JSON). */
  extras: Record<string, unknown>;
}

export interface MethodCapabilities {
  /** Uses gradients of the model (needs a differentiable model). */
  gradients: boolean;
  /** Needs `background` rows. */
  background: boolean;
  /** Uses random numbers; `seed` makes it reproducible. */
  stochastic: boolean;
  /** Only for these model kinds (exact methods that read the model's structure); absent: any. */
  models?: readonly ModelKind[];
}

export interface ParamSpec {
  type: 'number' | 'integer' | 'boolean' | 'string';
  default: number | boolean | string;
  description: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

export interface AttributionMethod<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  name: string;
  /** One line: what it computes. */
  summary: string;
  /** The paper or reference the method follows. */
  reference?: string;
  capabilities: MethodCapabilities;
  params: { [K in keyof P]: ParamSpec };
  attribute(input: AttributionInput, params: P): Promise<AttributionResult>;
}
