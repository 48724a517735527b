/**
 * Exact interventional ("independent") TreeSHAP (Lundberg et al. 2020, the per-(x, reference)
 * algorithm behind shap's feature_perturbation="interventional"): the Shapley values of
 *   v(S) = mean over background rows r of f(x_S, r_S̄)
 * (present features from x, absent ones from r), computed exactly per (x, r) pair by one walk of
 * each tree: where x and r take the same branch the feature does not matter; where they differ the
 * walk follows both, recording the feature as "from x" (set P) or "from r" (set N). A leaf reached
 * with sets P, N is f's value exactly for coalitions S ⊇ P with S ∩ N = ∅, which gives each j in P
 * the weight |P|-1)!|N|!/(|P|+|N|)! and each j in N minus |P|!(|N|-1)!/(|P|+|N|)!.
 *
 * Output: n x d x K (index (i*d + j)*K + k) with Σ_j φ + expectedValue = margin, where
 * expectedValue[k] = mean over the background of its margins. Cost: n x B x (nodes visited).
 */
import { goesLeft, type TreeEnsemble, treeDepth, treeWeights } from './types';
import { predictMargins } from './predict';
import { checkpoint, type TreeShapOptions } from './treeshap';

export interface InterventionalResult {
  values: Float64Array;
  expectedValue: Float64Array;
}

export async function interventionalTreeShap(
  ensemble: TreeEnsemble,
  X: Float32Array,
  n: number,
  background: Float32Array,
  backgroundN: number,
  options: TreeShapOptions = {},
): Promise<InterventionalResult> {
  const d = ensemble.numFeatures;
  const K = ensemble.outputs;
  if (X.length !== n * d) throw new RangeError(`interventionalTreeShap: X has ${X.length} values, expected n*d = ${n}*${d}`);
  if (backgroundN < 1 || background.length !== backgroundN * d) {
    throw new RangeError(`interventionalTreeShap: background has ${background.length} values, expected backgroundN*d = ${backgroundN}*${d} with backgroundN >= 1`);
  }
  const maxDepth = ensemble.trees.reduce((m, t) => Math.max(m, treeDepth(t)), 0);
  // coef[p][q]: the Shapley weight p!q!/(p+q+1)! of a coalition of p others from x and q from r.
  const fact = [1];
  for (let i = 1; i <= maxDepth + 1; i++) fact.push(fact[i - 1]! * i);
  const coef = (p: number, q: number): number => (fact[p]! * fact[q]!) / fact[p + q + 1]!;
  const weights = treeWeights(ensemble);

  const values = new Float64Array(n * d * K);
  const from = new Uint8Array(d); // 0 undecided, 1 from x, 2 from r
  const pos = new Int32Array(maxDepth + 1);
  const neg = new Int32Array(maxDepth + 1);
  const batch = Math.max(1, Math.floor((options.batchSize ?? 64) / 4));

  for (let start = 0; start < n; start += batch) {
    await checkpoint(options.signal);
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const xo = i * d;
      const out = i * d * K;
      for (let b = 0; b < backgroundN; b++) {
        const ro = b * d;
        for (let t = 0; t < ensemble.trees.length; t++) {
          const tree = ensemble.trees[t]!;
          const scale = weights[t]! / backgroundN;
          const k = tree.output;
          const walk = (node: number, np: number, nn: number): void => {
            if (tree.left[node]! < 0) {
              const v = tree.value[node]! * scale;
              if (np > 0) {
                const w = v * coef(np - 1, nn);
                for (let a = 0; a < np; a++) values[out + pos[a]! * K + k] += w;
              }
              if (nn > 0) {
                const w = v * coef(np, nn - 1);
                for (let a = 0; a < nn; a++) values[out + neg[a]! * K + k] -= w;
              }
              return;
            }
            const f = tree.feature[node]!;
            const state = from[f]!;
            const xl = goesLeft(tree, node, X[xo + f]!);
            if (state === 1) return walk(xl ? tree.left[node]! : tree.right[node]!, np, nn);
            const rl = goesLeft(tree, node, background[ro + f]!);
            if (state === 2) return walk(rl ? tree.left[node]! : tree.right[node]!, np, nn);
            if (xl === rl) return walk(xl ? tree.left[node]! : tree.right[node]!, np, nn);
            from[f] = 1;
            pos[np] = f;
            walk(xl ? tree.left[node]! : tree.right[node]!, np + 1, nn);
            from[f] = 2;
            neg[nn] = f;
            walk(rl ? tree.left[node]! : tree.right[node]!, np, nn + 1);
            from[f] = 0;
          };
          walk(0, 0, 0);
        }
      }
    }
  }
  const bgMargins = predictMargins(ensemble, background, backgroundN);
  const expectedValue = new Float64Array(K);
  for (let b = 0; b < backgroundN; b++) for (let k = 0; k < K; k++) expectedValue[k] += bgMargins[b * K + k]! / backgroundN;
  return { values, expectedValue };
}
