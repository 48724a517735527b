/**
 * Merging the shards of one precompute set, and the final numbers from the merged summaries.
 *
 * A set is accepted only whole: every shard file of the same `setKey` (config, encoding, data file,
 * checkpoint, params), every index 1..n exactly once, and row counts adding up to the file's rows.
 * Anything else is one `GlassboxError` naming the file at fault; nothing is merged silently.
 *
 * `finalize` turns merged summaries into results: PSI per feature (training bins vs the data),
 * the class mix of predictions, the top suspects, and importance (mean |attribution| over the
 * sample, summed in hash order so the number does not depend on the shards).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { echo, GlassboxError } from '../errors';
import { proportions, psi } from '../drift/divergence';
import { byHashThenOrdinal, byScoreThenOrdinal, mergeTopK } from './sketch';
import { PRECOMPUTE_FORMAT, PRECOMPUTE_VERSION, type FeatureHistogram, type SampledRow, type ShardResult, type SuspectRow } from './precompute';

/** Shard results in `dirs` (files `shard-*.json`), or in the files given directly. */
export function readShardFiles(paths: string[]): Array<{ file: string; result: ShardResult }> {
  const files: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new GlassboxError('usage', 'no such shard directory or file', { file: p });
    }
    if (stat.isDirectory()) {
      const found = fs.readdirSync(p).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f)).sort();
      if (found.length === 0) throw new GlassboxError('usage', 'no shard-<i>-of-<n>.json file in this directory (write them with glassbox precompute --shard i/n --out DIR)', { file: p });
      files.push(...found.map((f) => path.join(p, f)));
    } else files.push(p);
  }
  return files.map((file) => ({ file, result: parseShard(file) }));
}

function parseShard(file: string): ShardResult {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GlassboxError('file', `not a readable precompute shard: ${(e as Error).message}`, { file });
  }
  const r = value as Partial<ShardResult>;
  if (r?.format !== PRECOMPUTE_FORMAT) throw new GlassboxError('file', `not a precompute shard (format is ${echo(JSON.stringify(r?.format))})`, { file });
  if (r.version !== PRECOMPUTE_VERSION) throw new GlassboxError('file', `precompute shard version ${echo(r.version)} is not ${PRECOMPUTE_VERSION}: recompute it with this glassbox`, { file });
  return r as ShardResult;
}

export interface MergedPrecompute {
  config: ShardResult['config'];
  data: ShardResult['data'];
  checkpoint: ShardResult['checkpoint'];
  method: string;
  params: ShardResult['params'];
  shards: number;
  rows: number;
  features: string[];
  drift: Array<{ feature: string; type: 'numeric' | 'categorical'; psi: number; missing: { train: number; data: number } }>;
  histograms: FeatureHistogram[];
  predicted: number[];
  suspects: SuspectRow[];
  importance: { n: number; meanAbs: number[]; signedMean: number[]; shares: number[] };
  sample: SampledRow[];
}

