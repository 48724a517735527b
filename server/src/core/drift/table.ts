/**
 * The per-feature drift table between the training data and a reference data set, per raw feature
 * (`age`, `sex`), read by streaming both CSVs: the training side keeps its numeric values (to fix
 * quantile bins and the KS grid) and category counts; the reference side keeps only tallies, so a
 * reference of any length runs in bounded memory. Missing values (the encoding's missing tokens,
 * or an unparsable number) are left out of a numeric feature's distribution and reported as a
 * missing-rate change; for a categorical feature a missing token stays a category (as the model
 * sees it) and is also counted in the missing rate.
 *
 * With `chunkSize`, the reference is also cut into consecutive chunks of that many rows, and each
 * chunk gets its own PSI per feature against the same training bins (for drift over time).
 */
import { openSource } from '../data/source';
import type { SourceLocation } from '../errors';
import { knownCategories, type Encoding } from '../data/encoding';
import { GlassboxError, throwIfAborted } from '../errors';
import { NumericBaseline, binOf, type NumericAccumulator, type NumericDrift, type NumericDriftOptions } from './numeric';
import { CategoryCounter, categoricalDrift, type CategoricalDrift } from './categorical';
import { proportions, psi } from './divergence';

export type CsvSource = string | { text: string; name: string };

export interface FeatureDriftOptions extends NumericDriftOptions {
  /** Rows per reference chunk for drift over time (none when absent). */
  chunkSize?: number;
  /** A reference column whose value is reported for the first and last row of each chunk. */
  timestamp?: string;
  signal?: AbortSignal;
  /** Where glassbox.json names each file, so a missing one is reported at its `data.*` line. */
  missingAt?: { train?: SourceLocation; reference?: SourceLocation };
}

export type FeatureDriftStats = (NumericDrift | CategoricalDrift) & {
  feature: string;
  missing: { train: number; reference: number; change: number };
};

export interface ChunkDrift {
  index: number;
  /** 0-based reference rows [start, end). */
  start: number;
  end: number;
  from?: string;
  to?: string;
  /** PSI per feature, in encoding order. */
  psi: number[];
}

export interface FeatureDriftTable {
  features: FeatureDriftStats[];
  rows: { train: number; reference: number };
  chunks?: ChunkDrift[];
  /** With a timestamp column: whether its values never decrease down the file (chunks are file order). */
  ordered?: boolean;
}

interface Column {
  name: string;
  type: 'numeric' | 'categorical';
  col: number;
  missingTrain: number;
  missingRef: number;
}

export async function featureDrift(encoding: Encoding, train: CsvSource, reference: CsvSource, options: FeatureDriftOptions = {}): Promise<FeatureDriftTable> {
  const missing = new Set(encoding.missing);
  const isMissing = (v: string) => missing.has(v.trim());
  // Training pass.
  const t = await openSource(train, { ...(options.signal ? { signal: options.signal } : {}), ...(options.missingAt?.train ? { missingAt: options.missingAt.train } : {}) });
  const tCols = columnsOf(encoding, t.header, nameOf(train));
  const numericValues = tCols.map(() => new GrowingArray());
  const trainCats = tCols.map(() => new CategoryCounter());
  let nTrain = 0;
  for await (const rec of t.records) {
    nTrain++;
    for (let f = 0; f < tCols.length; f++) {
      const c = tCols[f]!;
      const raw = rec.values[c.col]!;
      if (c.type === 'numeric') {
        const v = isMissing(raw) ? NaN : Number(raw);
        if (Number.isFinite(v)) numericValues[f]!.push(v);
        else c.missingTrain++;
      } else {
        if (isMissing(raw)) c.missingTrain++;
        trainCats[f]!.add(raw);
      }
    }
  }
  const baselines = tCols.map((c, f) => (c.type === 'numeric' ? new NumericBaseline(numericValues[f]!.values(), options) : undefined));
  numericValues.length = 0;

  // Reference pass.
  const r = await openSource(reference, { ...(options.signal ? { signal: options.signal } : {}), ...(options.missingAt?.reference ? { missingAt: options.missingAt.reference } : {}) });
  const rCols = columnsOf(encoding, r.header, nameOf(reference));
  const accs: Array<NumericAccumulator | undefined> = baselines.map((b) => b?.accumulator());
  const refCats = tCols.map(() => new CategoryCounter());
  const tsCol = options.timestamp ? r.header.indexOf(options.timestamp) : -1;
  if (options.timestamp && tsCol < 0) throw new GlassboxError('config', `the timestamp column '${options.timestamp}' is not in the header of ${nameOf(reference)}`, { file: nameOf(reference), line: r.headerLine });
  const chunker = options.chunkSize ? new Chunker(options.chunkSize, tCols, baselines, trainCats) : undefined;
  let nRef = 0;
  for await (const rec of r.records) {
    if ((nRef & 4095) === 0) throwIfAborted(options.signal);
    chunker?.startRow(nRef, tsCol >= 0 ? rec.values[tsCol]! : undefined);
    nRef++;
    for (let f = 0; f < rCols.length; f++) {
      const c = rCols[f]!;
      const raw = rec.values[c.col]!;
      if (c.type === 'numeric') {
        const v = isMissing(raw) ? NaN : Number(raw);
        if (Number.isFinite(v)) {
          accs[f]!.add(v);
          chunker?.addNumeric(f, v);
        } else tCols[f]!.missingRef++;
      } else {
        if (isMissing(raw)) tCols[f]!.missingRef++;
        refCats[f]!.add(raw);
        chunker?.addCategory(f, raw);
      }
    }
  }
  const features = tCols.map((c, f): FeatureDriftStats => {
    const feature = encoding.features[f]!;
    const stats = c.type === 'numeric' ? accs[f]!.result() : categoricalDrift(trainCats[f]!, refCats[f]!, feature.type === 'categorical' ? knownCategories(feature) : undefined);
    const mt = nTrain ? c.missingTrain / nTrain : 0;
    const mr = nRef ? c.missingRef / nRef : 0;
    return { feature: c.name, ...stats, missing: { train: mt, reference: mr, change: mr - mt } };
  });
  const out: FeatureDriftTable = { features, rows: { train: nTrain, reference: nRef } };
  if (chunker) {
    out.chunks = chunker.finish(nRef);
    if (tsCol >= 0) out.ordered = chunker.ordered;
  }
  return out;
}

