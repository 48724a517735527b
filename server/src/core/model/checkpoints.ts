/**
 * Finding checkpoints on disk and telling complete ones from ones still being written.
 *
 * A checkpoint is a directory holding one model file (`model.json` with its weight shards,
 * `model.onnx`, `xgboost.json`/`.ubj`, `lightgbm.txt`, `glassbox-trees.json`,
 * `glassbox-linear.json`; see `formats/detect.ts`), or a model file named directly. The checkpoint
 * location (`checkpoints.path`) is such a checkpoint or a directory of them; in a directory of
 * checkpoints, `.onnx`/`.ubj` files and sniffed `.json`/`.txt` model files count too.
 *
 * Metadata comes from the model file itself (TF.js `userDefinedMetadata`, ONNX `metadata_props`,
 * boosting rounds of a tree model) overlaid by `glassbox-meta.json` beside it (`<file>.meta.json`
 * for a file named directly).
 *
 * Order of a series: by step (`step`, `globalStep`, `iteration`, `round`), else epoch, else the last
 * integer in the name (`epoch-12`, `step_3000`, `ckpt7`), else the modification time; ties by name.
 * The source is the weakest one among the *ready* checkpoints, so a checkpoint still being written
 * never changes how the finished ones are ordered; not-ready checkpoints whose key cannot be
 * compared go last. Temporary names (starting with `.` or ending in `.tmp`, `.partial`, `~`) are
 * never read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { formatOfFile, inspectModelFile, isFile, META_FILE, modelFileIn, readMetaFile, type ModelFormatId } from './formats/detect';

export type { ModelFormatId } from './formats/detect';

export type CheckpointState = 'ready' | 'incomplete' | 'invalid';

export interface CheckpointInfo {
  /** The checkpoint's folder (for a model file named directly: the folder holding it). */
  dir: string;
  /** The model file (`<dir>/model.json`, `<dir>/model.onnx`, or the file named directly). */
  file: string;
  format: ModelFormatId;
  name: string;
  state: CheckpointState;
  /** Why the checkpoint is not ready. */
  problem?: string;
  epoch?: number;
  step?: number;
  learningRate?: number;
  /** The training run the writer said this checkpoint belongs to. */
  runId?: string;
  /** The key the series is ordered by, and where it came from. */
  order: number;
  orderSource: 'step' | 'epoch' | 'name' | 'mtime';
  /** sha256 of the model's files, for caching results per checkpoint content. */
  hash?: string;
  /** Total bytes and newest mtime of its files: two equal readings in a row mean the writer is done. */
  fingerprint?: string;
  metadata?: Record<string, unknown>;
  /** Training metrics the writer put in the metadata (loss, accuracy...). */
  metrics?: Record<string, number>;
}

const TEMPORARY = /(^\.)|(\.tmp$)|(\.tmp-\d+$)|(\.partial$)|(~$)/;

/**
 * Scans a checkpoint location into an ordered series (ready and not-ready checkpoints alike).
 * Never throws: a location that is neither a checkpoint nor a folder of them gives one `invalid`
 * entry saying why.
 */
