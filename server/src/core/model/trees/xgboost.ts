/**
 * XGBoost models written by `Booster.save_model` as JSON (`.json`) or Universal Binary JSON
 * (`.ubj`): gbtree and dart boosters of numeric splits. Mapping and refusals: docs/model-formats.md
 * "XGBoost". Leaves hold `split_conditions` (learning rate applied); `base_score` is stored in
 * output space and turned into a margin by the objective, as XGBoost's `ProbToMargin` does.
 */
import * as fs from 'node:fs';
import { GlassboxError } from '../../errors';
import { decodeUbjson, UbjsonError } from './ubjson';
import { type Link, type Tree, type TreeEnsemble, validateEnsemble } from './types';

type Obj = Record<string, unknown>;

/** Objective → (link, base_score → margin). Objectives not listed are refused. */
const OBJECTIVES: Record<string, { link: Link; toMargin: (p: number) => number }> = {};
const logit = (p: number): number => Math.log(p / (1 - p));
const same = (p: number): number => p;
for (const o of ['binary:logistic', 'reg:logistic']) OBJECTIVES[o] = { link: 'logistic', toMargin: logit };
OBJECTIVES['binary:logitraw'] = { link: 'identity', toMargin: logit };
for (const o of ['multi:softprob', 'multi:softmax']) OBJECTIVES[o] = { link: 'softmax', toMargin: same };
for (const o of ['count:poisson', 'reg:gamma', 'reg:tweedie', 'survival:cox', 'survival:aft']) {
  OBJECTIVES[o] = { link: 'exp', toMargin: Math.log };
}
for (const o of [
  'reg:squarederror', 'reg:squaredlogerror', 'reg:pseudohubererror', 'reg:absoluteerror', 'reg:quantileerror',
  'reg:linear', 'binary:hinge', 'rank:pairwise', 'rank:ndcg', 'rank:map',
]) {
  OBJECTIVES[o] = { link: 'identity', toMargin: same };
}

/** Reads an XGBoost `.json` or `.ubj` model file. */
export function readXGBoost(file: string): TreeEnsemble {
  const bytes = fs.readFileSync(file);
  return parseXGBoost(bytes, file);
}

/** Parses the bytes of a saved XGBoost model; UBJSON unless the file is JSON text. */
export function parseXGBoost(bytes: Uint8Array, file: string): TreeEnsemble {
  const fail = (msg: string): never => {
    throw new GlassboxError('model', msg, { file });
  };
  let root: unknown;
  if (looksLikeJson(bytes)) {
    try {
      root = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      fail(`XGBoost model is not valid JSON (truncated?): ${(e as Error).message}`);
    }
  } else {
    try {
      root = decodeUbjson(bytes);
    } catch (e) {
      if (e instanceof UbjsonError || e instanceof TypeError || e instanceof RangeError) {
        fail(`XGBoost model is not valid UBJSON (truncated?): ${(e as Error).message}`);
      }
      throw e;
    }
  }
  return fromXGBoostObject(root, file);
}

function looksLikeJson(bytes: Uint8Array): boolean {
  // UBJSON objects open with `{` followed by a length marker; JSON with `{` then `"`, `}` or space.
  // Anything else is handed to JSON.parse, whose message then says what is wrong.
  const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
  let i = 0;
  while (isSpace(bytes[i])) i++;
  if (bytes[i] !== 0x7b) return true;
  const next = bytes[i + 1];
  return next === 0x22 || next === 0x7d || isSpace(next);
}

