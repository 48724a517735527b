/**
 * Importance shares: how much of the model's attention each raw feature gets, as fractions summing
 * to 1, globally and per row. The one definition every caller shares: `glassbox importance`
 * (`shares` of importance.ts), the model checks (`irrelevant`, `protected`, `expected-top`,
 * `leakage`) and drift impact all read shares from `importanceProvider`, so the same method and
 * parameters give the same numbers everywhere.
 *
 * - Method: any registered attribution method; default `DEFAULT_IMPORTANCE` (KernelSHAP, 128
 *   coalitions × 8 k-means background rows, as `glassbox importance`), target the predicted class.
 * - Global share: importance.ts `summarise`: mean |attribution| per raw feature over the rows,
 *   normalised to sum to 1 (max(0, signed mean) for methods whose values are signed metric drops,
 *   uniform when every attribution is 0).
 * - Local share of a row: its |attribution| per feature divided by the row's total (0 when all 0).
 * - Background: the training rows the caller passes (KernelSHAP clusters them to 8 rows).
 */
import { featureNames, type Encoding } from '../data/encoding';
import { takeRows, type Dataset } from '../data/dataset';
import type { ModelHandle } from '../model/model';
import { getMethod } from '../methods/registry';
import { resolveParams } from '../methods/params';
import type { AttributionInput } from '../methods/types';
import { DEFAULT_IMPORTANCE, defaultImportance, summarise } from './importance';

export interface ImportanceShares {
  /** Which provider (and method) computed the shares, e.g. `mean |kernel-shap|`. */
  provider: string;
  features: string[];
  /** Global share per feature; sums to 1. */
  global: Float64Array;
  /** The rows explained (indices into `dataset`). */
  dataset: Dataset;
  rows: Int32Array;
  /** rows x features local shares; each row sums to 1 unless its attributions are all 0. */
  local: Float64Array;
}

export interface SharesRequest {
  model: ModelHandle;
  encoding: Encoding;
  /** Encoded rows (n x width, row-major). */
  X: Float32Array;
  n: number;
  /** Training rows for methods that need a background. */
  background?: { X: Float32Array; n: number };
  seed: number;
  signal?: AbortSignal;
}

/** `SharesRequest` for rows of a data set (the provider encodes them). */
export interface SharesQuery extends Omit<SharesRequest, 'X' | 'n'> {
  dataset: Dataset;
  rows: Int32Array;
}

export interface ImportanceProvider {
  id: string;
  /** Global and local shares of encoded rows. */
  shares(request: SharesRequest): Promise<{ global: Float64Array; local: Float64Array }>;
  /** The same for rows of a data set, with the rows kept for evidence. */
  compute(request: SharesQuery): Promise<ImportanceShares>;
}

/**
 * The provider for `methodId` (default: the global-importance default with its parameters; a named
 * method runs with its own defaults unless `params` are given). Unknown ids throw the registry's error.
 */
export function importanceProvider(methodId?: string, params?: Record<string, unknown>): ImportanceProvider {
  // Unnamed: the model's own default (defaultImportance), chosen per request.
  const fixed = methodId === undefined ? undefined : getMethod(methodId);
  // Parameters of a named method are validated now, before any work.
  const fixedResolved = fixed && resolveParams(fixed.id, fixed.params, params ?? (fixed.id === DEFAULT_IMPORTANCE.method ? DEFAULT_IMPORTANCE.params : {}));
  const choose = (model: ModelHandle) => {
    if (fixed) return { method: fixed, resolved: fixedResolved! };
    const d = defaultImportance(model);
    const method = getMethod(d.method);
    return { method, resolved: resolveParams(method.id, method.params, params ?? d.params) };
  };
  const idOf = (model?: ModelHandle) => `mean |${fixed?.id ?? (model ? defaultImportance(model).method : DEFAULT_IMPORTANCE.method)}|`;
  const provider: ImportanceProvider = {
    get id() {
      return idOf();
    },
    async shares({ model, encoding, X, n, background, seed, signal }) {
      const { method, resolved } = choose(model);
      const input: AttributionInput = { model, encoding, X, n, target: { kind: 'predicted' }, seed };
      if (signal) input.signal = signal;
      if (method.capabilities.background && background) {
        input.background = background.X;
        input.backgroundN = background.n;
      }
      const result = await method.attribute(input, resolved);
      return sharesFromAttributions(result.grouped, n, encoding.features.length, result.extras.aggregate === 'signed');
    },
    async compute({ dataset, rows, ...rest }) {
      const s = await provider.shares({ ...rest, X: takeRows(dataset, rows), n: rows.length });
      return { provider: idOf(rest.model), features: featureNames(rest.encoding), dataset, rows, ...s };
    },
  };
  return provider;
}

/** Local and global shares of n x F attributions per raw feature (row-major). */
export function sharesFromAttributions(grouped: ArrayLike<number>, n: number, F: number, signed = false): { global: Float64Array; local: Float64Array } {
  const local = new Float64Array(n * F);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let f = 0; f < F; f++) total += Math.abs(grouped[i * F + f]!);
    for (let f = 0; f < F; f++) local[i * F + f] = total > 0 ? Math.abs(grouped[i * F + f]!) / total : 0;
  }
  const global = Float64Array.from(summarise(grouped, Int32Array.from({ length: n }, (_, i) => i), F, signed).shares);
  return { global, local };
}

/** Features ordered by global share, largest first. */
export function rankFeatures(shares: ImportanceShares): Array<{ feature: string; share: number; rank: number }> {
  return shares.features
    .map((feature, f) => ({ feature, share: shares.global[f]!, rank: 0 }))
    .sort((a, b) => b.share - a.share)
    .map((e, i) => ({ ...e, rank: i + 1 }));
}