export function scanCheckpoints(location: string): CheckpointInfo[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    return [];
  }
  if (stat.isFile()) {
    const format = formatOfFile(location);
    if (format) return [inspectCheckpoint(location)];
    return [invalidEntry(location, `${path.basename(location)} is a file but not a model Glassbox reads (expected a checkpoint folder, a folder of them, or a model file: model.json, .onnx, xgboost.json/.ubj, lightgbm.txt)`)];
  }
  if (!stat.isDirectory()) return [invalidEntry(location, `${path.basename(location)} is not a regular file or folder`)];
  if (modelFileIn(location)) return [inspectCheckpoint(location)];
  const found: CheckpointInfo[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(location, { withFileTypes: true });
  } catch (e) {
    return [invalidEntry(location, `cannot list ${path.basename(location)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)];
  }
  for (const entry of entries) {
    if (TEMPORARY.test(entry.name) || entry.name === META_FILE || entry.name.endsWith('.meta.json')) continue;
    const p = path.join(location, entry.name);
    if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(p))) {
      if (modelFileIn(p)) found.push(inspectCheckpoint(p));
    } else if (isFile(p) && formatOfFile(p)) {
      found.push(inspectCheckpoint(p));
    }
  }
  return sortSeries(found);
}

export function sortSeries(series: CheckpointInfo[]): CheckpointInfo[] {
  // Mixed sources cannot be compared; rank by the weakest source among finished checkpoints.
  const rank = { step: 0, epoch: 1, name: 2, mtime: 3 } as const;
  const ready = series.filter((c) => c.state === 'ready');
  const weakest = (ready.length ? ready : series).reduce((w, c) => Math.max(w, rank[c.orderSource]), 0);
  const key = (c: CheckpointInfo): number | undefined => {
    if (weakest === rank.step) return c.step;
    if (weakest === rank.epoch) return c.epoch ?? (c.state === 'ready' ? c.order : undefined);
    if (weakest === rank.name) return lastInteger(c.name);
    return mtimeOf(c.file);
  };
  const keyed = series.map((c) => ({ c, k: key(c) }));
  return keyed
    .sort((a, b) => {
      if (a.k === undefined || b.k === undefined) return (a.k === undefined ? 1 : 0) - (b.k === undefined ? 1 : 0) || a.c.name.localeCompare(b.c.name);
      return a.k - b.k || a.c.name.localeCompare(b.c.name);
    })
    .map((x) => x.c);
}

/**
 * Reads one checkpoint (a folder holding a model file, or a model file) and decides whether it is
 * complete. Never throws.
 */
export function inspectCheckpoint(target: string): CheckpointInfo {
  try {
    return inspect(target);
  } catch (e) {
    return invalidEntry(target, `cannot be read (${oneLine((e as Error).message)})`);
  }
}

function inspect(target: string): CheckpointInfo {
  let dir: string;
  let file: string;
  let format: ModelFormatId;
  let name: string;
  let metaCandidates: string[];
  if (isFile(target)) {
    const f = formatOfFile(target);
    if (!f) return invalidEntry(target, `${path.basename(target)} is not a model file Glassbox reads`);
    dir = path.dirname(target);
    file = target;
    format = f;
    const base = path.basename(target);
    const known = ['model.json', 'model.onnx', 'xgboost.json', 'xgboost.ubj', 'lightgbm.txt', 'glassbox-trees.json', 'glassbox-linear.json'];
    name = known.includes(base) ? path.basename(dir) : base.replace(/\.(json|onnx|ubj|txt|model)$/i, '');
    metaCandidates = known.includes(base) ? [path.join(dir, META_FILE)] : [`${target}.meta.json`, path.join(dir, `${name}.meta.json`)];
  } else {
    const found = modelFileIn(target);
    dir = target;
    name = path.basename(target);
    if (!found) {
      return { dir, file: path.join(dir, 'model.json'), format: 'tfjs', name, state: 'incomplete', problem: 'no model file yet (model.json, model.onnx, xgboost.json, lightgbm.txt, ...)', order: 0, orderSource: 'mtime' };
    }
    ({ file, format } = found);
    metaCandidates = [path.join(dir, META_FILE)];
  }
  const base: CheckpointInfo = { dir, file, format, name, state: 'invalid', order: 0, orderSource: 'mtime' };
  let inspection;
  try {
    inspection = inspectModelFile(file, format);
  } catch (e) {
    return { ...base, state: 'incomplete', problem: `${path.basename(file)} cannot be read yet (${oneLine((e as Error).message)})` };
  }
  const sidecar = readMetaFile(metaCandidates);
  const meta: Record<string, unknown> = { ...inspection.metadata, ...sidecar.metadata };
  const info: CheckpointInfo = { ...base, metadata: meta };
  const epoch = numberField(meta, ['epoch']);
  const step = numberField(meta, ['step', 'globalStep', 'global_step', 'iteration', 'round']);
  const lr = numberField(meta, ['learningRate', 'learning_rate', 'lr']);
  const runId = meta.runId ?? meta.run_id;
  if (epoch !== undefined) info.epoch = epoch;
  if (step !== undefined) info.step = step;
  if (lr !== undefined) info.learningRate = lr;
  if (typeof runId === 'string' && runId) info.runId = runId.slice(0, 200);
  const metrics = meta.metrics;
  if (metrics && typeof metrics === 'object' && !Array.isArray(metrics)) {
    info.metrics = Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
  }
  if (step !== undefined) Object.assign(info, { order: step, orderSource: 'step' });
  else if (epoch !== undefined) Object.assign(info, { order: epoch, orderSource: 'epoch' });
  else if (lastInteger(name) !== undefined) Object.assign(info, { order: lastInteger(name)!, orderSource: 'name' });
  else Object.assign(info, { order: mtimeOf(file), orderSource: 'mtime' });

  const files = sidecar.file ? [...inspection.files, sidecar.file] : inspection.files;
  info.fingerprint = fingerprintOf(files);
  if (!inspection.complete) {
    return { ...info, state: inspection.invalid ? 'invalid' : 'incomplete', ...(inspection.problem ? { problem: inspection.problem } : {}) };
  }
  if (sidecar.problem) return { ...info, state: 'incomplete', problem: `${sidecar.problem} (still being written?)` };
  info.hash = contentHash(file, inspection.files, info.fingerprint);
  info.state = 'ready';
  return info;
}

function invalidEntry(target: string, problem: string): CheckpointInfo {
  return { dir: target, file: target, format: 'tfjs', name: path.basename(target), state: 'invalid', problem, order: 0, orderSource: 'mtime' };
}

/**
 * sha256 of the checkpoint's model files, remembered per model file and fingerprint (sizes and
 * newest mtime) so that repeated scans, e.g. on every file event in the daemon, read each
 * checkpoint once. The metadata file is not hashed: results depend on the model only.
 */
const hashes = new Map<string, { fingerprint: string; hash: string }>();

function contentHash(key: string, files: string[], fingerprint: string): string {
  const known = hashes.get(key);
  if (known && known.fingerprint === fingerprint) return known.hash;
  const hash = createHash('sha256');
  for (const f of files) hash.update(fs.readFileSync(f));
  const digest = hash.digest('hex');
  hashes.set(key, { fingerprint, hash: digest });
  return digest;
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

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}
