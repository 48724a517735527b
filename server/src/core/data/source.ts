/**
 * A streaming row source over any data file Glassbox reads: CSV, Parquet, and Arrow IPC (file
 * format, i.e. Feather v2, and stream format). Every source yields the same thing as `openCsv`: a
 * header and records `{ line, values }` whose values are the cell texts, so schema inference,
 * encoding, drift and diagnostics are one code path whatever the format.
 *
 * Row addressing (`addressing`): a CSV record's `line` is the 1-based line it starts on; a Parquet
 * or Arrow record's `line` is its 0-based row index in the file (what pandas and pyarrow show),
 * since a binary file has no lines to point at.
 *
 * Cell texts of typed columns: numbers as `String(v)` (integers without `.0`, so they read like the
 * CSV pandas writes), null/NaN as '' (a default missing token), booleans `true`/`false`, dates and
 * timestamps as ISO 8601. Nested columns (lists, structs, maps) have no single value per cell and
 * are refused before any row is read, naming the column.
 *
 * Memory: Parquet is decoded one row group at a time and Arrow one record batch at a time; the
 * texts of a row exist only while it is consumed. Contract as for CSV: reading fails only with
 * `GlassboxError`s naming the file (and, for Parquet, the row group).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData, type SchemaElement } from 'hyparquet';
import { DataType, RecordBatchReader, type Field, type RecordBatch } from 'apache-arrow';
import { dataFormat, type DataFormat, type RowAddressing } from './format';
import { openCsv, MAX_CSV_BYTES, type CsvOptions, type CsvRecord, type CsvStream } from './csv';
import { echo, GlassboxError, isGlassboxError, throwIfAborted } from '../errors';
import { assertReadableFile } from '../util/files';

export { dataFormat, rowAddress, type DataFormat, type RowAddressing } from './format';

export interface RowSource extends CsvStream {
  format: DataFormat;
  addressing: RowAddressing;
  /** Rows in the file when the format says so before reading (Parquet, not CSV or Arrow streams). */
  rows?: number;
  /** Parquet: rows per row group, in file order. */
  rowGroupRows?: number[];
  /** Binary formats: what each column holds by its declared type, in header order (see `columnKindsOf`). */
  columnKinds?: ColumnKind[];
}

/**
 * What a typed column holds, from its declared type: int/float/decimal are `number`, strings and
 * dictionary-encoded strings `text`, dates and timestamps `time`; `other` (binary blobs, an all-null
 * column) agrees with every kind. CSV has no declared types.
 */
export type ColumnKind = 'number' | 'text' | 'boolean' | 'time' | 'other';

export interface SourceOptions extends CsvOptions {
  /**
   * Parquet only: the row groups to decode (all when absent). Rows of skipped groups are not
   * yielded, and the rows yielded keep their row index in the whole file. Lets a shard read only
   * its own row groups.
   */
  rowGroups?: (group: number) => boolean;
  /**
   * Binary formats: keep numbers (of int32, float and double columns; not int64, read as bigint)
   * as numbers in `values` instead of their text; a null is still ''. Converting a double to its shortest text is most of the reading time of a
   * numeric Parquet file; consumers that take `number | string` cells (the encoder, precompute)
   * ask for this. CSV is unaffected.
   */
  typed?: boolean;
}

/** A cell of a record read with `typed`: text, or a number. */
export type Cell = string | number;

/** Opens any supported data file (or in-memory CSV text) as a stream of records. */
export async function openSource(source: string | { text: string; name: string }, options: SourceOptions = {}): Promise<RowSource> {
  const format = typeof source === 'string' ? dataFormat(source) : 'csv';
  if (format === 'csv') {
    const csv = await openCsv(source, options);
    return { ...csv, format, addressing: 'line' };
  }
  const file = source as string;
  const name = options.displayName ?? file;
  assertReadableFile(file, {
    maxBytes: options.maxBytes ?? MAX_CSV_BYTES,
    what: 'data file',
    code: 'csv',
    displayName: name,
    ...(options.missingAt ? { missingAt: options.missingAt } : {}),
  });
  return format === 'parquet' ? openParquet(file, name, options) : openArrow(file, name, options);
}

// ---------------------------------------------------------------------------------------------
// Parquet

