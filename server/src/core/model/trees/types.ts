/**
 * One flat in-memory form for every tree ensemble Glassbox reads (XGBoost, LightGBM,
 * scikit-learn via glassbox-trees JSON). docs/model-formats.md "Tree ensembles" states the
 * semantics; the readers map their library onto it and `validateEnsemble` checks the invariants
 * that prediction and TreeSHAP rely on, so those never re-check.
 */
import { GlassboxError } from '../../errors';

/** Comparison that sends a row to the left child: XGBoost `<`, LightGBM and scikit-learn `<=`. */
export type Decision = '<' | '<=';
export type Aggregate = 'sum' | 'mean';
/** How margins become the model's output; `exp` for Poisson/Gamma/Tweedie objectives. */
export type Link = 'identity' | 'logistic' | 'softmax' | 'exp';

/**
 * Per-node rule for missing values (LightGBM's missing types; XGBoost and scikit-learn use NaN).
 * NAN: NaN takes the default side. ZERO: NaN and |x| <= 1e-35 take the default side.
 * NONE: NaN is read as 0 and compared.
 */
export const MISSING_NAN = 0;
export const MISSING_ZERO = 1;
export const MISSING_NONE = 2;

export interface Tree {
  /** Margin group (0..outputs-1) this tree adds to. */
  output: number;
  decision: Decision;
  /** Child ids; -1 in `left` marks a leaf. Node 0 is the root; children have larger ids. */
  left: Int32Array;
  right: Int32Array;
  /** Column compared at a split; -1 at leaves. */
  feature: Int32Array;
  threshold: Float64Array;
  /** 1 when a missing value goes left. */
  defaultLeft: Uint8Array;
  /** Leaf value (margin units, learning rate folded in); unused at splits. */
  value: Float64Array;
  /** Training weight reaching the node (hessian sum or sample count); > 0. */
  cover: Float64Array;
  /** MISSING_* per node; absent means MISSING_NAN everywhere. */
  missing?: Uint8Array;
}

export interface TreeEnsemble {
  numFeatures: number;
  /** K margin groups: 1 for binary and regression, K for K-class models. */
  outputs: number;
  /** Per output, in margin space. */
  baseScore: number[];
  trees: Tree[];
  aggregate: Aggregate;
  link: Link;
  /** The objective as the file names it (e.g. `binary:logistic`, `multiclass num_class:3`). */
  objective: string;
  featureNames?: string[];
  metadata: Record<string, unknown>;
}

/** LightGBM's kZeroThreshold (a float32 in its source). */
export const ZERO_THRESHOLD = Math.fround(1e-35);

/** Whether value `v` (float32 already, NaN = missing) goes to the left child of split `node`. */
export function goesLeft(tree: Tree, node: number, v: number): boolean {
  const m = tree.missing ? tree.missing[node]! : MISSING_NAN;
  if (v !== v) {
    if (m !== MISSING_NONE) return tree.defaultLeft[node] === 1;
    v = 0;
  } else if (m === MISSING_ZERO && v >= -ZERO_THRESHOLD && v <= ZERO_THRESHOLD) {
    return tree.defaultLeft[node] === 1;
  }
  return tree.decision === '<' ? v < tree.threshold[node]! : v <= tree.threshold[node]!;
}

/** 1 / (trees of the tree's group) for `mean` ensembles, 1 for `sum`: the weight of each leaf value. */
export function treeWeights(ensemble: TreeEnsemble): Float64Array {
  const w = new Float64Array(ensemble.trees.length).fill(1);
  if (ensemble.aggregate === 'mean') {
    const count = new Array<number>(ensemble.outputs).fill(0);
    for (const t of ensemble.trees) count[t.output]!++;
    ensemble.trees.forEach((t, i) => (w[i] = 1 / count[t.output]!));
  }
  return w;
}

/** Depth of the deepest leaf (root alone = 0). */
export function treeDepth(tree: Tree): number {
  const depth = new Int32Array(tree.left.length);
  let max = 0;
  for (let i = 0; i < tree.left.length; i++) {
    if (tree.left[i]! < 0) {
      if (depth[i]! > max) max = depth[i]!;
      continue;
    }
    depth[tree.left[i]!] = depth[i]! + 1;
    depth[tree.right[i]!] = depth[i]! + 1;
  }
  return max;
}

