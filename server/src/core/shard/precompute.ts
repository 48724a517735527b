/**
 * The per-row precompute of one shard of a data file, in bounded memory: the rows are streamed
 * once (Parquet: only the shard's row groups are decoded), encoded in batches of `BATCH` rows, and
 * folded into mergeable summaries (sketch.ts):
 * - drift: per-feature histograms against bins fixed by the training data (numeric: training
 *   quantile edges; categorical: counts per value), and missing counts;
 * - predictions: rows per predicted class;
 * - suspects: the k rows of highest loss under the checkpoint (cross-entropy, or squared error for
 *   regression; rows without a label are not ranked);
 * - importance: a bottom-k hash sample of rows (uniform, independent of the sharding) with each
 *   sampled row's per-feature attribution by the model's default importance method.
 *
 * Which rows a shard owns (`shard i/n`, 1-based i): Parquet row groups g with g mod n = i - 1;
 * otherwise blocks of `BLOCK` consecutive rows b with b mod n = i - 1. Every row is owned by
 * exactly one shard of a set, and merge.ts checks a set covers the file.
 *
 * The training side (bins, training proportions, importance background) is computed the same way
 * in every shard from a seeded reservoir of `TRAIN_SAMPLE` training rows, so memory does not grow
 * with the training file; training proportions are those of the sample (exact when the file has
 * fewer rows).
 *
 * Contract: for exact attribution methods (TreeSHAP, linear SHAP) and models whose per-row output
 * does not depend on the batch, merging the shards of any n gives the same result as n = 1.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkColumnKinds, columnKindsOf, openSource, type RowAddressing } from '../data/source';
import { compileEncoder, featureNames, newCounters, type Encoding } from '../data/encoding';
import { GlassboxError, throwIfAborted } from '../errors';
import type { CheckpointInfo } from '../model/checkpoints';
import { predict, type ModelHandle } from '../model/model';
import { defaultImportance } from '../importance/importance';
import { getMethod } from '../methods/registry';
import { resolveParams } from '../methods/params';
import { NumericBaseline, binOf } from '../drift/numeric';
import { createRng } from '../util/random';
import { BottomKSample, byScoreThenOrdinal, TopK, type Ranked } from './sketch';
import type { Project, DataRole } from '../project';
import type { FittedSchema } from '../data/schema';

export const PRECOMPUTE_FORMAT = 'glassbox-precompute';
export const PRECOMPUTE_VERSION = 1;
/** Rows per shard unit of row-oriented files (CSV, Arrow). */
export const BLOCK = 4096;
/** Rows encoded and predicted together. */
export const BATCH = 4096;
/** Training rows kept to fix bins and backgrounds. */
export const TRAIN_SAMPLE = 65536;
/** Training rows passed as background to methods that need one. */
export const BACKGROUND_ROWS = 256;

export interface ShardSpec {
  /** 0-based. */
  index: number;
  count: number;
}

/** Parses `i/n` (1-based i, as the CLI takes it). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1 || i < 1 || i > n) throw new GlassboxError('usage', `--shard must be i/n with 1 <= i <= n (e.g. 2/8), got '${text}'`);
  return { index: i - 1, count: n };
}

export interface PrecomputeParams {
  /** Suspect rows kept (default 100). */
  k: number;
  /** Rows in the importance sample (default 1000). */
  sample: number;
  /** Numeric drift bins (default 10). */
  bins: number;
  seed: number;
}

export const DEFAULT_PARAMS: PrecomputeParams = { k: 100, sample: 1000, bins: 10, seed: 0 };

export interface NumericHistogram {
  name: string;
  type: 'numeric';
  edges: number[];
  train: number[];
  trainMissing: number;
  counts: number[];
  missing: number;
}
export interface CategoricalHistogram {
  name: string;
  type: 'categorical';
  train: Record<string, number>;
  trainMissing: number;
  counts: Record<string, number>;
  missing: number;
}
export type FeatureHistogram = NumericHistogram | CategoricalHistogram;