async function openParquet(file: string, name: string, options: SourceOptions): Promise<RowSource> {
  let metadata: FileMetaData;
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (e) {
    throw new GlassboxError('csv', `not a readable Parquet file: ${(e as Error).message}`, { file: name });
  }
  const top = parquetSchema(metadata).children;
  for (const col of top) {
    if (col.children.length > 0 || col.element.repetition_type === 'REPEATED') {
      throw new GlassboxError('csv', `column '${echo(col.element.name)}' is nested (a list, struct or map): Glassbox reads one value per cell; flatten it or drop it`, { file: name });
    }
  }
  const header = top.map((c) => c.element.name);
  checkHeader(header, name);
  const total = Number(metadata.num_rows);
  const typed = Boolean(options.typed);
  const limit = Math.min(options.limit ?? Infinity, total);

  async function* records(): AsyncGenerator<CsvRecord> {
    let groupStart = 0;
    for (let g = 0; g < metadata.row_groups.length && groupStart < limit; g++) {
      const groupRows = Number(metadata.row_groups[g]!.num_rows);
      if (options.rowGroups && !options.rowGroups(g)) {
        groupStart += groupRows;
        continue;
      }
      const end = Math.min(groupStart + groupRows, limit);
      const columns = await readRowGroup(buffer, metadata, header, groupStart, end, g, name);
      for (let r = groupStart; r < end; r++) {
        if ((r & 1023) === 0) throwIfAborted(options.signal);
        const i = r - groupStart;
        const values = new Array<string>(header.length);
        for (let c = 0; c < header.length; c++) {
          const v = columns[c]![i];
          values[c] = typed && typeof v === 'number' ? (v as unknown as string) : cellText(v);
        }
        yield { line: r, values };
      }
      groupStart += groupRows;
    }
  }
  return {
    header,
    headerLine: 0,
    records: records(),
    format: 'parquet',
    addressing: 'row',
    rows: total,
    rowGroupRows: metadata.row_groups.map((g) => Number(g.num_rows)),
    columnKinds: top.map((c) => parquetKind(c.element)),
    close: () => undefined,
  };
}

/** Columns (in header order) of rows [start, end) of row group `g`. */
async function readRowGroup(
  buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>,
  metadata: FileMetaData,
  header: string[],
  start: number,
  end: number,
  g: number,
  name: string,
): Promise<ArrayLike<unknown>[]> {
  const columns = new Map<string, ArrayLike<unknown>[]>();
  try {
    await parquetRead({
      file: buffer,
      metadata,
      rowStart: start,
      rowEnd: end,
      // Chunks may cover more than [start, end) (whole pages); they are cut to the range below.
      onChunk: (chunk) => {
        const parts = columns.get(chunk.columnName) ?? [];
        const from = Math.max(0, start - chunk.rowStart);
        const to = Math.min(chunk.columnData.length, end - chunk.rowStart);
        parts.push(chunk.columnData.slice(from, to) as ArrayLike<unknown>);
        columns.set(chunk.columnName, parts);
      },
    });
  } catch (e) {
    if (isGlassboxError(e)) throw e;
    throw new GlassboxError('csv', `corrupt Parquet row group ${g} (rows ${start}–${end - 1}): ${(e as Error).message}`, { file: name });
  }
  return header.map((h) => {
    const parts = columns.get(h) ?? [];
    if (parts.length === 1) return parts[0]!;
    const all: unknown[] = [];
    for (const p of parts) for (let i = 0; i < p.length; i++) all.push(p[i]);
    if (all.length !== end - start) throw new GlassboxError('csv', `corrupt Parquet row group ${g}: column '${echo(h)}' has ${all.length} values for ${end - start} rows`, { file: name });
    return all;
  });
}

// ---------------------------------------------------------------------------------------------
// Arrow IPC (file and stream formats)

async function openArrow(file: string, name: string, options: SourceOptions): Promise<RowSource> {
  const input = fs.createReadStream(file);
  let reader: Awaited<ReturnType<typeof RecordBatchReader.from>>;
  try {
    reader = await RecordBatchReader.from(input);
    await reader.open();
  } catch (e) {
    input.destroy();
    throw new GlassboxError('csv', `not a readable Arrow IPC file: ${(e as Error).message}`, { file: name });
  }
  const fields: Field[] = reader.schema.fields;
  const close = () => {
    input.destroy();
  };
  for (const f of fields) {
    if (isNested(f.type)) {
      close();
      throw new GlassboxError('csv', `column '${echo(f.name)}' is nested (${f.type}): Glassbox reads one value per cell; flatten it or drop it`, { file: name });
    }
  }
  const header = fields.map((f) => f.name);
  try {
    checkHeader(header, name);
  } catch (e) {
    close();
    throw e;
  }
  const limit = options.limit ?? Infinity;
  const typed = Boolean(options.typed);

  async function* records(): AsyncGenerator<CsvRecord> {
    let row = 0;
    let b = 0;
    try {
      const it = (reader as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]();
      while (row < limit) {
        let next: IteratorResult<RecordBatch>;
        try {
          next = await it.next();
        } catch (e) {
          throw new GlassboxError('csv', `corrupt Arrow record batch ${b} (from row ${row}): ${(e as Error).message}`, { file: name });
        }
        if (next.done) return;
        const batch = next.value;
        const vectors = header.map((_, c) => batch.getChildAt(c)!);
        for (let i = 0; i < batch.numRows && row < limit; i++, row++) {
          if ((row & 1023) === 0) throwIfAborted(options.signal);
          const values = new Array<string>(header.length);
          for (let c = 0; c < header.length; c++) {
            const v: unknown = vectors[c]!.get(i);
            values[c] = typed && typeof v === 'number' ? (v as unknown as string) : cellText(v);
          }
          yield { line: row, values };
        }
        b++;
      }
    } finally {
      close();
    }
  }
  return { header, headerLine: 0, records: records(), format: 'arrow', addressing: 'row', columnKinds: fields.map((f) => arrowKind(f.type)), close };
}

