/**
 * LightGBM models written by `Booster.save_model` (text). Mapping and refusals:
 * docs/model-formats.md "LightGBM". Node ids: LightGBM's internal node i stays i, leaf l becomes
 * (num_leaves - 1) + l, so children always follow their parent. Cover is the sample count
 * (internal_count / leaf_count), as LightGBM's own pred_contrib and shap's TreeExplainer use.
 */
import * as fs from 'node:fs';
import { GlassboxError } from '../../errors';
import { type Link, MISSING_NAN, MISSING_NONE, MISSING_ZERO, type Tree, type TreeEnsemble, validateEnsemble } from './types';

const LINKS: Record<string, Link> = {
  binary: 'logistic',
  cross_entropy: 'logistic',
  xentropy: 'logistic',
  multiclassova: 'logistic',
  multiclass: 'softmax',
  softmax: 'softmax',
  poisson: 'exp',
  gamma: 'exp',
  tweedie: 'exp',
  regression: 'identity',
  regression_l1: 'identity',
  huber: 'identity',
  fair: 'identity',
  quantile: 'identity',
  mape: 'identity',
  lambdarank: 'identity',
  rank_xendcg: 'identity',
};

export function readLightGBM(file: string): TreeEnsemble {
  return parseLightGBM(fs.readFileSync(file, 'utf8'), file);
}

export function parseLightGBM(text: string, file: string): TreeEnsemble {
  const lines = text.split(/\r?\n/);
  /** A GlassboxError at a 1-based line of the file. */
  const fail = (msg: string, line?: number): never => {
    throw new GlassboxError('model', msg, line === undefined ? { file } : { file, line });
  };
  if (lines[0]?.trim() !== 'tree') fail('not a LightGBM model file (the first line is not "tree")', 1);

  // Blocks of key=value lines: the header, then one per "Tree=i".
  const header = new Map<string, string>();
  const blocks: { start: number; kv: Map<string, string> }[] = [];
  let current = header;
  let ended = false;
  let average = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'average_output') average = true; // boosting=rf: the trees are averaged
    if (line.startsWith('Tree=')) {
      current = new Map([['Tree', line.slice(5)]]);
      blocks.push({ start: i + 1, kv: current });
      continue;
    }
    if (line.startsWith('end of trees')) {
      ended = true;
      break;
    }
    const eq = line.indexOf('=');
    if (eq > 0) current.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const sizes = header.get('tree_sizes')?.trim().split(/\s+/).length;
  if (!ended || (sizes !== undefined && sizes !== blocks.length)) {
    fail(`LightGBM model is truncated: ${blocks.length} tree(s)${sizes === undefined ? '' : ` of ${sizes}`} and no "end of trees"`);
  }

  const need = (kv: Map<string, string>, key: string, line: number): string => kv.get(key) ?? fail(`LightGBM model has no ${key}`, line);
  const objectiveLine = need(header, 'objective', 1).trim();
  const [objectiveName, ...objectiveParams] = objectiveLine.split(/\s+/);
  const link = LINKS[objectiveName!];
  if (!link) fail(`LightGBM objective "${objectiveName}" is not supported`);
  for (const p of objectiveParams) {
    if (p.startsWith('sigmoid:') && Number(p.slice(8)) !== 1) {
      fail(`LightGBM objective "${objectiveLine}": a sigmoid other than 1 is not supported`);
    }
    if (p === 'sqrt') fail(`LightGBM objective "${objectiveLine}": reg_sqrt is not supported`);
  }
  const intOf = (key: string): number => {
    const n = Number(need(header, key, 1));
    if (!Number.isInteger(n) || n < 0) fail(`LightGBM ${key} is not a count`);
    return n;
  };
  const numClass = intOf('num_class');
  const perIteration = header.has('num_tree_per_iteration') ? intOf('num_tree_per_iteration') : numClass;
  const numFeatures = intOf('max_feature_idx') + 1;
  const outputs = Math.max(1, perIteration);

  const trees: Tree[] = blocks.map(({ start, kv }, ti) => {
    const nums = (key: string, count: number): Float64Array => {
      const raw = need(kv, key, start).trim();
      const parts = raw === '' ? [] : raw.split(/\s+/);
      if (parts.length !== count) fail(`LightGBM tree ${ti}: ${key} has ${parts.length} values, expected ${count}`, start);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const s = parts[i]!;
        const v = s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s);
        if (Number.isNaN(v)) fail(`LightGBM tree ${ti}: ${key} holds "${s}"`, start);
        out[i] = v;
      }
      return out;
    };
    const L = Number(need(kv, 'num_leaves', start));
    if (!Number.isInteger(L) || L < 1) fail(`LightGBM tree ${ti}: num_leaves is not a positive count`, start);
    if (Number(kv.get('is_linear') ?? 0) !== 0) fail(`LightGBM tree ${ti} is a linear tree, which is not supported`, start);
    const n = 2 * L - 1;
    const t: Tree = {
      output: ti % outputs,
      decision: '<=',
      left: new Int32Array(n).fill(-1),
      right: new Int32Array(n).fill(-1),
      feature: new Int32Array(n).fill(-1),
      threshold: new Float64Array(n),
      defaultLeft: new Uint8Array(n),
      value: new Float64Array(n),
      cover: new Float64Array(n),
      missing: new Uint8Array(n),
    };
    t.value.set(nums('leaf_value', L), L - 1);
    if (L === 1) {
      t.cover[0] = kv.has('leaf_count') ? Math.max(1, nums('leaf_count', 1)[0]!) : 1;
      return t;
    }
    const m = L - 1;
    const feature = nums('split_feature', m);
    const threshold = nums('threshold', m);
    const decision = nums('decision_type', m);
    const left = nums('left_child', m);
    const right = nums('right_child', m);
    t.cover.set(nums('internal_count', m), 0);
    t.cover.set(nums('leaf_count', L), m);
    const node = (c: number): number => (c >= 0 ? c : m + ~c);
    for (let i = 0; i < m; i++) {
      const d = decision[i]!;
      if (d & 1) fail(`LightGBM tree ${ti} has categorical splits, which are not supported`, start);
      t.feature[i] = feature[i]!;
      t.threshold[i] = threshold[i]!;
      t.defaultLeft[i] = d & 2 ? 1 : 0;
      const missingType = (d >> 2) & 3;
      t.missing![i] = missingType === 2 ? MISSING_NAN : missingType === 1 ? MISSING_ZERO : MISSING_NONE;
      t.left[i] = node(left[i]!);
      t.right[i] = node(right[i]!);
    }
    return t;
  });

  const names = header.get('feature_names')?.trim().split(/\s+/);
  return validateEnsemble(
    {
      numFeatures,
      outputs,
      baseScore: new Array<number>(outputs).fill(0),
      trees,
      aggregate: average ? 'mean' : 'sum',
      link: link!,
      objective: objectiveLine,
      ...(names && names.length === numFeatures ? { featureNames: names } : {}),
      metadata: { library: 'lightgbm', version: header.get('version') ?? null, numClass },
    },
    file,
  );
}
