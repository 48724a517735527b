/**
 * Which model format a file or checkpoint directory holds, whether it is completely written, and
 * the metadata it carries. Editor-free and engine-free: the daemon's main thread calls this on
 * every file event, so nothing here imports TensorFlow.js; loading lives in `formats/load.ts`.
 *
 * Completeness per format: a TF.js `model.json` must parse and every weight shard must hold exactly
 * the bytes its manifest describes; an ONNX file must decode as a model with a graph; JSON models
 * must parse; a LightGBM text model must reach its `end of trees` line. Whatever passes is still
 * analysed only once its fingerprint is stable (the daemon's rule), which covers writers that do
 * not rename into place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';

export type ModelFormatId = 'tfjs' | 'onnx' | 'xgboost-json' | 'xgboost-ubj' | 'lightgbm' | 'glassbox-trees' | 'glassbox-linear';

/** File names that make a directory a checkpoint, in the order they are looked for. */
export const MODEL_FILES: ReadonlyArray<readonly [string, ModelFormatId]> = [
  ['model.json', 'tfjs'],
  ['model.onnx', 'onnx'],
  ['xgboost.json', 'xgboost-json'],
  ['xgboost.ubj', 'xgboost-ubj'],
  ['lightgbm.txt', 'lightgbm'],
  ['glassbox-trees.json', 'glassbox-trees'],
  ['glassbox-linear.json', 'glassbox-linear'],
];

/** Metadata written beside a model by Glassbox's Python package (or by hand). */
export const META_FILE = 'glassbox-meta.json';

export const FORMAT_NAMES: Record<ModelFormatId, string> = {
  tfjs: 'TF.js layers model',
  onnx: 'ONNX model',
  'xgboost-json': 'XGBoost model (JSON)',
  'xgboost-ubj': 'XGBoost model (UBJSON)',
  lightgbm: 'LightGBM model (text)',
  'glassbox-trees': 'tree ensemble (glassbox-trees.json)',
  'glassbox-linear': 'linear model (glassbox-linear.json)',
};

/** The model file a checkpoint directory holds, or undefined. */
export function modelFileIn(dir: string): { file: string; format: ModelFormatId } | undefined {
  for (const [name, format] of MODEL_FILES) {
    const file = path.join(dir, name);
    if (isFile(file)) return { file, format };
  }
  return undefined;
}

/**
 * The format of a model file named directly (not a checkpoint directory): by its well-known name,
 * its extension, or, for `.json`/`.txt`, by sniffing its first bytes. Undefined when it is none.
 */
export function formatOfFile(file: string): ModelFormatId | undefined {
  const base = path.basename(file);
  const known = MODEL_FILES.find(([name]) => name === base);
  if (known) return known[1];
  const ext = path.extname(base).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  if (ext === '.ubj') return 'xgboost-ubj';
  if (ext !== '.json' && ext !== '.txt' && ext !== '.model') return undefined;
  const head = readHead(file, 4096);
  if (head === undefined) return undefined;
  if (ext === '.json') {
    if (/"format"\s*:\s*"glassbox-trees"/.test(head)) return 'glassbox-trees';
    if (/"format"\s*:\s*"glassbox-linear"/.test(head)) return 'glassbox-linear';
    if (/"modelTopology"\s*:/.test(head) || /"weightsManifest"\s*:/.test(head)) return 'tfjs';
    if (/^\s*\{\s*"learner"\s*:/.test(head) || /"gradient_booster"\s*:/.test(head)) return 'xgboost-json';
    return undefined;
  }
  return /^tree\r?\nversion=/.test(head) ? 'lightgbm' : undefined;
}

export interface FormatInspection {
  complete: boolean;
  /** Why it is not complete, or not usable at all (`invalid`). */
  problem?: string;
  invalid?: boolean;
  /** Files whose bytes make up the model (hashed for caching, fingerprinted for stability). */
  files: string[];
  /** Metadata the model file itself carries (merged under `glassbox-meta.json`'s). */
  metadata: Record<string, unknown>;
}

/** Checks one model file for completeness and reads its own metadata. Never throws. */
export function inspectModelFile(file: string, format: ModelFormatId): FormatInspection {
  try {
    switch (format) {
      case 'tfjs':
        return inspectTfjs(file);
      case 'onnx':
        return inspectOnnx(file);
      case 'xgboost-json':
      case 'glassbox-trees':
      case 'glassbox-linear':
        return inspectJsonModel(file, format);
      case 'xgboost-ubj':
        return inspectBinary(file);
      case 'lightgbm':
        return inspectLightgbm(file);
    }
  } catch (e) {
    return { complete: false, problem: `${path.basename(file)} cannot be read (${oneLine((e as Error).message)})`, files: [file], metadata: {} };
  }
}

interface WeightSpec {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown } | null;
}

