/**
 * Encoded row chunks: the one way a per-row pass reads a data file in bounded memory. Any format
 * `openSource` reads (CSV streamed through csv-parse, Parquet one row group at a time, Arrow one
 * record batch at a time) comes out as chunks of at most `chunkRows` encoded rows, so a pass over
 * 10M rows holds one chunk plus the source's own buffer (a Parquet row group), never the file.
 *
 * API (for every pass that does not need all rows at once: drift tallies, predictions, OOD
 * scores, per-row attributions, influence factors and self-influence):
 *
 * ```ts
 * const reader = await readChunks(file, encoding, { chunkRows: 4096, signal });
 * for await (const c of reader.chunks) {
 *   // c.X: c.n x reader.width encoded inputs, c.y labels (NaN where missing or unknown),
 *   // c.lines the rows' addresses (reader.addressing), c.start the first row's ordinal.
 * }
 * reader.totals(); // counters, unknown labels, out-of-range values, rows: final once the loop ended
 * ```
 *
 * Contracts:
 * - Rows come in file order; `start` of a chunk is the 0-based ordinal of its first row among the
 *   rows read, so chunk k covers ordinals [start, start + n) with no gap. Every chunk but the last
 *   has exactly `chunkRows` rows; no chunk is empty.
 * - A chunk's arrays are fresh: the consumer owns them and may keep them (loadDataset does).
 * - Encoding is identical to `loadDataset` (which is built on this): numbers beyond the float32
 *   range are imputed like missing values and listed in `outOfRange`.
 * - Errors are `GlassboxError`s naming the file (and the row group or line) as the source's are;
 *   a chunk is yielded only when all its rows read, so the rows of a corrupt row group are never
 *   half-yielded. Breaking out of the loop releases the file.
 * - `signal` is checked between chunks (and by the source every 1,024 rows).
 */
import { checkColumnKinds, openSource, type ColumnKind, type DataFormat, type RowAddressing, type SourceOptions } from './source';
import { compileEncoder, newCounters, type EncodeCounters, type Encoding } from './encoding';
import { isOutOfRange, MAX_NOTED_LINES, parseNumber, type OutOfRangeValues } from './schema';
import { echo, throwIfAborted } from '../errors';

/** Default rows per chunk: large enough to batch a model call, small enough to stay in cache budgets. */
export const CHUNK_ROWS = 4096;

export interface ChunkOptions extends Omit<SourceOptions, 'typed'> {
  /** Rows per chunk (default `CHUNK_ROWS`). */
  chunkRows?: number;
  /** Keep each row's raw cell texts in `raw` (costs the texts of one chunk). */
  keepRaw?: boolean;
  /** Read labels when the label column is present (default true). */
  labels?: boolean;
  /**
   * The training file's column kinds (`columnKindsOf`): a binary file whose feature or label
   * columns hold another kind of value is refused before any row (`checkColumnKinds`).
   */
  training?: { file: string; kinds: Map<string, ColumnKind> };
}

export interface EncodedChunk {
  /** Ordinal (0-based, among the rows read) of the chunk's first row. */
  start: number;
  /** Rows in this chunk (>= 1). */
  n: number;
  /** Row-major n x width encoded inputs. */
  X: Float32Array;
  /** Class index (classification) or value (regression) per row, NaN where missing or unknown; absent when the label is not read. */
  y?: Float32Array;
  /** Each row's address: 1-based source line (CSV) or 0-based row index (Parquet, Arrow). */
  lines: Int32Array;
  /** Raw cell texts per row, with `keepRaw`. */
  raw?: string[][];
}

/** What a whole pass found, beyond the rows themselves. */
export interface ChunkTotals {
  rows: number;
  counters: EncodeCounters;
  /** Label values that are not one of the known classes, with their counts. */
  unknownLabels: Map<string, number>;
  /** feature -> numbers beyond the float32 range, imputed like missing values. */
  outOfRange: Map<string, OutOfRangeValues>;
}

export interface ChunkReader {
  /** Name used in messages. */
  file: string;
  header: string[];
  format: DataFormat;
  addressing: RowAddressing;
  /** Line of the header (CSV), 0 for binary formats. */
  headerLine: number;
  width: number;
  /** Rows in the file when the format says so before reading (Parquet). */
  rows?: number;
  /** Whether chunks carry `y`. */
  hasLabels: boolean;
  chunks: AsyncIterable<EncodedChunk>;
  /** Running totals; final once `chunks` has been read to the end. */
  totals(): ChunkTotals;
  /** Releases the file without reading on. */
  close(): void;
}