/** Checks a shard set and merges it (see the file comment). */
export function mergeShards(shards: Array<{ file: string; result: ShardResult }>): MergedPrecompute {
  if (shards.length === 0) throw new GlassboxError('usage', 'no shard to merge');
  const first = shards[0]!;
  const n = first.result.shard.count;
  const seen = new Map<number, string>();
  for (const { file, result } of shards) {
    if (result.setKey !== first.result.setKey) {
      throw new GlassboxError('usage', `this shard belongs to another run than ${first.file} (${differs(first.result, result)}): merge only shards of one config, data file, checkpoint and parameters`, { file });
    }
    if (result.shard.count !== n) throw new GlassboxError('usage', `this shard is ${result.shard.index + 1}/${result.shard.count}, ${first.file} is of a set of ${n}`, { file });
    const twin = seen.get(result.shard.index);
    if (twin) throw new GlassboxError('usage', `shard ${result.shard.index + 1}/${n} given twice (also ${twin})`, { file });
    seen.set(result.shard.index, file);
  }
  const absent = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (absent.length) {
    throw new GlassboxError('usage', `the shards do not cover the data: missing ${absent.slice(0, 10).map((i) => `${i + 1}/${n}`).join(', ')}${absent.length > 10 ? ` and ${absent.length - 10} more` : ''}`, { file: first.file });
  }
  const rows = shards.reduce((a, s) => a + s.result.rows, 0);
  if (rows !== first.result.data.rows) {
    throw new GlassboxError('usage', `the shards hold ${rows} rows but ${first.result.data.file} has ${first.result.data.rows}: a shard was computed on another version of the file`, { file: first.file });
  }
  const ordered = shards.map((s) => s.result).sort((a, b) => a.shard.index - b.shard.index);
  const histograms = first.result.drift.map((h, f) => mergeHistogram(ordered.map((r) => r.drift[f]!), h));
  const predicted = first.result.predicted.map((_, c) => ordered.reduce((a, r) => a + r.predicted[c]!, 0));
  const p = first.result.params;
  const suspects = mergeTopK(
    ordered.map((r) => r.suspects.map((s) => ({ ordinal: s.ordinal, row: s.row, score: s.loss, data: s }))),
    p.k,
    byScoreThenOrdinal,
  ).map((r) => r.data);
  const sample = mergeTopK(
    ordered.map((r) => r.sample.map((s) => ({ ordinal: s.ordinal, row: s.row, score: s.hash, data: s }))),
    p.sample,
    byHashThenOrdinal,
  ).map((r) => r.data);
  const { config, data, checkpoint, method, params, features } = first.result;
  return {
    config,
    data,
    checkpoint,
    method,
    params,
    shards: n,
    rows,
    features,
    drift: histograms.map((h) => ({ feature: h.name, type: h.type, psi: histogramPsi(h), missing: { train: h.trainMissing, data: h.missing } })),
    histograms,
    predicted,
    suspects,
    importance: importanceOf(sample, features.length),
    sample,
  };
}

function differs(a: ShardResult, b: ShardResult): string {
  if (a.config.hash !== b.config.hash) return 'a different glassbox.json';
  if (a.data.file !== b.data.file || a.data.bytes !== b.data.bytes || a.data.role !== b.data.role) return `data ${b.data.role} ${b.data.file} (${b.data.bytes} bytes) vs ${a.data.role} ${a.data.file} (${a.data.bytes} bytes)`;
  if (a.checkpoint.hash !== b.checkpoint.hash) return `checkpoint ${b.checkpoint.name} vs ${a.checkpoint.name}`;
  if (JSON.stringify(a.params) !== JSON.stringify(b.params)) return `parameters ${JSON.stringify(b.params)} vs ${JSON.stringify(a.params)}`;
  return 'a different encoding or training data';
}

function mergeHistogram(parts: FeatureHistogram[], first: FeatureHistogram): FeatureHistogram {
  const missing = parts.reduce((a, h) => a + h.missing, 0);
  if (first.type === 'numeric') {
    const counts = first.counts.map((_, b) => parts.reduce((a, h) => a + (h.counts as number[])[b]!, 0));
    return { ...first, counts, missing };
  }
  const counts = Object.create(null) as Record<string, number>;
  const keys = new Set(parts.flatMap((h) => Object.keys(h.counts)));
  for (const k of [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) counts[k] = parts.reduce((a, h) => a + ((h.counts as Record<string, number>)[k] ?? 0), 0);
  return { ...first, counts, missing };
}

/** PSI between the training bins/categories and the merged counts (categories: the union of both). */
export function histogramPsi(h: FeatureHistogram): number {
  if (h.type === 'numeric') return psi(proportions(h.train), proportions(h.counts));
  const keys = [...new Set([...Object.keys(h.train), ...Object.keys(h.counts)])].sort();
  return psi(
    proportions(keys.map((k) => h.train[k] ?? 0)),
    proportions(keys.map((k) => h.counts[k] ?? 0)),
  );
}

function importanceOf(sample: SampledRow[], F: number) {
  const meanAbs = new Array<number>(F).fill(0);
  const signedMean = new Array<number>(F).fill(0);
  for (const s of sample) {
    for (let f = 0; f < F; f++) {
      meanAbs[f]! += Math.abs(s.attribution[f]!);
      signedMean[f]! += s.attribution[f]!;
    }
  }
  const n = sample.length;
  for (let f = 0; f < F; f++) {
    meanAbs[f] = n ? meanAbs[f]! / n : 0;
    signedMean[f] = n ? signedMean[f]! / n : 0;
  }
  const total = meanAbs.reduce((a, b) => a + b, 0);
  return { n, meanAbs, signedMean, shares: meanAbs.map((v) => (total > 0 ? v / total : 0)) };
}