/** The model's output from n x K margins (in place is not assumed: returns a new array). */
export function applyLink(link: Link, margins: Float64Array, K: number): Float64Array {
  const out = new Float64Array(margins.length);
  if (link === 'identity') out.set(margins);
  else if (link === 'logistic') for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-margins[i]!));
  else if (link === 'exp') for (let i = 0; i < out.length; i++) out[i] = Math.exp(margins[i]!);
  else {
    for (let r = 0; r < margins.length; r += K) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, margins[r + k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[r + k] = Math.exp(margins[r + k]! - max);
      for (let k = 0; k < K; k++) out[r + k]! /= sum;
    }
  }
  return out;
}

/** Throws a `model` error when the data's encoded width differs from what the model was trained on. */
export function checkWidth(ensemble: TreeEnsemble, width: number, file: string): void {
  if (width !== ensemble.numFeatures) {
    throw new GlassboxError(
      'model',
      `the tree model expects ${ensemble.numFeatures} input columns but the data has ${width}`,
      { file },
    );
  }
}

/**
 * Checks the invariants every consumer relies on: array lengths agree, children are in range and
 * after their parent (so the node graph is a tree walked by increasing id), split features are in
 * range, covers are positive and finite, leaf values finite, groups in range.
 */
export function validateEnsemble(e: TreeEnsemble, file: string): TreeEnsemble {
  const fail = (msg: string): never => {
    throw new GlassboxError('model', msg, { file });
  };
  if (!(Number.isInteger(e.numFeatures) && e.numFeatures >= 1)) fail(`invalid number of features ${e.numFeatures}`);
  if (!(Number.isInteger(e.outputs) && e.outputs >= 1)) fail(`invalid number of outputs ${e.outputs}`);
  if (e.baseScore.length !== e.outputs || !e.baseScore.every(Number.isFinite)) {
    fail(`base score must have ${e.outputs} finite value(s)`);
  }
  if (e.link === 'softmax' && e.outputs < 2) fail('a softmax model needs at least 2 outputs');
  if (e.trees.length === 0) fail('the model has no trees');
  if (e.featureNames && e.featureNames.length !== e.numFeatures) {
    fail(`${e.featureNames.length} feature names for ${e.numFeatures} features`);
  }
  e.trees.forEach((t, ti) => {
    const n = t.left.length;
    const where = `tree ${ti}`;
    if (n === 0) fail(`${where} has no nodes`);
    for (const [name, arr] of [
      ['right', t.right], ['feature', t.feature], ['threshold', t.threshold], ['defaultLeft', t.defaultLeft],
      ['value', t.value], ['cover', t.cover], ['missing', t.missing ?? t.left],
    ] as const) {
      if (arr.length !== n) fail(`${where}: ${name} has ${arr.length} entries for ${n} nodes`);
    }
    if (!(Number.isInteger(t.output) && t.output >= 0 && t.output < e.outputs)) fail(`${where}: output ${t.output} out of range`);
    const parents = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const l = t.left[i]!;
      if (!(t.cover[i]! > 0 && Number.isFinite(t.cover[i]!))) fail(`${where} node ${i}: cover must be positive`);
      if (l < 0) {
        if (!Number.isFinite(t.value[i]!)) fail(`${where} node ${i}: leaf value is not finite`);
        continue;
      }
      const r = t.right[i]!;
      if (l <= i || r <= i || l >= n || r >= n || l === r) fail(`${where} node ${i}: invalid children ${l}, ${r}`);
      if (parents[l]!++ || parents[r]!++) fail(`${where} node ${i}: a child with two parents`);
      const f = t.feature[i]!;
      if (f < 0 || f >= e.numFeatures) fail(`${where} node ${i}: feature ${f} is outside 0..${e.numFeatures - 1}`);
      if (Number.isNaN(t.threshold[i]!)) fail(`${where} node ${i}: threshold is NaN`);
    }
  });
  return e;
}
