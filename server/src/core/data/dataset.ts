/**
 * An encoded data set in memory: the model-input matrix, labels, and for every row the line it
 * came from. Rows are read by streaming, so memory is the encoded matrix plus (optionally) the raw
 * values, never the file text.
 *
 * Numbers a model input cannot hold (infinite, or beyond the float32 range: `inf`, `1e308`) are
 * treated as missing, as schema fitting treats them: imputed with the training mean and listed
 * with their lines in `outOfRange`, never passed on as an infinite input.
 */
import type { CsvOptions } from './csv';
import { openSource, type DataFormat, type RowAddressing } from './source';
import { compileEncoder, newCounters, type EncodeCounters, type Encoding } from './encoding';
import { isOutOfRange, MAX_NOTED_LINES, parseNumber, type OutOfRangeValues } from './schema';
import { echo, GlassboxError } from '../errors';

export interface Dataset {
  file: string;
  header: string[];
  /** Number of rows. */
  n: number;
  width: number;
  /** Row-major n x width encoded inputs. */
  X: Float32Array;
  /** Address of each row: its 1-based source line (CSV), or its 0-based row index (Parquet, Arrow); see `addressing`. */
  lines: Int32Array;
  /** What `lines` holds; absent means `line` (data sets built before other formats existed). */
  addressing?: RowAddressing;
  format?: DataFormat;
  /** Class index (classification) or value (regression) per row; NaN where the label is missing. */
  y?: Float32Array;
  /** Raw CSV values per row (when requested). */
  raw?: string[][];
  counters: EncodeCounters;
  /** Rows whose label value is not one of the known classes. */
  unknownLabels: Map<string, number>;
  /** feature -> numbers beyond the float32 range, imputed like missing values (see the file comment). */
  outOfRange?: Map<string, OutOfRangeValues>;
}

export interface LoadOptions extends CsvOptions {
  keepRaw?: boolean;
  /** Read labels when the label column is present (default true). */
  labels?: boolean;
}

export async function loadDataset(path: string, encoding: Encoding, options: LoadOptions = {}): Promise<Dataset> {
  // Typed cells (numbers stay numbers) unless raw texts are kept.
  const stream = await openSource(path, { ...options, typed: !options.keepRaw });
  const file = options.displayName ?? path;
  let encoder: ReturnType<typeof compileEncoder>;
  try {
    encoder = compileEncoder(encoding, stream.header, file);
  } catch (e) {
    // Nothing will read the records: release the file now rather than at garbage collection.
    stream.close?.();
    throw e;
  }
  const width = encoding.width;
  const labelCol = encoding.label && options.labels !== false ? stream.header.indexOf(encoding.label.name) : -1;
  const classIndex = encoding.label?.classes ? new Map(encoding.label.classes.map((c, i) => [c, i] as const)) : undefined;
  const counters = newCounters();
  const unknownLabels = new Map<string, number>();
  const outOfRange = new Map<string, OutOfRangeValues>();
  const missingTokens = new Set(encoding.missing);
  // Numeric inputs to re-check per row: where the value sits and what a missing one becomes.
  const numeric = encoding.features.flatMap((f) =>
    f.type === 'numeric' ? [{ name: f.name, col: stream.header.indexOf(f.name), slot: f.columns[0], imputed: f.transform === 'standardize' ? 0 : f.mean }] : [],
  );

  let capacity = 1024;
  let X: Float32Array = new Float32Array(capacity * width);
  let lines: Int32Array = new Int32Array(capacity);
  let y: Float32Array | undefined = labelCol >= 0 ? new Float32Array(capacity) : undefined;
  const raw: string[][] | undefined = options.keepRaw ? [] : undefined;
  let n = 0;
  for await (const rec of stream.records) {
    if (n === capacity) {
      capacity *= 2;
      X = grow(X, capacity * width);
      lines = growInt(lines, capacity);
      if (y) y = grow(y, capacity);
    }
    encoder.encode(rec.values, X, n * width, counters);
    for (const f of numeric) {
      const cell = rec.values[f.col] as string | number;
      if (typeof cell === 'number') {
        if (!isOutOfRange(cell)) continue;
        X[n * width + f.slot] = f.imputed;
        // As for text below: the encoder counted an infinite value as missing; it is counted here only.
        if (!Number.isFinite(cell)) counters.missing.set(f.name, counters.missing.get(f.name)! - 1);
        if (counters.missing.get(f.name) === 0) counters.missing.delete(f.name);
        let o = outOfRange.get(f.name);
        if (!o) outOfRange.set(f.name, (o = { count: 0, lines: [], example: String(cell) }));
        o.count++;
        if (o.lines.length < MAX_NOTED_LINES) o.lines.push(rec.line);
        continue;
      }
      const text = cell;
      // Only a text with an exponent, `inf`/`infinity`, or 39+ digits can be out of range, and
      // only then is the cell parsed a second time.
      if (text.length < 39 && !OUT_OF_RANGE_HINT.test(text)) continue;
      const trimmed = text.trim();
      if (missingTokens.has(trimmed)) continue;
      const v = parseNumber(trimmed);
      if (!isOutOfRange(v)) continue;
      X[n * width + f.slot] = f.imputed;
      // The encoder already counted a non-finite parse as missing: count it here only.
      if (!Number.isFinite(Number(text))) counters.missing.set(f.name, counters.missing.get(f.name)! - 1);
      if (counters.missing.get(f.name) === 0) counters.missing.delete(f.name);
      let o = outOfRange.get(f.name);
      if (!o) outOfRange.set(f.name, (o = { count: 0, lines: [], example: echo(trimmed, 40) }));
      o.count++;
      if (o.lines.length < MAX_NOTED_LINES) o.lines.push(rec.line);
    }
    lines[n] = rec.line;
    if (y) {
      const cell = rec.values[labelCol] as string | number;
      const v = typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell;
      if (classIndex) {
        const k = classIndex.get(v.trim()) ?? classIndex.get(v);
        if (k === undefined) unknownLabels.set(v, (unknownLabels.get(v) ?? 0) + 1);
        y[n] = k ?? NaN;
      } else {
        const num = Number(v);
        y[n] = v.trim() === '' || !Number.isFinite(num) ? NaN : num;
      }
    }
    raw?.push(rec.values);
    n++;
  }
  if (n === 0) throw new GlassboxError('csv', 'the file has a header but no rows', stream.addressing === 'row' ? { file } : { file, line: stream.headerLine });
  const ds: Dataset = {
    file,
    header: stream.header,
    n,
    width,
    X: X.subarray(0, n * width),
    lines: lines.subarray(0, n),
    addressing: stream.addressing,
    format: stream.format,
    counters,
    unknownLabels,
    outOfRange,
  };
  if (y) ds.y = y.subarray(0, n);
  if (raw) ds.raw = raw;
  return ds;
}

const OUT_OF_RANGE_HINT = /[eEfFyY]/;

/** Rows `indices` of a data set as a new compact matrix. */
export function takeRows(ds: Pick<Dataset, 'X' | 'width'>, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * ds.width);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    out.set(ds.X.subarray(r * ds.width, (r + 1) * ds.width), i * ds.width);
  }
  return out;
}

/** Index of the row that starts on `line`, or -1. Lines are increasing, so this is a binary search. */
export function rowAtLine(ds: Pick<Dataset, 'lines'>, line: number): number {
  let lo = 0;
  let hi = ds.lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = ds.lines[mid]!;
    if (v === line) return mid;
    if (v < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function grow(a: Float32Array, size: number): Float32Array {
  const b = new Float32Array(size);
  b.set(a);
  return b;
}
function growInt(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