/**
 * The JSON a model file holds, or the inspection to answer while it does not parse: a truncated
 * JSON file is what a writer in progress leaves; a complete but broken one is indistinguishable
 * from outside, so it is retried until its size stops changing.
 */
function readModelJson(file: string): { json: unknown } | { pending: FormatInspection } {
  // An unreadable file throws (the caller reports it); only a failed parse means "still being written".
  const text = fs.readFileSync(file, 'utf8');
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return { pending: { complete: false, problem: `${path.basename(file)} is not valid JSON (still being written?)`, files: [file], metadata: {} } };
  }
}

function inspectTfjs(file: string): FormatInspection {
  const dir = path.dirname(file);
  const read = readModelJson(file);
  if ('pending' in read) return read.pending;
  const json = read.json;
  const invalid = (problem: string, metadata: Record<string, unknown> = {}): FormatInspection => ({ complete: false, invalid: true, problem, files: [file], metadata });
  if (!isObject(json)) return invalid(`${path.basename(file)} holds ${describe(json)}, not a TF.js model`);
  const metadata = isObject(json.userDefinedMetadata) ? json.userDefinedMetadata : {};
  if (!json.modelTopology) return invalid(`${path.basename(file)} has no modelTopology: not a TF.js layers model`, metadata);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) return invalid(`${path.basename(file)} has no weightsManifest`, metadata);
  let expected = 0;
  const shards: string[] = [];
  for (const [g, group] of manifest.entries()) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      return invalid(`weightsManifest[${g}] needs 'paths' and 'weights' arrays`, metadata);
    }
    for (const [i, w] of (group.weights as WeightSpec[]).entries()) {
      const bytes = isObject(w) ? bytesOf(w) : undefined;
      if (bytes === undefined) return invalid(`weightsManifest[${g}].weights[${i}] needs a name, a shape of non-negative integers and a known dtype`, metadata);
      expected += bytes;
    }
    for (const p of group.paths) {
      if (typeof p !== 'string' || p === '') return invalid(`weightsManifest[${g}].paths holds ${describe(p)}, not a file name`, metadata);
      const shard = path.resolve(dir, p);
      // A manifest may only name shards inside its own checkpoint folder.
      if (path.relative(dir, shard).startsWith('..') || path.isAbsolute(path.relative(dir, shard))) {
        return invalid(`weightsManifest[${g}].paths names '${truncate(p)}', outside the checkpoint folder`, metadata);
      }
      shards.push(shard);
    }
  }
  let actual = 0;
  for (const p of shards) {
    let size: number;
    try {
      const stat = fs.statSync(p);
      if (!stat.isFile()) return invalid(`weight shard ${path.basename(p)} is not a regular file`, metadata);
      size = stat.size;
    } catch {
      return { complete: false, problem: `weight shard ${path.basename(p)} named in the manifest is missing`, files: [file], metadata };
    }
    actual += size;
  }
  const files = [file, ...shards];
  if (actual < expected) return { complete: false, problem: `weight shards hold ${actual} bytes, the manifest needs ${expected}`, files, metadata };
  if (actual > expected) return { complete: false, invalid: true, problem: `weight shards hold ${actual} bytes, more than the ${expected} the manifest describes`, files, metadata };
  return { complete: true, files, metadata };
}

function bytesOf(w: WeightSpec): number | undefined {
  if (typeof w.name !== 'string' || !Array.isArray(w.shape)) return undefined;
  let count = 1;
  for (const d of w.shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return undefined;
    count *= d;
  }
  if (!Number.isSafeInteger(count)) return undefined;
  const dtype = (isObject(w.quantization) ? w.quantization.dtype : undefined) ?? w.dtype;
  const size = dtype === 'uint8' || dtype === 'int8' || dtype === 'bool' ? 1 : dtype === 'uint16' || dtype === 'float16' || dtype === 'int16' ? 2 : dtype === 'float32' || dtype === 'int32' ? 4 : undefined;
  return size === undefined ? undefined : count * size;
}

