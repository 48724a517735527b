/**
 * Path-dependent TreeSHAP with per-leaf precomputed tables (the idea of Fast TreeSHAP v2, Yang
 * 2021): in Algorithm 2 a leaf's contribution depends on the row only through which of the
 * path's u unique features the row "follows" (one fraction 1 when it takes the path's branch at
 * every split on that feature, else 0); the zero fractions (cover ratios) are fixed by the tree.
 * So for every leaf and each of its 2^u hot masks the u contributions are computed once, and a
 * row costs one pass over the nodes (to get each leaf's mask) plus u additions per leaf:
 * O(nodes + leaves x depth) per tree instead of O(leaves x depth^2).
 *
 * Tables are built per ensemble and cached (WeakMap), so repeated explanations (hovers) reuse
 * them. A tree whose table would exceed the budget (deep trees: 2^u grows fast) is explained by
 * Algorithm 2 instead (`PathExplainer`); `TreeTables.fallback` lists those trees.
 */
import { type Tree, type TreeEnsemble, treeWeights, goesLeft } from './types';

/** Doubles per ensemble the tables may take (256 MiB); trees beyond it use Algorithm 2. */
const TABLE_BUDGET = 32 * 1024 * 1024;
/** Largest unique-feature count per leaf handled by tables (2^u x u doubles per leaf). */
const MAX_UNIQUE = 12;

interface TreeTable {
  tree: Tree;
  /** Per node: the bit of its split feature in the masks of the leaves below (-1 at leaves). */
  slot: Int8Array;
  leaves: Int32Array;
  /** Per leaf: unique-feature count and where its features and table start. */
  unique: Uint8Array;
  featureStart: Int32Array;
  features: Int32Array;
  tableStart: Int32Array;
  table: Float64Array;
}

export interface TreeTables {
  tables: (TreeTable | null)[];
  /** Trees that get Algorithm 2 (table over budget or too many unique features on a path). */
  fallback: number[];
}

const cache = new WeakMap<TreeEnsemble, TreeTables>();

export function treeTables(ensemble: TreeEnsemble): TreeTables {
  let t = cache.get(ensemble);
  if (!t) {
    t = buildTables(ensemble);
    cache.set(ensemble, t);
  }
  return t;
}

/** Whether tables for this ensemble are already built (then even one row uses them). */
export function hasTables(ensemble: TreeEnsemble): boolean {
  return cache.has(ensemble);
}

function buildTables(ensemble: TreeEnsemble): TreeTables {
  const weights = treeWeights(ensemble);
  let used = 0;
  const fallback: number[] = [];
  const tables = ensemble.trees.map((tree, t) => {
    const table = buildTree(tree, weights[t]!, TABLE_BUDGET - used);
    if (table) used += table.table.length;
    else fallback.push(t);
    return table;
  });
  return { tables, fallback };
}

