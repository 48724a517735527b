/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2020, "From local explanations to global
 * understanding with explainable AI for trees", Algorithm 2): Shapley values of the tree model
 * where an absent feature is integrated out along the tree by the training cover of each branch.
 * Polynomial: O(leaves x depth^2) per tree and row.
 *
 * Output: n x d x K attributions (index (i*d + j)*K + k) in margin space, with
 *   Σ_j φ[i][j][k] + expectedValue[k] = margin[i][k]   (up to rounding),
 * expectedValue[k] = baseScore[k] + Σ_t w_t E_t where E_t is the tree's cover-weighted mean leaf.
 * Per encoded column; grouping columns into raw features is the caller's job.
 */
import { throwIfAborted } from '../../errors';
import { explainRowWithTables, hasTables, treeTables } from './treeshap-tables';
import { MISSING_NAN, MISSING_NONE, MISSING_ZERO, type Tree, type TreeEnsemble, treeDepth, treeWeights, ZERO_THRESHOLD } from './types';

export interface TreeShapOptions {
  signal?: AbortSignal;
  /** Rows between abort checks (and yields to the event loop). */
  batchSize?: number;
}

export interface TreeShapResult {
  /** n x d x K, index (i*d + j)*K + k. */
  values: Float64Array;
  /** K values in margin space. */
  expectedValue: Float64Array;
}

/** The cover-weighted mean prediction of each output: what path-dependent TreeSHAP starts from. */
export function expectedValue(ensemble: TreeEnsemble): Float64Array {
  const ev = Float64Array.from(ensemble.baseScore);
  const w = treeWeights(ensemble);
  ensemble.trees.forEach((tree, t) => (ev[tree.output] += w[t]! * treeExpectation(tree)));
  return ev;
}

/** E(node) = leaf value, or the children's E weighted by cover ratio (children before parents). */
export function treeExpectation(tree: Tree): number {
  const n = tree.left.length;
  const e = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const l = tree.left[i]!;
    if (l < 0) e[i] = tree.value[i]!;
    else {
      const r = tree.right[i]!;
      const c = tree.cover[i]!;
      e[i] = (tree.cover[l]! / c) * e[l]! + (tree.cover[r]! / c) * e[r]!;
    }
  }
  return e[0]!;
}

/** Yields to the event loop so an abort fired elsewhere is seen, then checks it. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (signal) await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfAborted(signal);
}

/**
 * Rows from which building the per-leaf tables (treeshap-tables.ts) pays off; below it, and
 * unless the tables are already cached, Algorithm 2 runs directly. Both give the same values.
 */
const TABLE_MIN_ROWS = 32;

export async function treeShap(ensemble: TreeEnsemble, X: Float32Array, n: number, options: TreeShapOptions & { method?: 'auto' | 'tables' | 'recursive' } = {}): Promise<TreeShapResult> {
  const d = ensemble.numFeatures;
  const K = ensemble.outputs;
  if (X.length !== n * d) throw new RangeError(`treeShap: X has ${X.length} values, expected n*d = ${n}*${d}`);
  const values = new Float64Array(n * d * K);
  const explainer = new PathExplainer(ensemble);
  const method = options.method ?? 'auto';
  const useTables = method === 'tables' || (method === 'auto' && (n >= TABLE_MIN_ROWS || hasTables(ensemble)));
  const tables = useTables ? treeTables(ensemble) : undefined;
  const masks = new Int32Array(ensemble.trees.reduce((m, t) => Math.max(m, t.left.length), 0));
  const batch = options.batchSize ?? 64;
  for (let start = 0; start < n; start += batch) {
    await checkpoint(options.signal);
    for (let i = start; i < Math.min(n, start + batch); i++) {
      if (!tables) explainer.explainRow(X, i * d, values, i * d * K, -1, 0);
      else {
        explainRowWithTables(tables, K, X, i * d, values, i * d * K, masks);
        if (tables.fallback.length > 0) explainer.explainRow(X, i * d, values, i * d * K, -1, 0, tables.fallback);
      }
    }
  }
  return { values, expectedValue: expectedValue(ensemble) };
}

/**
 * Algorithm 2 over every tree of an ensemble, with shap's conditioning extension (condition +1:
 * feature `conditionFeature` always present, -1: always absent, 0: none) that the interaction
 * values build on. Path buffers are preallocated once for the deepest tree: no allocation per row.
 */
export class PathExplainer {
  private readonly weights: Float64Array;
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  // The row being explained and where its φ goes, set per call (avoids threading them through the recursion).
  private x: ArrayLike<number> = new Float32Array(0);
  private xo = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiOffset = 0;
  private K = 1;
  private tree!: Tree;
  private scale = 1;
  private conditionFeature = -1;
  private condition = 0;

  constructor(readonly ensemble: TreeEnsemble) {
    this.weights = treeWeights(ensemble);
    const maxDepth = ensemble.trees.reduce((m, t) => Math.max(m, treeDepth(t)), 0);
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + 1;
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
    this.K = ensemble.outputs;
  }

  /**
   * Adds the row's φ (d x K at phi[phiOffset..]) over all trees. `condition`/`conditionFeature`:
   * see the class comment; conditioned runs attribute nothing to `conditionFeature` itself.
   * `treeIds`: only these trees (default all).
   */
  explainRow(
    x: ArrayLike<number>,
    xo: number,
    phi: Float64Array,
    phiOffset: number,
    conditionFeature: number,
    condition: number,
    treeIds?: ArrayLike<number>,
  ): void {
    this.x = x;
    this.xo = xo;
    this.phi = phi;
    this.phiOffset = phiOffset;
    this.conditionFeature = conditionFeature;
    this.condition = condition;
    const trees = this.ensemble.trees;
    const count = treeIds ? treeIds.length : trees.length;
    for (let ti = 0; ti < count; ti++) {
      const t = treeIds ? treeIds[ti]! : ti;
      const tree = trees[t]!;
      this.tree = tree;
      this.scale = this.weights[t]!;
      if (tree.left[0]! < 0) continue; // a single leaf attributes nothing
      this.recurse(0, 0, 0, 1, 1, -1, 1, tree.output);
    }
  }

