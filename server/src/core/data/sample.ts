/**
 * A uniform sample of a data file's rows in one streamed pass (core/data/chunks.ts), for analyses
 * that look at a sample anyway (global importance rows, drift importance, beeswarms) and must not
 * hold the whole file: memory is the k sampled rows plus one chunk.
 *
 * Which rows: the k of smallest `rowHash(seed, ordinal)` (core/shard/sketch.ts), the same rule as
 * the sharded precompute's importance sample, so a sample does not depend on chunking or sharding
 * and is reproducible from (seed, k) alone. The result is a `Dataset` of those rows in file order
 * (their `lines` are their addresses in the file), so anything that takes a data set takes it.
 */
import { readChunks, type ChunkOptions } from './chunks';
import type { Dataset } from './dataset';
import type { Encoding } from './encoding';
import { BottomKSample } from '../shard/sketch';
import { GlassboxError } from '../errors';

export interface SampleOptions extends Omit<ChunkOptions, 'keepRaw'> {
  /** Rows kept (all rows when the file has fewer). */
  k: number;
  seed?: number;
}

export interface SampledDataset extends Dataset {
  /** Rows in the file (read to the end). */
  total: number;
  /** Each sampled row's 0-based position in the file. */
  ordinals: Int32Array;
}

export async function sampleDataset(file: string, encoding: Encoding, options: SampleOptions): Promise<SampledDataset> {
  const { k } = options;
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`sampleDataset: k must be a positive integer, got ${k}`);
  const reader = await readChunks(file, encoding, options);
  const width = encoding.width;
  const sample = new BottomKSample<{ x: Float32Array; y: number }>(k, options.seed ?? 0);
  for await (const c of reader.chunks) {
    for (let i = 0; i < c.n; i++) sample.offer(c.start + i, c.lines[i]!, () => ({ x: c.X.slice(i * width, (i + 1) * width), y: c.y ? c.y[i]! : NaN }));
  }
  const totals = reader.totals();
  if (totals.rows === 0) throw new GlassboxError('csv', 'the file has a header but no rows', reader.addressing === 'row' ? { file: reader.file } : { file: reader.file, line: reader.headerLine });
  const kept = sample.result().sort((a, b) => a.ordinal - b.ordinal);
  const n = kept.length;
  const X = new Float32Array(n * width);
  kept.forEach((r, i) => X.set(r.data.x, i * width));
  const ds: SampledDataset = {
    file: reader.file,
    header: reader.header,
    n,
    width,
    X,
    lines: Int32Array.from(kept, (r) => r.row),
    addressing: reader.addressing,
    format: reader.format,
    counters: totals.counters,
    unknownLabels: totals.unknownLabels,
    outOfRange: totals.outOfRange,
    total: totals.rows,
    ordinals: Int32Array.from(kept, (r) => r.ordinal),
  };
  if (reader.hasLabels) ds.y = Float32Array.from(kept, (r) => r.data.y);
  return ds;
}
