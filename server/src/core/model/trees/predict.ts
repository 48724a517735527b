/**
 * Margins and outputs of a TreeEnsemble for n rows. X is row-major n x d float32 (every library
 * compares inputs as float32), NaN = missing. Trees are walked over flat typed arrays, tree-major so
 * one tree's arrays stay in cache across all rows.
 */
import { throwIfAborted } from '../../errors';
import { applyLink, MISSING_NAN, MISSING_NONE, MISSING_ZERO, type Tree, type TreeEnsemble, treeWeights, ZERO_THRESHOLD } from './types';

/** Leaf node id that row `x` (at offset `o` of X) reaches in `tree`. */
export function leafOf(tree: Tree, X: ArrayLike<number>, o: number): number {
  const { left, right, feature, threshold, defaultLeft, missing } = tree;
  const lt = tree.decision === '<';
  let node = 0;
  while (left[node]! >= 0) {
    let v = X[o + feature[node]!]!;
    let goLeft: boolean;
    const m = missing === undefined ? MISSING_NAN : missing[node]!;
    if (v !== v && m !== MISSING_NONE) goLeft = defaultLeft[node] === 1;
    else {
      if (v !== v) v = 0;
      if (m === MISSING_ZERO && v >= -ZERO_THRESHOLD && v <= ZERO_THRESHOLD) goLeft = defaultLeft[node] === 1;
      else goLeft = lt ? v < threshold[node]! : v <= threshold[node]!;
    }
    node = goLeft ? left[node]! : right[node]!;
  }
  return node;
}

/** n x K margins: baseScore + the (weighted) leaf values of each output's trees. */
export function predictMargins(ensemble: TreeEnsemble, X: Float32Array, n: number, signal?: AbortSignal): Float64Array {
  const d = ensemble.numFeatures;
  const K = ensemble.outputs;
  if (X.length !== n * d) throw new RangeError(`predictMargins: X has ${X.length} values, expected n*d = ${n}*${d}`);
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) out[i * K + k] = ensemble.baseScore[k]!;
  const weights = treeWeights(ensemble);
  ensemble.trees.forEach((tree, t) => {
    if (t % 64 === 0) throwIfAborted(signal);
    const w = weights[t]!;
    const k = tree.output;
    const value = tree.value;
    for (let i = 0; i < n; i++) out[i * K + k] += w * value[leafOf(tree, X, i * d)]!;
  });
  return out;
}

/** n x K model outputs: the link applied to the margins (probabilities for classifiers). */
export function predictOutputs(ensemble: TreeEnsemble, X: Float32Array, n: number, signal?: AbortSignal): Float64Array {
  return applyLink(ensemble.link, predictMargins(ensemble, X, n, signal), ensemble.outputs);
}
