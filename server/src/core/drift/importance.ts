/**
 * Importance shares for drift impact: how much the model relies on each raw feature, as shares
 * summing to 1, measured on a given set of rows (training or reference). Drift analyses depend
 * only on the narrow `ImportanceShares` interface, so any global-importance method can provide it.
 *
 * The provider here: mean |attribution| per raw feature of any registered attribution method
 * (target: the predicted class), normalised to sum to 1. With the default method, `saliency`,
 * that is mean |∂ logit / ∂ input| with a categorical feature read on the row's own category
 * column (`groupByFeatureActive`); it measures local sensitivity in standardised input units, not
 * contribution, so read it as "how strongly the model reacts to the feature".
 */
import type { Encoding } from '../data/encoding';
import type { ModelHandle } from '../model/model';
import { getMethod } from '../methods/registry';
import { resolveParams } from '../methods/params';
import type { AttributionInput } from '../methods/types';

/** Share per raw feature (encoding order), summing to 1, for `n` encoded rows (row-major). */
export type ImportanceShares = (rows: Float32Array, n: number) => Promise<Float64Array>;

export interface MethodImportanceOptions {
  method?: string;
  /** Training rows for methods that need a background (row-major). */
  background?: { X: Float32Array; n: number };
  seed?: number;
  signal?: AbortSignal;
}

export function methodImportance(model: ModelHandle, encoding: Encoding, options: MethodImportanceOptions = {}): ImportanceShares {
  const method = getMethod(options.method ?? 'saliency');
  const params = resolveParams(method.id, method.params, {});
  return async (X, n) => {
    const input: AttributionInput = { model, encoding, X, n, target: { kind: 'predicted' }, seed: options.seed ?? 0 };
    if (options.signal) input.signal = options.signal;
    if (method.capabilities.background && options.background) {
      input.background = options.background.X;
      input.backgroundN = options.background.n;
    }
    const result = await method.attribute(input, params);
    return sharesFromAttributions(result.grouped, n, encoding.features.length);
  };
}

/** Mean |value| per column of a rows x F matrix, normalised to sum to 1 (uniform if all zero). */
export function sharesFromAttributions(grouped: ArrayLike<number>, n: number, F: number): Float64Array {
  const out = new Float64Array(F);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) out[f]! += Math.abs(grouped[i * F + f]!);
  let total = 0;
  for (let f = 0; f < F; f++) total += out[f]!;
  for (let f = 0; f < F; f++) out[f] = total > 0 ? out[f]! / total : 1 / F;
  return out;
}