function parquetKind(e: SchemaElement): ColumnKind {
  const logical = e.logical_type?.type;
  if (logical === 'NULL') return 'other';
  if (logical === 'STRING' || logical === 'ENUM' || logical === 'JSON' || e.converted_type === 'UTF8' || e.converted_type === 'ENUM') return 'text';
  if (logical === 'DATE' || logical === 'TIMESTAMP' || logical === 'TIME' || e.type === 'INT96' || (e.converted_type ?? '').startsWith('TIME') || e.converted_type === 'DATE') return 'time';
  if (e.type === 'BOOLEAN') return 'boolean';
  if (e.type === 'INT32' || e.type === 'INT64' || e.type === 'FLOAT' || e.type === 'DOUBLE' || logical === 'DECIMAL' || logical === 'FLOAT16') return 'number';
  return 'other';
}

function arrowKind(type: DataType): ColumnKind {
  if (DataType.isDictionary(type)) return arrowKind(type.dictionary);
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type)) return 'number';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'text';
  if (DataType.isBool(type)) return 'boolean';
  if (DataType.isDate(type) || DataType.isTimestamp(type) || DataType.isTime(type)) return 'time';
  return 'other';
}

/** The column kinds of a binary data file (reading its schema only), or undefined for CSV. */
export async function columnKindsOf(file: string, options: SourceOptions = {}): Promise<Map<string, ColumnKind> | undefined> {
  if (dataFormat(file) === 'csv') return undefined;
  const src = await openSource(file, options);
  src.close?.();
  return new Map(src.header.map((h, i) => [h, src.columnKinds?.[i] ?? 'other'] as const));
}

/**
 * Refuses a binary file whose `columns` hold another kind of value than in the training file
 * (a number column written as text, say): its cells would be read, but not as the model was fitted.
 */
export function checkColumnKinds(src: Pick<RowSource, 'header' | 'columnKinds'>, columns: readonly string[], training: { file: string; kinds: Map<string, ColumnKind> }, file: string): void {
  if (!src.columnKinds) return;
  for (const name of columns) {
    const i = src.header.indexOf(name);
    const here = i >= 0 ? src.columnKinds[i]! : 'other';
    const there = training.kinds.get(name) ?? 'other';
    if (here !== there && here !== 'other' && there !== 'other') {
      throw new GlassboxError('schema', `column '${echo(name)}' holds ${KIND_TEXT[here]} here but ${KIND_TEXT[there]} in the training file ${echo(path.basename(training.file))}: write it with the training file's type`, { file });
    }
  }
}

const KIND_TEXT: Record<ColumnKind, string> = { number: 'numbers', text: 'text', boolean: 'booleans', time: 'dates/times', other: 'other values' };

function isNested(type: DataType): boolean {
  return DataType.isList(type) || DataType.isStruct(type) || DataType.isMap(type) || DataType.isUnion(type) || DataType.isFixedSizeList(type);
}

// ---------------------------------------------------------------------------------------------

/** The text a typed cell reads as in CSV (see the file comment). */
export function cellText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isNaN(v) ? '' : String(v);
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'undefined':
      return '';
    default:
      if (v === null) return '';
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
      return String(v);
  }
}

function checkHeader(header: string[], file: string): void {
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (h === '') throw new GlassboxError('csv', `column ${i + 1} has no name`, { file });
    if (seen.has(h)) throw new GlassboxError('csv', `column '${echo(h)}' appears twice (columns ${seen.get(h)! + 1} and ${i + 1})`, { file });
    seen.set(h, i);
  });
}