function columnsOf(encoding: Encoding, header: string[], file: string): Column[] {
  return encoding.features.map((f) => {
    const col = header.indexOf(f.name);
    if (col < 0) throw new GlassboxError('schema', `column '${f.name}' used by the model is not in the header`, { file, line: 1 });
    return { name: f.name, type: f.type, col, missingTrain: 0, missingRef: 0 };
  });
}

function nameOf(s: CsvSource): string {
  return typeof s === 'string' ? s : s.name;
}

/** Per-chunk bin counts against the training bins (numeric) and training categories. */
class Chunker {
  private readonly chunks: ChunkDrift[] = [];
  private counts: Array<Float64Array | Map<string, number>> = [];
  private start = 0;
  private from?: string;
  private last?: string;
  ordered = true;
  private readonly trainProps: Array<Float64Array | Map<string, number>>;

  constructor(
    private readonly size: number,
    private readonly cols: Column[],
    private readonly baselines: Array<NumericBaseline | undefined>,
    trainCats: CategoryCounter[],
  ) {
    this.trainProps = cols.map((c, f) => {
      if (c.type === 'numeric') return proportions(baselines[f]!.trainCounts);
      const m = new Map<string, number>();
      for (const [k, v] of trainCats[f]!.counts) m.set(k, v / trainCats[f]!.n);
      return m;
    });
    this.reset();
  }

  private reset(): void {
    this.counts = this.cols.map((c, f) => (c.type === 'numeric' ? new Float64Array(this.baselines[f]!.edges.length + 1) : new Map<string, number>()));
  }

  startRow(row: number, ts: string | undefined): void {
    if (row > 0 && row % this.size === 0) this.close(row);
    if (row % this.size === 0) this.from = ts;
    if (ts !== undefined && this.last !== undefined && timeValue(ts) < timeValue(this.last)) this.ordered = false;
    this.last = ts;
  }

  addNumeric(f: number, v: number): void {
    (this.counts[f] as Float64Array)[binOf(this.baselines[f]!.edges, v)]!++;
  }

  addCategory(f: number, v: string): void {
    const m = this.counts[f] as Map<string, number>;
    m.set(v, (m.get(v) ?? 0) + 1);
  }

  private close(end: number): void {
    const psis = this.cols.map((_c, f) => {
      const counts = this.counts[f]!;
      if (counts instanceof Float64Array) return psi(this.trainProps[f] as Float64Array, proportions(counts));
      const train = this.trainProps[f] as Map<string, number>;
      const keys = [...new Set([...train.keys(), ...counts.keys()])];
      let total = 0;
      for (const v of counts.values()) total += v;
      return psi(
        keys.map((k) => train.get(k) ?? 0),
        keys.map((k) => (total ? (counts.get(k) ?? 0) / total : 0)),
      );
    });
    const chunk: ChunkDrift = { index: this.chunks.length, start: this.start, end, psi: psis };
    if (this.from !== undefined) chunk.from = this.from;
    if (this.last !== undefined) chunk.to = this.last;
    this.chunks.push(chunk);
    this.start = end;
    this.reset();
  }

  finish(n: number): ChunkDrift[] {
    if (n > this.start) this.close(n);
    return this.chunks;
  }
}

/** A timestamp as a number: numeric values as they are, anything else through Date.parse. */
function timeValue(ts: string): number {
  const n = Number(ts);
  return ts.trim() !== '' && Number.isFinite(n) ? n : Date.parse(ts);
}

class GrowingArray {
  private buf = new Float64Array(1024);
  private n = 0;
  push(v: number): void {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = v;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
}