/** The decoded JSON/UBJSON document → TreeEnsemble. */
export function fromXGBoostObject(root: unknown, file: string): TreeEnsemble {
  const fail = (msg: string): never => {
    throw new GlassboxError('model', msg, { file });
  };
  const get = (o: unknown, path: string): unknown => {
    let cur = o;
    for (const key of path.split('.')) {
      if (cur === null || typeof cur !== 'object' || !(key in (cur as Obj))) {
        return fail(`XGBoost model has no ${path}`);
      }
      cur = (cur as Obj)[key];
    }
    return cur;
  };
  const learner = get(root, 'learner') as Obj;
  const param = get(learner, 'learner_model_param') as Obj;
  const objective = String(get(learner, 'objective.name'));
  const spec = OBJECTIVES[objective];
  if (!spec) fail(`XGBoost objective "${objective}" is not supported`);

  const booster = get(learner, 'gradient_booster') as Obj;
  const boosterName = String(get(booster, 'name'));
  let model: Obj;
  let weightDrop: ArrayLike<number> | undefined;
  if (boosterName === 'gbtree') model = get(booster, 'model') as Obj;
  else if (boosterName === 'dart') {
    model = get(booster, 'gbtree.model') as Obj;
    weightDrop = numbers(get(booster, 'weight_drop'), 'weight_drop', fail);
  } else return fail(`XGBoost booster "${boosterName}" is not supported (only tree boosters are)`);

  const numFeatures = intParam(get(param, 'num_feature'), 'num_feature', fail);
  const numClass = intParam(get(param, 'num_class'), 'num_class', fail);
  const numTarget = 'num_target' in param ? intParam(param.num_target, 'num_target', fail) : 1;
  if (numTarget > 1) fail(`XGBoost multi-target models (num_target ${numTarget}) are not supported`);
  const outputs = Math.max(1, numClass);
  const rawBase = baseScores(get(param, 'base_score'), fail);
  const baseScore = Array.from({ length: outputs }, (_, k) => spec!.toMargin(rawBase.length === 1 ? rawBase[0]! : rawBase[k]!));
  if (rawBase.length !== 1 && rawBase.length !== outputs) fail(`XGBoost base_score has ${rawBase.length} values for ${outputs} outputs`);

  const rawTrees = get(model, 'trees');
  if (!Array.isArray(rawTrees)) return fail('XGBoost model trees is not an array');
  const treeInfo = numbers(get(model, 'tree_info'), 'tree_info', fail);
  if (treeInfo.length !== rawTrees.length) fail(`XGBoost tree_info has ${treeInfo.length} entries for ${rawTrees.length} trees`);
  if (weightDrop && weightDrop.length !== rawTrees.length) fail(`XGBoost weight_drop has ${weightDrop.length} entries for ${rawTrees.length} trees`);

  const trees: Tree[] = rawTrees.map((t, i) => {
    const field = (name: string): ArrayLike<number> => numbers(get(t, name), `trees[${i}].${name}`, fail);
    const size = Number(get(t, 'tree_param.size_leaf_vector'));
    if (size > 1) fail(`XGBoost tree ${i} has vector leaves (multi-target), which are not supported`);
    const left = field('left_children');
    const n = left.length;
    const splitType = (t as Obj).split_type === undefined ? undefined : field('split_type');
    const cond = field('split_conditions');
    const leftArr = Int32Array.from(left);
    const value = new Float64Array(n);
    const threshold = new Float64Array(n);
    const scale = weightDrop ? weightDrop[i]! : 1;
    // XGBoost stores float32; JSON text such as "0.797" must become float32(0.797), or a row whose
    // float32 value equals the split would go left here and right in XGBoost.
    for (let j = 0; j < n; j++) {
      if (leftArr[j]! < 0) {
        leftArr[j] = -1;
        value[j] = Math.fround(cond[j]!) * scale;
      } else {
        threshold[j] = Math.fround(cond[j]!);
        if (splitType && splitType[j] !== 0) fail(`XGBoost tree ${i} has categorical splits, which are not supported`);
      }
    }
    const feature = Int32Array.from(field('split_indices'));
    for (let j = 0; j < n; j++) if (leftArr[j]! < 0) feature[j] = -1;
    return {
      output: treeInfo[i]!,
      decision: '<',
      left: leftArr,
      right: Int32Array.from(field('right_children')),
      feature,
      threshold,
      defaultLeft: Uint8Array.from(field('default_left'), (v) => (v ? 1 : 0)),
      value,
      cover: Float64Array.from(field('sum_hessian'), Math.fround),
    };
  });

  const names = learner.feature_names;
  const metadata: Obj = { library: 'xgboost', booster: boosterName };
  if (Array.isArray(root && (root as Obj).version)) metadata.version = ((root as Obj).version as number[]).join('.');
  const attributes = (learner.attributes ?? {}) as Obj;
  if (attributes.best_iteration !== undefined) metadata.bestIteration = Number(attributes.best_iteration);
  if (model.iteration_indptr !== undefined) metadata.iterationIndptr = Array.from(numbers(model.iteration_indptr, 'iteration_indptr', fail));

  return validateEnsemble(
    {
      numFeatures,
      outputs,
      baseScore,
      trees,
      aggregate: 'sum',
      link: spec!.link,
      objective,
      ...(Array.isArray(names) && names.length > 0 ? { featureNames: names.map(String) } : {}),
      metadata,
    },
    file,
  );
}

/** A JSON number array, a UBJSON typed array, or a JSON array of booleans → numbers. */
function numbers(v: unknown, name: string, fail: (m: string) => never): ArrayLike<number> {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    if (v instanceof BigInt64Array) return Array.from(v, Number);
    return v as unknown as ArrayLike<number>;
  }
  if (!Array.isArray(v)) return fail(`XGBoost model field ${name} is not an array`);
  return v.map((x) => {
    const n = typeof x === 'boolean' ? Number(x) : typeof x === 'bigint' ? Number(x) : x;
    if (typeof n !== 'number') return fail(`XGBoost model field ${name} holds a non-number`);
    return n;
  });
}

function intParam(v: unknown, name: string, fail: (m: string) => never): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`XGBoost ${name} "${String(v)}" is not a count`);
  return n;
}

/** `"5E-1"` (XGBoost < 3) or `"[5E-1,…]"` (XGBoost 3) → numbers in output space. */
function baseScores(v: unknown, fail: (m: string) => never): number[] {
  const s = String(v).trim();
  const parts = s.startsWith('[') ? s.slice(1, -1).split(',') : [s];
  const out = parts.map(Number);
  if (out.length === 0 || !out.every(Number.isFinite)) fail(`XGBoost base_score "${s}" is not a number`);
  return out;
}
