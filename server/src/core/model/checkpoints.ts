/**
 * Finding checkpoints on disk and telling complete ones from ones still being written.
 *
 * A checkpoint is a directory holding a TF.js layers-model `model.json` and the weight shards its
 * manifest names. The checkpoint location is either such a directory or a directory of them.
 *
 * Order of a series: by `userDefinedMetadata.step`, else `userDefinedMetadata.epoch`, else the last
 * integer in the directory name (`epoch-12`, `step_3000`, `ckpt7`), else the modification time of
 * `model.json`; ties by name. Temporary directories (names starting with `.` or ending in `.tmp`,
 * `.partial`, `~`) are never read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

export type CheckpointState = 'ready' | 'incomplete' | 'invalid';

export interface CheckpointInfo {
  dir: string;
  name: string;
  state: CheckpointState;
  /** Why the checkpoint is not ready. */
  problem?: string;
  epoch?: number;
  step?: number;
  learningRate?: number;
  /** The key the series is ordered by, and where it came from. */
  order: number;
  orderSource: 'step' | 'epoch' | 'name' | 'mtime';
  /** sha256 of model.json and the shards, for caching results per checkpoint content. */
  hash?: string;
  /** Total bytes and newest mtime of its files: two equal readings in a row mean the writer is done. */
  fingerprint?: string;
  metadata?: Record<string, unknown>;
  /** Training metrics the writer put in the metadata (loss, accuracy...). */
  metrics?: Record<string, number>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }>;
  userDefinedMetadata?: Record<string, unknown>;
}

const TEMPORARY = /(^\.)|(\.tmp$)|(\.partial$)|(~$)/;

/** Scans a checkpoint location into an ordered series (ready and not-ready checkpoints alike). */
export function scanCheckpoints(location: string): CheckpointInfo[] {
  if (!fs.existsSync(location)) return [];
  if (fs.existsSync(path.join(location, 'model.json'))) return [inspectCheckpoint(location)];
  const found: CheckpointInfo[] = [];
  for (const entry of fs.readdirSync(location, { withFileTypes: true })) {
    if (!entry.isDirectory() || TEMPORARY.test(entry.name)) continue;
    const dir = path.join(location, entry.name);
    if (fs.existsSync(path.join(dir, 'model.json'))) found.push(inspectCheckpoint(dir));
  }
  return sortSeries(found);
}

export function sortSeries(series: CheckpointInfo[]): CheckpointInfo[] {
  // Mixed sources cannot be compared; rank by the weakest source present.
  const rank = { step: 0, epoch: 1, name: 2, mtime: 3 } as const;
  const weakest = series.reduce((w, c) => Math.max(w, rank[c.orderSource]), 0);
  const key = (c: CheckpointInfo) => {
    if (weakest === rank.step || weakest === rank.epoch) return c.order;
    if (weakest === rank.name) return lastInteger(c.name) ?? 0;
    return mtimeOf(c.dir);
  };
  return [...series].sort((a, b) => key(a) - key(b) || a.name.localeCompare(b.name));
}