function inspectOnnx(file: string): FormatInspection {
  const bytes = fs.readFileSync(file);
  if (bytes.length === 0) return { complete: false, problem: `${path.basename(file)} is empty (still being written?)`, files: [file], metadata: {} };
  // onnx-proto is plain JavaScript (protobufjs); decoding tells a whole file from a truncated one.
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return { complete: false, problem: `${path.basename(file)} is not a complete ONNX model (${oneLine((e as Error).message)})`, files: [file], metadata: {} };
  }
  if (!model.graph) return { complete: false, invalid: true, problem: `${path.basename(file)} is not an ONNX model (no graph)`, files: [file], metadata: {} };
  const metadata: Record<string, unknown> = {};
  for (const p of model.metadataProps ?? []) {
    if (!p.key) continue;
    metadata[p.key] = parseMetaValue(p.value ?? '');
  }
  return { complete: true, files: [file], metadata };
}

function inspectJsonModel(file: string, format: ModelFormatId): FormatInspection {
  const read = readModelJson(file);
  if ('pending' in read) return read.pending;
  const json = read.json;
  if (!isObject(json)) return { complete: false, invalid: true, problem: `${path.basename(file)} holds ${describe(json)}, not a ${FORMAT_NAMES[format]}`, files: [file], metadata: {} };
  const metadata: Record<string, unknown> = isObject(json.metadata) ? { ...json.metadata } : {};
  if (format === 'xgboost-json') {
    const booster = (json as { learner?: { gradient_booster?: { model?: { trees?: unknown; gbtree_model_param?: { num_trees?: unknown } } } } }).learner?.gradient_booster;
    const trees = booster?.model?.trees;
    if (!Array.isArray(trees)) return { complete: false, invalid: true, problem: `${path.basename(file)} has no learner.gradient_booster.model.trees: not an XGBoost tree model`, files: [file], metadata };
    const groups = Number((json as { learner?: { learner_model_param?: { num_class?: unknown } } }).learner?.learner_model_param?.num_class ?? 0) || 1;
    metadata.round ??= Math.floor(trees.length / groups);
  }
  return { complete: true, files: [file], metadata };
}

function inspectLightgbm(file: string): FormatInspection {
  const text = fs.readFileSync(file, 'utf8');
  if (!/^tree\r?\n/.test(text)) return { complete: false, invalid: true, problem: `${path.basename(file)} is not a LightGBM text model (it does not start with 'tree')`, files: [file], metadata: {} };
  if (!/\nend of trees\r?\n/.test(text)) return { complete: false, problem: `${path.basename(file)} has no 'end of trees' line (still being written?)`, files: [file], metadata: {} };
  const trees = text.match(/^Tree=\d+/gm)?.length ?? 0;
  const classes = Number(/^num_tree_per_iteration=(\d+)/m.exec(text)?.[1] ?? 1) || 1;
  return { complete: true, files: [file], metadata: { round: Math.floor(trees / classes) } };
}

function inspectBinary(file: string): FormatInspection {
  const size = fs.statSync(file).size;
  if (size === 0) return { complete: false, problem: `${path.basename(file)} is empty (still being written?)`, files: [file], metadata: {} };
  return { complete: true, files: [file], metadata: {} };
}

/** `glassbox-meta.json` for a checkpoint: beside the model in its folder, or `<file>.meta.json`. */
export function readMetaFile(candidates: string[]): { metadata: Record<string, unknown>; problem?: string; file?: string } {
  for (const file of candidates) {
    if (!isFile(file)) continue;
    try {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!isObject(json)) return { metadata: {}, problem: `${path.basename(file)} holds ${describe(json)}, not an object`, file };
      return { metadata: json, file };
    } catch (e) {
      return { metadata: {}, problem: `${path.basename(file)} is not valid JSON (${oneLine((e as Error).message)})`, file };
    }
  }
  return { metadata: {} };
}

function parseMetaValue(v: string): unknown {
  const n = Number(v);
  if (v.trim() !== '' && Number.isFinite(n)) return n;
  if (v.startsWith('{') || v.startsWith('[')) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

function readHead(file: string, bytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function oneLine(s: string): string {
  return truncate(s.replace(/\s+/g, ' ').trim(), 200);
}