export async function readChunks(path: string, encoding: Encoding, options: ChunkOptions = {}): Promise<ChunkReader> {
  const chunkRows = options.chunkRows ?? CHUNK_ROWS;
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) throw new RangeError(`readChunks: chunkRows must be a positive integer, got ${chunkRows}`);
  // Typed cells (numbers stay numbers) unless raw texts are kept.
  const stream = await openSource(path, { ...options, typed: !options.keepRaw });
  const file = options.displayName ?? path;
  const close = () => stream.close?.();
  let encoder: ReturnType<typeof compileEncoder>;
  try {
    if (options.training) checkColumnKinds(stream, [...encoding.features.map((f) => f.name), ...(encoding.label ? [encoding.label.name] : [])], options.training, file);
    encoder = compileEncoder(encoding, stream.header, file, stream.headerLine);
  } catch (e) {
    // Nothing will read the records: release the file now rather than at garbage collection.
    close();
    throw e;
  }
  const width = encoding.width;
  const labelCol = encoding.label && options.labels !== false ? stream.header.indexOf(encoding.label.name) : -1;
  const classIndex = encoding.label?.classes ? new Map(encoding.label.classes.map((c, i) => [c, i] as const)) : undefined;
  const totals: ChunkTotals = { rows: 0, counters: newCounters(), unknownLabels: new Map(), outOfRange: new Map() };
  const { counters, unknownLabels, outOfRange } = totals;
  const missingTokens = new Set(encoding.missing);
  // Numeric inputs to re-check per row: where the value sits and what a missing one becomes.
  const numeric = encoding.features.flatMap((f) =>
    f.type === 'numeric' ? [{ name: f.name, col: stream.header.indexOf(f.name), slot: f.columns[0], imputed: f.transform === 'standardize' ? 0 : f.mean }] : [],
  );
  const noteOutOfRange = (name: string, line: number, example: string, countedMissing: boolean) => {
    // The encoder counted a non-finite value as missing: it is counted as out of range only.
    if (countedMissing) {
      counters.missing.set(name, counters.missing.get(name)! - 1);
      if (counters.missing.get(name) === 0) counters.missing.delete(name);
    }
    let o = outOfRange.get(name);
    if (!o) outOfRange.set(name, (o = { count: 0, lines: [], example }));
    o.count++;
    if (o.lines.length < MAX_NOTED_LINES) o.lines.push(line);
  };

  async function* chunks(): AsyncGenerator<EncodedChunk> {
    const fresh = () => ({
      X: new Float32Array(chunkRows * width),
      lines: new Int32Array(chunkRows),
      y: labelCol >= 0 ? new Float32Array(chunkRows) : undefined,
      raw: options.keepRaw ? ([] as string[][]) : undefined,
    });
    let buf = fresh();
    let fill = 0;
    const emit = (): EncodedChunk => {
      const c: EncodedChunk = { start: totals.rows - fill, n: fill, X: buf.X, lines: buf.lines };
      if (fill < chunkRows) {
        c.X = buf.X.slice(0, fill * width);
        c.lines = buf.lines.slice(0, fill);
      }
      if (buf.y) c.y = fill < chunkRows ? buf.y.slice(0, fill) : buf.y;
      if (buf.raw) c.raw = buf.raw;
      return c;
    };
    try {
      for await (const rec of stream.records) {
        const X = buf.X;
        const base = fill * width;
        encoder.encode(rec.values, X, base, counters);
        for (const f of numeric) {
          const cell = rec.values[f.col] as string | number;
          if (typeof cell === 'number') {
            if (!isOutOfRange(cell)) continue;
            X[base + f.slot] = f.imputed;
            noteOutOfRange(f.name, rec.line, String(cell), !Number.isFinite(cell));
            continue;
          }
          // Only a text with an exponent, `inf`/`infinity`, or 39+ digits can be out of range, and
          // only then is the cell parsed a second time.
          if (cell.length < 39 && !OUT_OF_RANGE_HINT.test(cell)) continue;
          const trimmed = cell.trim();
          if (missingTokens.has(trimmed)) continue;
          const v = parseNumber(trimmed);
          if (!isOutOfRange(v)) continue;
          X[base + f.slot] = f.imputed;
          noteOutOfRange(f.name, rec.line, echo(trimmed, 40), !Number.isFinite(Number(cell)));
        }
        buf.lines[fill] = rec.line;
        if (buf.y) buf.y[fill] = labelOf(rec.values[labelCol] as string | number);
        buf.raw?.push(rec.values);
        fill++;
        totals.rows++;
        if (fill === chunkRows) {
          const c = emit();
          buf = fresh();
          fill = 0;
          yield c;
          throwIfAborted(options.signal);
        }
      }
      if (fill > 0) yield emit();
    } finally {
      close();
    }
  }

  function labelOf(cell: string | number): number {
    const v = typeof cell === 'number' ? (Number.isNaN(cell) ? '' : String(cell)) : cell;
    if (classIndex) {
      const k = classIndex.get(v.trim()) ?? classIndex.get(v);
      if (k === undefined) unknownLabels.set(v, (unknownLabels.get(v) ?? 0) + 1);
      return k ?? NaN;
    }
    const num = Number(v);
    return v.trim() === '' || !Number.isFinite(num) ? NaN : num;
  }

  return {
    file,
    header: stream.header,
    format: stream.format,
    addressing: stream.addressing,
    headerLine: stream.headerLine,
    width,
    ...(stream.rows !== undefined ? { rows: stream.rows } : {}),
    hasLabels: labelCol >= 0,
    chunks: chunks(),
    totals: () => totals,
    close,
  };
}

const OUT_OF_RANGE_HINT = /[eEfFyY]/;