/** Reads one checkpoint directory and decides whether it is complete. Never throws. */
export function inspectCheckpoint(dir: string): CheckpointInfo {
  const name = path.basename(dir);
  const base: CheckpointInfo = { dir, name, state: 'invalid', order: 0, orderSource: 'mtime' };
  const modelPath = path.join(dir, 'model.json');
  let text: Buffer;
  try {
    text = fs.readFileSync(modelPath);
  } catch (e) {
    return { ...base, state: 'incomplete', problem: `model.json cannot be read yet (${(e as Error).message})` };
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text.toString('utf8')) as ModelJson;
  } catch {
    // A truncated JSON file is what a writer in progress leaves; a complete but broken one is
    // indistinguishable from outside, so it is retried until its size stops changing.
    return { ...base, state: 'incomplete', problem: 'model.json is not valid JSON (still being written?)', fingerprint: fingerprintOf([modelPath]) };
  }
  const meta = json.userDefinedMetadata ?? {};
  const info: CheckpointInfo = { ...base, metadata: meta };
  const epoch = numberField(meta, ['epoch']);
  const step = numberField(meta, ['step', 'globalStep', 'global_step', 'iteration']);
  const lr = numberField(meta, ['learningRate', 'learning_rate', 'lr']);
  if (epoch !== undefined) info.epoch = epoch;
  if (step !== undefined) info.step = step;
  if (lr !== undefined) info.learningRate = lr;
  const metrics = meta.metrics;
  if (metrics && typeof metrics === 'object') {
    info.metrics = Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  }
  if (step !== undefined) Object.assign(info, { order: step, orderSource: 'step' });
  else if (epoch !== undefined) Object.assign(info, { order: epoch, orderSource: 'epoch' });
  else if (lastInteger(name) !== undefined) Object.assign(info, { order: lastInteger(name)!, orderSource: 'name' });
  else Object.assign(info, { order: mtimeOf(dir), orderSource: 'mtime' });

  if (!json.modelTopology) return { ...info, state: 'invalid', problem: 'model.json has no modelTopology: not a TF.js layers model' };
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) return { ...info, state: 'invalid', problem: 'model.json has no weightsManifest' };

  let expected = 0;
  const shardPaths: string[] = [];
  for (const group of manifest) {
    for (const w of group.weights) expected += bytesOf(w);
    for (const p of group.paths) shardPaths.push(path.join(dir, p));
  }
  let actual = 0;
  for (const p of shardPaths) {
    let size: number;
    try {
      size = fs.statSync(p).size;
    } catch {
      return { ...info, state: 'incomplete', problem: `weight shard ${path.basename(p)} named in the manifest is missing`, fingerprint: fingerprintOf([modelPath]) };
    }
    actual += size;
  }
  const files = [modelPath, ...shardPaths];
  info.fingerprint = fingerprintOf(files);
  if (actual < expected) {
    return { ...info, state: 'incomplete', problem: `weight shards hold ${actual} bytes, the manifest needs ${expected}` };
  }
  if (actual > expected) {
    return { ...info, state: 'invalid', problem: `weight shards hold ${actual} bytes, more than the ${expected} the manifest describes` };
  }
  info.hash = contentHash(dir, files, info.fingerprint);
  info.state = 'ready';
  return info;
}

/**
 * sha256 of the checkpoint's files, remembered per directory and fingerprint (sizes and newest
 * mtime) so that repeated scans, e.g. on every file event in the daemon, read each checkpoint once.
 */
const hashes = new Map<string, { fingerprint: string; hash: string }>();

function contentHash(dir: string, files: string[], fingerprint: string): string {
  const known = hashes.get(dir);
  if (known && known.fingerprint === fingerprint) return known.hash;
  const hash = createHash('sha256');
  for (const f of files) hash.update(fs.readFileSync(f));
  const digest = hash.digest('hex');
  hashes.set(dir, { fingerprint, hash: digest });
  return digest;
}

function bytesOf(w: WeightSpec): number {
  const count = w.shape.reduce((a, b) => a * b, 1);
  const dtype = w.quantization?.dtype ?? w.dtype;
  const size = dtype === 'uint8' || dtype === 'bool' ? 1 : dtype === 'uint16' || dtype === 'float16' ? 2 : 4;
  return count * size;
}

function fingerprintOf(files: string[]): string {
  let bytes = 0;
  let mtime = 0;
  for (const f of files) {
    try {
      const s = fs.statSync(f);
      bytes += s.size;
      mtime = Math.max(mtime, s.mtimeMs);
    } catch {
      return 'missing';
    }
  }
  return `${bytes}@${mtime}`;
}

function numberField(meta: Record<string, unknown>, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = meta[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

function lastInteger(name: string): number | undefined {
  const m = name.match(/(\d+)(?!.*\d)/);
  return m ? Number(m[1]) : undefined;
}

function mtimeOf(dir: string): number {
  try {
    return fs.statSync(path.join(dir, 'model.json')).mtimeMs;
  } catch {
    return 0;
  }
}
