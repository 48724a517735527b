/**
 * Importance shares for drift impact: how much the model relies on each raw feature, as shares
 * summing to 1, measured on a given set of rows (training or reference). Drift analyses depend
 * only on the narrow `ImportanceShares` interface, so any global-importance method can provide it.
 *
 * The default provider is the one behind `glassbox importance` and `glassbox check`
 * (importance/shares.ts: global share = mean |attribution| per raw feature normalised to sum to 1,
 * target the predicted class), with the same default method: KernelSHAP, 128 coalitions × 8
 * k-means background rows from the training data. `method` names another registered method (run
 * with its own defaults).
 */
import type { Encoding } from '../data/encoding';
import type { ModelHandle } from '../model/model';
import { importanceProvider } from '../importance/shares';

/** Share per raw feature (encoding order), summing to 1, for `n` encoded rows (row-major). */
export type ImportanceShares = (rows: Float32Array, n: number) => Promise<Float64Array>;

export interface MethodImportanceOptions {
  /** Method id (default: the global-importance default). */
  method?: string;
  /** Training rows for methods that need a background (row-major). */
  background?: { X: Float32Array; n: number };
  seed?: number;
  signal?: AbortSignal;
}

export function methodImportance(model: ModelHandle, encoding: Encoding, options: MethodImportanceOptions = {}): ImportanceShares {
  const provider = importanceProvider(options.method);
  return async (X, n) => {
    const s = await provider.shares({ model, encoding, X, n, seed: options.seed ?? 0, ...(options.background ? { background: options.background } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    return s.global;
  };
}