  private recurse(node: number, depth: number, parentOffset: number, zero: number, one: number, feature: number, conditionFraction: number, k: number): void {
    if (conditionFraction === 0) return;
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    const offset = parentOffset + depth;
    // Copy the parent's path (depth entries) to this level's slot.
    if (depth > 0) {
      pf.copyWithin(offset, parentOffset, parentOffset + depth);
      pz.copyWithin(offset, parentOffset, parentOffset + depth);
      po.copyWithin(offset, parentOffset, parentOffset + depth);
      pw.copyWithin(offset, parentOffset, parentOffset + depth);
    }
    let uniqueDepth = depth;
    if (this.condition === 0 || this.conditionFeature !== feature) {
      extendPath(pf, pz, po, pw, offset, uniqueDepth, zero, one, feature);
    } else uniqueDepth -= 1;
    // From here the path has uniqueDepth + 1 entries at [offset, offset + uniqueDepth].
    const tree = this.tree;
    const left = tree.left[node]!;
    if (left < 0) {
      const v = tree.value[node]! * this.scale * conditionFraction;
      const phi = this.phi;
      const base = this.phiOffset + k;
      const K = this.K;
      for (let i = 1; i <= uniqueDepth; i++) {
        const w = unwoundPathSum(pz, po, pw, offset, uniqueDepth, i);
        phi[base + pf[offset + i]! * K] += w * (po[offset + i]! - pz[offset + i]!) * v;
      }
      return;
    }
    const right = tree.right[node]!;
    const split = tree.feature[node]!;
    const hot = this.goesLeft(node, this.x[this.xo + split]!) ? left : right;
    const cold = hot === left ? right : left;
    const c = tree.cover[node]!;
    const hotZero = tree.cover[hot]! / c;
    const coldZero = tree.cover[cold]! / c;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is unwound and re-extended with the product of its fractions.
    let p = 0;
    for (; p <= uniqueDepth; p++) if (pf[offset + p] === split) break;
    if (p !== uniqueDepth + 1) {
      incomingZero = pz[offset + p]!;
      incomingOne = po[offset + p]!;
      unwindPath(pf, pz, po, pw, offset, uniqueDepth, p);
      uniqueDepth -= 1;
    }
    let hotFraction = conditionFraction;
    let coldFraction = conditionFraction;
    if (this.condition > 0 && split === this.conditionFeature) {
      coldFraction = 0;
    } else if (this.condition < 0 && split === this.conditionFeature) {
      hotFraction *= hotZero;
      coldFraction *= coldZero;
    }
    this.recurse(hot, uniqueDepth + 1, offset, hotZero * incomingZero, incomingOne, split, hotFraction, k);
    this.recurse(cold, uniqueDepth + 1, offset, coldZero * incomingZero, 0, split, coldFraction, k);
  }

  private goesLeft(node: number, v: number): boolean {
    const tree = this.tree;
    const m = tree.missing === undefined ? MISSING_NAN : tree.missing[node]!;
    if (v !== v) {
      if (m !== MISSING_NONE) return tree.defaultLeft[node] === 1;
      v = 0;
    }
    if (m === MISSING_ZERO && v >= -ZERO_THRESHOLD && v <= ZERO_THRESHOLD) return tree.defaultLeft[node] === 1;
    return tree.decision === '<' ? v < tree.threshold[node]! : v <= tree.threshold[node]!;
  }
}

/** Adds feature `feature` with fractions (zero, one) as path entry `depth` (shap's extend_path). */
function extendPath(pf: Int32Array, pz: Float64Array, po: Float64Array, pw: Float64Array, o: number, depth: number, zero: number, one: number, feature: number): void {
  pf[o + depth] = feature;
  pz[o + depth] = zero;
  po[o + depth] = one;
  pw[o + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    pw[o + i + 1] += (one * pw[o + i]! * (i + 1)) / (depth + 1);
    pw[o + i] = (zero * pw[o + i]! * (depth - i)) / (depth + 1);
  }
}

/** Removes entry `index` from a path of depth + 1 entries (shap's unwind_path). */
function unwindPath(pf: Int32Array, pz: Float64Array, po: Float64Array, pw: Float64Array, o: number, depth: number, index: number): void {
  const one = po[o + index]!;
  const zero = pz[o + index]!;
  let next = pw[o + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = pw[o + i]!;
      pw[o + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (pw[o + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      pw[o + i] = (pw[o + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    pf[o + i] = pf[o + i + 1]!;
    pz[o + i] = pz[o + i + 1]!;
    po[o + i] = po[o + i + 1]!;
  }
}

/** Total permutation weight of the path with entry `index` removed (shap's unwound_path_sum). */
function unwoundPathSum(pz: Float64Array, po: Float64Array, pw: Float64Array, o: number, depth: number, index: number): number {
  const one = po[o + index]!;
  const zero = pz[o + index]!;
  let next = pw[o + depth]!;
  let total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = pw[o + i]! - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += pw[o + i]! / (zero * (depth - i));
  }
  return total * (depth + 1);
}
