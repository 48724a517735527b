/**
 * Importance shares: how much of the model's attention each raw feature gets, globally and per row,
 * as fractions summing to 1. The expectation checks (`irrelevant`, `protected`, `expectedTop`) and
 * the leaking-feature detector read shares through the narrow `ImportanceProvider` interface, so a
 * better global-importance estimate can replace the default without touching any check.
 *
 * Default provider: mean absolute attribution of any registered method (gradient saliency unless
 * `checks.importanceMethod` says otherwise), target the predicted class, per raw feature. A row's
 * local shares are its |attribution| per feature divided by their sum; the global share is the mean
 * |attribution| per feature divided by the total. Saliency measures sensitivity per standardised
 * unit of a numeric feature and along the row's own category indicator of a categorical one.
 */
import { featureNames, type Encoding } from '../data/encoding';
import { takeRows, type Dataset } from '../data/dataset';
import type { ModelHandle } from '../model/model';
import { getMethod } from '../methods/registry';
import { resolveParams } from '../methods/params';
import type { AttributionInput } from '../methods/types';

export interface ImportanceShares {
  /** Which provider (and method) computed the shares, e.g. `mean |saliency|`. */
  provider: string;
  features: string[];
  /** Global share per feature; sums to 1 unless every attribution is 0. */
  global: Float64Array;
  /** The rows explained (indices into `dataset`). */
  dataset: Dataset;
  rows: Int32Array;
  /** rows x features local shares; each row sums to 1 unless its attributions are all 0. */
  local: Float64Array;
}

export interface ImportanceRequest {
  model: ModelHandle;
  encoding: Encoding;
  dataset: Dataset;
  rows: Int32Array;
  /** Training rows for methods that need a background. */
  background?: { X: Float32Array; n: number };
  seed: number;
  signal?: AbortSignal;
}

export interface ImportanceProvider {
  id: string;
  compute(request: ImportanceRequest): Promise<ImportanceShares>;
}

/** Shares from the mean |attribution| of a registered attribution method. */
export function attributionImportance(methodId = 'saliency'): ImportanceProvider {
  const method = getMethod(methodId);
  return {
    id: `mean |${method.id}|`,
    async compute({ model, encoding, dataset, rows, background, seed, signal }) {
      const X = takeRows(dataset, rows);
      const n = rows.length;
      const input: AttributionInput = { model, encoding, X, n, target: { kind: 'predicted' }, seed };
      if (signal) input.signal = signal;
      if (method.capabilities.background && background) {
        input.background = background.X;
        input.backgroundN = background.n;
      }
      const result = await method.attribute(input, resolveParams(method.id, method.params, {}));
      return sharesFromAttributions(`mean |${method.id}|`, featureNames(encoding), result.grouped, dataset, rows);
    },
  };
}

/** Normalises n x F attributions (per raw feature) into local and global shares of |attribution|. */
export function sharesFromAttributions(provider: string, features: string[], grouped: ArrayLike<number>, dataset: Dataset, rows: Int32Array): ImportanceShares {
  const F = features.length;
  const n = rows.length;
  const local = new Float64Array(n * F);
  const mean = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let f = 0; f < F; f++) total += Math.abs(grouped[i * F + f]!);
    for (let f = 0; f < F; f++) {
      const a = Math.abs(grouped[i * F + f]!);
      mean[f]! += a / n;
      local[i * F + f] = total > 0 ? a / total : 0;
    }
  }
  const sum = mean.reduce((s, v) => s + v, 0);
  const global = mean.map((v) => (sum > 0 ? v / sum : 0));
  return { provider, features, global, dataset, rows, local };
}

/** Features ordered by global share, largest first. */
export function rankFeatures(shares: ImportanceShares): Array<{ feature: string; share: number; rank: number }> {
  return shares.features
    .map((feature, f) => ({ feature, share: shares.global[f]!, rank: 0 }))
    .sort((a, b) => b.share - a.share)
    .map((e, i) => ({ ...e, rank: i + 1 }));
}