export interface SuspectRow {
  ordinal: number;
  row: number;
  loss: number;
  label: number;
  predicted: number;
}

export interface SampledRow {
  ordinal: number;
  row: number;
  hash: number;
  /** Per raw feature, in encoding order. */
  attribution: number[];
}

/** What one shard writes (`shard-<i>-of-<n>.json`); plain JSON. */
export interface ShardResult {
  format: typeof PRECOMPUTE_FORMAT;
  version: typeof PRECOMPUTE_VERSION;
  /** Hash of everything that must agree between shards of one set (config, encoding, data file, checkpoint, params). */
  setKey: string;
  config: { file: string; hash: string };
  data: { role: DataRole; file: string; bytes: number; rows: number; addressing: RowAddressing; unit: 'row-group' | 'block' };
  checkpoint: { name: string; hash: string };
  method: string;
  params: PrecomputeParams;
  shard: { index: number; count: number };
  /** Rows of this shard. */
  rows: number;
  features: string[];
  classes: number;
  drift: FeatureHistogram[];
  predicted: number[];
  suspects: SuspectRow[];
  sample: SampledRow[];
}

export interface PrecomputeOptions {
  role: DataRole;
  shard: ShardSpec;
  checkpoint: CheckpointInfo;
  params?: Partial<PrecomputeParams>;
  /** The training side prepared once (`prepareTraining`), instead of each shard computing it. */
  training?: PreparedTraining;
  signal?: AbortSignal;
  onProgress?: (rows: number) => void;
}

