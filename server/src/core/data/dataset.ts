/**
 * An encoded data set in memory: the model-input matrix, labels, and for every row the line it
 * came from. Rows are read in chunks (chunks.ts), so memory is the encoded matrix plus (optionally)
 * the raw values, never the file text. A pass that needs one row at a time should read the chunks
 * itself (`readChunks`) and hold no matrix at all.
 *
 * Numbers a model input cannot hold (infinite, or beyond the float32 range: `inf`, `1e308`) are
 * treated as missing, as schema fitting treats them: imputed with the training mean and listed
 * with their lines in `outOfRange`, never passed on as an infinite input.
 */
import type { CsvOptions } from './csv';
import type { DataFormat, RowAddressing } from './source';
import { readChunks, CHUNK_ROWS } from './chunks';
import type { EncodeCounters, Encoding } from './encoding';
import type { OutOfRangeValues } from './schema';
import { GlassboxError } from '../errors';

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
  const reader = await readChunks(path, encoding, options);
  const width = encoding.width;
  // Parquet says its row count up front: one allocation. Otherwise capacity doubles.
  let capacity = Math.max(1, reader.rows !== undefined ? Math.min(reader.rows, options.limit ?? Infinity) : CHUNK_ROWS);
  let X: Float32Array = new Float32Array(capacity * width);
  let lines: Int32Array = new Int32Array(capacity);
  let y: Float32Array | undefined = reader.hasLabels ? new Float32Array(capacity) : undefined;
  const raw: string[][] | undefined = options.keepRaw ? [] : undefined;
  let n = 0;
  for await (const c of reader.chunks) {
    if (n + c.n > capacity) {
      while (n + c.n > capacity) capacity *= 2;
      X = grow(X, capacity * width);
      lines = growInt(lines, capacity);
      if (y) y = grow(y, capacity);
    }
    X.set(c.X, n * width);
    lines.set(c.lines, n);
    if (y && c.y) y.set(c.y, n);
    if (raw && c.raw) for (const r of c.raw) raw.push(r);
    n += c.n;
  }
  const file = reader.file;
  if (n === 0) throw new GlassboxError('csv', 'the file has a header but no rows', reader.addressing === 'row' ? { file } : { file, line: reader.headerLine });
  const totals = reader.totals();
  const ds: Dataset = {
    file,
    header: reader.header,
    n,
    width,
    X: X.subarray(0, n * width),
    lines: lines.subarray(0, n),
    addressing: reader.addressing,
    format: reader.format,
    counters: totals.counters,
    unknownLabels: totals.unknownLabels,
    outOfRange: totals.outOfRange,
  };
  if (y) ds.y = y.subarray(0, n);
  if (raw) ds.raw = raw;
  return ds;
}

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
