/**
 * Exact SHAP interaction values, path-dependent (Lundberg et al. 2020, section "SHAP interaction
 * values"; shap's tree_shap with conditioning): for i != j,
 *   Φ[i][j] = (φ_j | i always present  −  φ_j | i always absent) / 2,
 * and the diagonal makes each row add up to the SHAP value: Φ[i][i] = φ_i − Σ_{j≠i} Φ[i][j].
 * So Σ_j Φ[i][j] = φ_i and Σ_ij Φ = margin − expectedValue.
 *
 * Output: n x d x d x K, index ((r*d + i)*d + j)*K + k. Conditioning on a feature only changes the
 * trees that split on it, so each feature reruns only those trees.
 */
import { checkpoint, expectedValue, PathExplainer, type TreeShapOptions } from './treeshap';
import type { TreeEnsemble } from './types';

export interface InteractionResult {
  /** n x d x d x K, index ((r*d + i)*d + j)*K + k. */
  values: Float64Array;
  expectedValue: Float64Array;
}

export async function treeShapInteractions(
  ensemble: TreeEnsemble,
  X: Float32Array,
  n: number,
  options: TreeShapOptions = {},
): Promise<InteractionResult> {
  const d = ensemble.numFeatures;
  const K = ensemble.outputs;
  if (X.length !== n * d) throw new RangeError(`treeShapInteractions: X has ${X.length} values, expected n*d = ${n}*${d}`);
  const values = new Float64Array(n * d * d * K);
  const explainer = new PathExplainer(ensemble);
  const treesOf: number[][] = Array.from({ length: d }, () => []);
  ensemble.trees.forEach((tree, t) => {
    const used = new Set<number>();
    for (let i = 0; i < tree.left.length; i++) if (tree.left[i]! >= 0) used.add(tree.feature[i]!);
    for (const f of used) treesOf[f]!.push(t);
  });
  const dK = d * K;
  const phi = new Float64Array(dK);
  const on = new Float64Array(dK);
  const off = new Float64Array(dK);
  const batch = Math.max(1, Math.floor((options.batchSize ?? 64) / 8));
  for (let start = 0; start < n; start += batch) {
    await checkpoint(options.signal);
    for (let r = start; r < Math.min(n, start + batch); r++) {
      phi.fill(0);
      explainer.explainRow(X, r * d, phi, 0, -1, 0);
      const out = r * d * dK;
      for (let i = 0; i < d; i++) {
        const ids = treesOf[i]!;
        if (ids.length === 0) continue;
        on.fill(0);
        off.fill(0);
        explainer.explainRow(X, r * d, on, 0, i, 1, ids);
        explainer.explainRow(X, r * d, off, 0, i, -1, ids);
        const row = out + i * dK;
        for (let j = 0; j < d; j++) {
          if (j === i) continue;
          for (let k = 0; k < K; k++) values[row + j * K + k] = (on[j * K + k]! - off[j * K + k]!) / 2;
        }
      }
      for (let i = 0; i < d; i++) {
        const row = out + i * dK;
        for (let k = 0; k < K; k++) {
          let rest = 0;
          for (let j = 0; j < d; j++) if (j !== i) rest += values[row + j * K + k]!;
          values[row + i * K + k] = phi[i * K + k]! - rest;
        }
      }
    }
  }
  return { values, expectedValue: expectedValue(ensemble) };
}