export async function precomputeShard(project: Project, options: PrecomputeOptions): Promise<ShardResult> {
  const params = checkParams(options.params);
  const file = project.dataPath(options.role);
  if (!file) throw new GlassboxError('config', `glassbox.json names no '${options.role}' data`, project.config.locate(['data']));
  let train: TrainingSide;
  if (options.training) {
    const prepared = options.training;
    const key = trainingKey(project, params);
    if (prepared.key !== key) {
      throw new GlassboxError('usage', 'the prepared training side is of another glassbox.json, training file or parameters: prepare it again (glassbox precompute --prepare)', { file: prepared.file ?? 'training.json' });
    }
    project.useSchema(prepared.schema);
    train = {
      histograms: prepared.histograms.map((h) => ({ ...h, counts: h.type === 'numeric' ? new Array<number>(h.counts.length).fill(0) : (Object.create(null) as Record<string, number>), missing: 0 }) as FeatureHistogram),
      background: Float32Array.from(prepared.background),
      backgroundN: prepared.backgroundN,
    };
  }
  const { encoding } = await project.schema();
  const model = await project.model(options.checkpoint);
  const fallback = defaultImportance(model);
  const method = getMethod(fallback.method);
  const resolved = resolveParams(method.id, method.params, fallback.params);
  train ??= await trainingSide(project, encoding, params, options.signal);

  const { index, count } = options.shard;
  const missingAt = project.config.dataLocation(file);
  const src = await openSource(file, {
    displayName: file,
    ...(missingAt ? { missingAt } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    rowGroups: (g) => g % count === index,
    typed: true,
  });
  const unit = src.format === 'parquet' ? 'row-group' : 'block';
  const trainFile = project.config.data.train;
  if (src.columnKinds && path.resolve(trainFile) !== path.resolve(file)) {
    const kinds = await columnKindsOf(trainFile);
    try {
      if (kinds) checkColumnKinds(src, [...encoding.features.map((f) => f.name), ...(encoding.label ? [encoding.label.name] : [])], { file: trainFile, kinds }, file);
    } catch (e) {
      src.close?.();
      throw e;
    }
  }
  const encoder = compileEncoder(encoding, src.header, file, src.headerLine);
  const counters = newCounters();
  const width = encoding.width;
  const K = model.classes;
  const labelCol = encoding.label ? src.header.indexOf(encoding.label.name) : -1;
  const classIndex = encoding.label?.classes ? new Map(encoding.label.classes.map((c, i) => [c, i] as const)) : undefined;
  const missingTokens = new Set(encoding.missing);
  const cols = train.histograms.map((h) => src.header.indexOf(h.name));

  const suspects = new TopK<Ranked<SuspectRow>>(params.k, byScoreThenOrdinal);
  const sample = new BottomKSample<{ x: Float32Array; y: number }>(params.sample, params.seed);
  const predicted = new Array<number>(K).fill(0);
  const X = new Float32Array(BATCH * width);
  const y = new Float32Array(BATCH);
  const ordinals = new Float64Array(BATCH);
  const rowsOf = new Float64Array(BATCH);
  let fill = 0;
  let ordinal = -1;
  let rows = 0;

  const flush = () => {
    if (fill === 0) return;
    const p = predict(model, X.subarray(0, fill * width), fill, options.signal);
    for (let i = 0; i < fill; i++) {
      let best = 0;
      for (let c = 1; c < K; c++) if (p.logits[i * K + c]! > p.logits[i * K + best]!) best = c;
      if (model.task !== 'regression') predicted[best]!++;
      const label = y[i]!;
      if (Number.isNaN(label)) continue;
      const loss = rowLoss(model, p.logits, i, K, label);
      suspects.offer({ ordinal: ordinals[i]!, row: rowsOf[i]!, score: loss, data: { ordinal: ordinals[i]!, row: rowsOf[i]!, loss, label, predicted: model.task === 'regression' ? p.logits[i * K]! : best } });
    }
    fill = 0;
  };

  for await (const rec of src.records) {
    // Row index for binary formats; for CSV the record count (lines can hold several per record).
    ordinal = src.addressing === 'row' ? rec.line : ordinal + 1;
    if (unit === 'block' && Math.floor(ordinal / BLOCK) % count !== index) continue;
    rows++;
    if ((rows & 4095) === 0) {
      throwIfAborted(options.signal);
      options.onProgress?.(rows);
    }
    for (let f = 0; f < cols.length; f++) {
      const h = train.histograms[f]!;
      const cell = rec.values[cols[f]!] as string | number;
      if (typeof cell === 'number') {
        // A typed floating-point cell (source.ts `typed`): NaN is missing.
        if (h.type === 'numeric') {
          if (Number.isFinite(cell)) h.counts[binOf(h.edges, cell)]!++;
          else h.missing++;
          continue;
        }
      }
      const raw = typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell;
      const trimmed = raw.trim();
      if (h.type === 'numeric') {
        const v = missingTokens.has(trimmed) ? NaN : Number(trimmed);
        if (trimmed === '' || !Number.isFinite(v)) h.missing++;
        else h.counts[binOf(h.edges, v)]!++;
      } else {
        if (missingTokens.has(trimmed)) h.missing++;
        h.counts[raw] = (h.counts[raw] ?? 0) + 1;
      }
    }
    encoder.encode(rec.values, X, fill * width, counters);
    y[fill] = labelCol < 0 ? NaN : labelValue(rec.values[labelCol]!, classIndex);
    ordinals[fill] = ordinal;
    rowsOf[fill] = rec.line;
    const at = fill;
    sample.offer(ordinal, rec.line, () => ({ x: X.slice(at * width, (at + 1) * width), y: y[at]! }));
    fill++;
    if (fill === BATCH) flush();
  }
  flush();
  const totalRows = src.rows ?? ordinal + 1;

  // Importance: attribute the sampled rows, one call (the sample is small).
  const kept = sample.result();
  const F = encoding.features.length;
  let attributions: Float64Array<ArrayBufferLike> = new Float64Array(0);
  if (kept.length) {
    const Xs = new Float32Array(kept.length * width);
    kept.forEach((r, i) => Xs.set(r.data.x, i * width));
    const result = await method.attribute(
      {
        model,
        encoding,
        X: Xs,
        n: kept.length,
        target: { kind: 'predicted' },
        seed: params.seed,
        ...(method.capabilities.background ? { background: train.background, backgroundN: train.backgroundN } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      resolved,
    );
    attributions = result.grouped;
  }

  const stat = fs.statSync(file);
  const data = { role: options.role, file: path.basename(file), bytes: stat.size, rows: totalRows, addressing: src.addressing, unit } as const;
  const configHash = sha256(JSON.stringify(project.config.raw));
  const checkpoint = { name: options.checkpoint.name, hash: options.checkpoint.hash ?? options.checkpoint.name };
  const methodId = method.id;
  const setKey = sha256(JSON.stringify({ configHash, encoding, data, checkpoint, methodId, params, train: train.histograms.map((h) => h.train) }));
  return {
    format: PRECOMPUTE_FORMAT,
    version: PRECOMPUTE_VERSION,
    setKey,
    config: { file: path.basename(project.config.file), hash: configHash },
    data,
    checkpoint,
    method: methodId,
    params,
    shard: { index, count },
    rows,
    features: featureNames(encoding),
    classes: model.task === 'regression' ? 0 : K,
    drift: train.histograms,
    predicted: model.task === 'regression' ? [] : predicted,
    suspects: suspects.result().map((r) => r.data),
    sample: kept.map((r, i) => ({ ordinal: r.ordinal, row: r.row, hash: r.score, attribution: Array.from(attributions.subarray(i * F, (i + 1) * F)) })),
  };
}

function checkParams(given: Partial<PrecomputeParams> | undefined): PrecomputeParams {
  const params = { ...DEFAULT_PARAMS, ...given };
  for (const [k, v] of Object.entries(params)) {
    if (!Number.isSafeInteger(v) || v < (k === 'bins' ? 2 : 0)) throw new GlassboxError('usage', `precompute: ${k} must be an integer >= ${k === 'bins' ? 2 : 0}, got ${v}`);
  }
  return params;
}

/**
 * The training side of a precompute (fitted schema, bins, training proportions, background),
 * computed once and given to every shard, so shards do not each pass over the training file.
 */
export interface PreparedTraining {
  format: 'glassbox-precompute-training';
  /** Hash of the config, the training file (name, size, mtime) and the parameters it was made for. */
  key: string;
  schema: FittedSchema;
  histograms: FeatureHistogram[];
  background: number[];
  backgroundN: number;
  /** Where it was read from (for messages; not written). */
  file?: string;
}

export async function prepareTraining(project: Project, given?: Partial<PrecomputeParams>, signal?: AbortSignal): Promise<PreparedTraining> {
  const params = checkParams(given);
  const schema = await project.schema();
  const side = await trainingSide(project, schema.encoding, params, signal);
  return { format: 'glassbox-precompute-training', key: trainingKey(project, params), schema, histograms: side.histograms, background: Array.from(side.background), backgroundN: side.backgroundN };
}

function trainingKey(project: Project, params: PrecomputeParams): string {
  const file = project.config.data.train;
  let stat: { size: number; mtimeMs: number } = { size: -1, mtimeMs: -1 };
  try {
    stat = fs.statSync(file);
  } catch {
    // A missing training file is reported by whatever reads it.
  }
  return sha256(JSON.stringify({ config: project.config.raw, train: [path.basename(file), stat.size, stat.mtimeMs], bins: params.bins, seed: params.seed }));
}

function labelValue(cell: string | number, classIndex: Map<string, number> | undefined): number {
  const v = typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell;
  if (classIndex) return classIndex.get(v.trim()) ?? classIndex.get(v) ?? NaN;
  const num = Number(v);
  return v.trim() === '' || !Number.isFinite(num) ? NaN : num;
}

/** Cross-entropy of the softmax of row i's logits at `label`, or squared error for regression. */
function rowLoss(model: ModelHandle, logits: Float32Array, i: number, K: number, label: number): number {
  if (model.task === 'regression') return (logits[i * K]! - label) ** 2;
  let max = -Infinity;
  for (let c = 0; c < K; c++) max = Math.max(max, logits[i * K + c]!);
  let sum = 0;
  for (let c = 0; c < K; c++) sum += Math.exp(logits[i * K + c]! - max);
  return Math.log(sum) + max - logits[i * K + label]!;
}

interface TrainingSide {
  histograms: FeatureHistogram[];
  background: Float32Array;
  backgroundN: number;
}

/**
 * Bins and training proportions from a seeded reservoir of training rows (Algorithm R, file
 * order): the same in every shard, memory O(TRAIN_SAMPLE x features).
 */
async function trainingSide(project: Project, encoding: Encoding, params: PrecomputeParams, signal?: AbortSignal): Promise<TrainingSide> {
  const file = project.config.data.train;
  const missingAt = project.config.dataLocation(file);
  const src = await openSource(file, { displayName: file, typed: true, ...(missingAt ? { missingAt } : {}), ...(signal ? { signal } : {}) });
  const features = encoding.features;
  const cols = features.map((f) => src.header.indexOf(f.name));
  const missingTokens = new Set(encoding.missing);
  const numeric = features.map((f) => f.type === 'numeric');
  const reservoir: number[][] = features.map(() => []);
  const reservoirRows: string[][] = [];
  const cats = features.map(() => new Map<string, number>());
  const missing = new Array<number>(features.length).fill(0);
  const rng = createRng(params.seed ^ 0x5eed);
  let n = 0;
  for await (const rec of src.records) {
    const slot = n < TRAIN_SAMPLE ? n : rng.int(n + 1);
    n++;
    for (let f = 0; f < features.length; f++) {
      const cell = rec.values[cols[f]!] as string | number;
      if (numeric[f] && typeof cell === 'number') {
        if (!Number.isFinite(cell)) missing[f]!++;
        if (slot < TRAIN_SAMPLE) reservoir[f]![slot] = cell;
        continue;
      }
      const raw = typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell;
      const trimmed = raw.trim();
      if (numeric[f]) {
        const v = missingTokens.has(trimmed) || trimmed === '' ? NaN : Number(trimmed);
        if (!Number.isFinite(v)) missing[f]!++;
        if (slot < TRAIN_SAMPLE) reservoir[f]![slot] = v;
      } else {
        if (missingTokens.has(trimmed)) missing[f]!++;
        cats[f]!.set(raw, (cats[f]!.get(raw) ?? 0) + 1);
      }
    }
    if (slot < BACKGROUND_ROWS) reservoirRows[slot] = rec.values;
  }
  const histograms: FeatureHistogram[] = features.map((feat, f) => {
    if (feat.type === 'numeric') {
      const base = new NumericBaseline(reservoir[f]!.filter(Number.isFinite), { bins: params.bins });
      return { name: feat.name, type: 'numeric', edges: base.edges, train: Array.from(base.trainCounts), trainMissing: missing[f]!, counts: new Array<number>(base.edges.length + 1).fill(0), missing: 0 };
    }
    // Null prototype: a category named `__proto__` or `constructor` is an ordinary key.
    const train = Object.create(null) as Record<string, number>;
    for (const [k, v] of [...cats[f]!].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) train[k] = v;
    return { name: feat.name, type: 'categorical', train, trainMissing: missing[f]!, counts: Object.create(null) as Record<string, number>, missing: 0 };
  });
  const encoder = compileEncoder(encoding, src.header, file, src.headerLine);
  const background = new Float32Array(reservoirRows.length * encoding.width);
  const counters = newCounters();
  reservoirRows.forEach((r, i) => encoder.encode(r, background, i * encoding.width, counters));
  return { histograms, background, backgroundN: reservoirRows.length };
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