/** One tree's tables, or null when they would take more than `budget` doubles. */
function buildTree(tree: Tree, weight: number, budget: number): TreeTable | null {
  const n = tree.left.length;
  const slot = new Int8Array(n).fill(-1);
  const leaves: number[] = [];
  const unique: number[] = [];
  const features: number[] = [];
  const featureStart: number[] = [];
  const zeros: number[][] = [];
  // DFS carrying the path's unique features and their zero-fraction products.
  const pathFeatures: number[] = [];
  const pathZero: number[] = [];
  let size = 0;
  let ok = true;
  const visit = (node: number): void => {
    if (!ok) return;
    if (tree.left[node]! < 0) {
      const u = pathFeatures.length;
      if (u > MAX_UNIQUE) {
        ok = false;
        return;
      }
      leaves.push(node);
      unique.push(u);
      featureStart.push(features.length);
      features.push(...pathFeatures);
      zeros.push([...pathZero]);
      size += (1 << u) * u;
      if (size > budget) ok = false;
      return;
    }
    const f = tree.feature[node]!;
    let s = pathFeatures.indexOf(f);
    const added = s < 0;
    if (added) {
      s = pathFeatures.length;
      pathFeatures.push(f);
      pathZero.push(1);
    }
    slot[node] = s;
    const before = pathZero[s]!;
    const c = tree.cover[node]!;
    for (const child of [tree.left[node]!, tree.right[node]!]) {
      pathZero[s] = before * (tree.cover[child]! / c);
      visit(child);
    }
    pathZero[s] = before;
    if (added) {
      pathFeatures.pop();
      pathZero.pop();
    }
  };
  if (tree.left[0]! >= 0) visit(0);
  if (!ok) return null;

  const table = new Float64Array(size);
  const tableStart = new Int32Array(leaves.length);
  const pw = new Float64Array(MAX_UNIQUE + 2);
  const pz = new Float64Array(MAX_UNIQUE + 2);
  const po = new Float64Array(MAX_UNIQUE + 2);
  let at = 0;
  leaves.forEach((leaf, li) => {
    const u = unique[li]!;
    const z = zeros[li]!;
    const v = tree.value[leaf]! * weight;
    tableStart[li] = at;
    for (let mask = 0; mask < 1 << u; mask++) {
      // Path of the dummy root entry plus one entry per unique feature, extended in order.
      pz[0] = 1;
      po[0] = 1;
      pw[0] = 1;
      for (let a = 1; a <= u; a++) {
        const zero = z[a - 1]!;
        const one = (mask >> (a - 1)) & 1;
        pz[a] = zero;
        po[a] = one;
        pw[a] = 0;
        for (let i = a - 1; i >= 0; i--) {
          pw[i + 1] += (one * pw[i]! * (i + 1)) / (a + 1);
          pw[i] = (zero * pw[i]! * (a - i)) / (a + 1);
        }
      }
      for (let a = 1; a <= u; a++) table[at + a - 1] = unwoundSum(pz, po, pw, u, a) * (po[a]! - pz[a]!) * v;
      at += u;
    }
  });
  return {
    tree,
    slot,
    leaves: Int32Array.from(leaves),
    unique: Uint8Array.from(unique),
    featureStart: Int32Array.from(featureStart),
    features: Int32Array.from(features),
    tableStart,
    table,
  };
}

function unwoundSum(pz: Float64Array, po: Float64Array, pw: Float64Array, depth: number, index: number): number {
  const one = po[index]!;
  const zero = pz[index]!;
  let next = pw[depth]!;
  let total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = pw[i]! - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += pw[i]! / (zero * (depth - i));
  }
  return total * (depth + 1);
}

/**
 * Adds the row's φ for every tree with a table into phi[phiOffset + j*K + k]. `masks` is scratch
 * of at least the largest tree's node count.
 */
export function explainRowWithTables(
  tables: TreeTables,
  K: number,
  x: ArrayLike<number>,
  xo: number,
  phi: Float64Array,
  phiOffset: number,
  masks: Int32Array,
): void {
  for (const tt of tables.tables) {
    if (tt === null) continue;
    const tree = tt.tree;
    const { left, right, feature, threshold, defaultLeft, missing } = tree;
    const lt = tree.decision === '<';
    const slot = tt.slot;
    const n = left.length;
    masks[0] = -1; // every feature followed so far
    for (let i = 0; i < n; i++) {
      const l = left[i]!;
      if (l < 0) continue;
      const r = right[i]!;
      const m = masks[i]!;
      const off = m & ~(1 << slot[i]!);
      const v = x[xo + feature[i]!]!;
      // goesLeft inlined for the common case (no per-node missing rule, value present).
      const toLeft = missing === undefined && v === v ? (lt ? v < threshold[i]! : v <= threshold[i]!) : missing === undefined ? defaultLeft[i] === 1 : goesLeft(tree, i, v);
      if (toLeft) {
        masks[l] = m;
        masks[r] = off;
      } else {
        masks[l] = off;
        masks[r] = m;
      }
    }
    const { leaves, unique, featureStart, features, tableStart, table } = tt;
    const base = phiOffset + tree.output;
    for (let li = 0; li < leaves.length; li++) {
      const u = unique[li]!;
      if (u === 0) continue;
      const h = masks[leaves[li]!]! & ((1 << u) - 1);
      const t0 = tableStart[li]! + h * u;
      const f0 = featureStart[li]!;
      for (let a = 0; a < u; a++) phi[base + features[f0 + a]! * K] += table[t0 + a]!;
    }
  }
}
