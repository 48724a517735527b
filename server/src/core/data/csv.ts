/**
 * CSV reading on top of csv-parse: streaming, BOM, CRLF, quoted fields with embedded newlines,
 * empty lines skipped. Every record keeps the 1-based line it starts on, so results can point at
 * the exact line of the file. A record whose field count differs from the header is an error
 * naming that line.
 *
 * Contract: whatever the bytes, reading fails only with `GlassboxError`s located in the file. A
 * path must name a regular file within `maxBytes` (checked before opening, so a FIFO or a device
 * cannot block the reader); a quote left open is reported at the line of the record it opens in.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse, type CastingContext } from 'csv-parse';
import { echo, GlassboxError, isGlassboxError, throwIfAborted, type SourceLocation } from '../errors';
import { assertReadableFile, GiB } from '../util/files';

/** Default size limit of a data file: memory holds the encoded matrix, not the text, so this is generous. */
export const MAX_CSV_BYTES = 64 * GiB;

export interface CsvRecord {
  /** 1-based line number where the record starts in the source file. */
  line: number;
  values: string[];
}

export interface CsvOptions {
  delimiter?: string;
  /** Stop after this many data records (header excluded). */
  limit?: number;
  signal?: AbortSignal;
  /** Name used in error messages; defaults to the path. */
  displayName?: string;
  /** Largest file accepted (default `MAX_CSV_BYTES`). */
  maxBytes?: number;
  /** Where to report a missing file, e.g. the `data.train` key of glassbox.json naming it. */
  missingAt?: SourceLocation;
}

export interface CsvStream {
  header: string[];
  /** Line of the header (0 for binary formats, which have none: see `addressing`). */
  headerLine: number;
  /** `row` when records' `line` is a 0-based row index (Parquet, Arrow; see source.ts). */
  addressing?: 'line' | 'row';
  records: AsyncIterable<CsvRecord>;
  /** Releases the file early (reading `records` to the end, or to an error, releases it too). */
  close?(): void;
}

/** Opens a CSV file (or in-memory text) and yields its header and records one at a time. */
export async function openCsv(source: string | { text: string; name: string }, options: CsvOptions = {}): Promise<CsvStream> {
  const name = options.displayName ?? (typeof source === 'string' ? source : source.name);
  if (typeof source === 'string') {
    assertReadableFile(source, {
      maxBytes: options.maxBytes ?? MAX_CSV_BYTES,
      what: 'data file',
      code: 'csv',
      displayName: name,
      ...(options.missingAt ? { missingAt: options.missingAt } : {}),
    });
  }
  const lines = lineCounter();
  let parser: ReturnType<typeof parse>;
  try {
    parser = parse({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      delimiter: options.delimiter ?? ',',
      // Builds each record with its line inside the parser: cheaper than `info: true` plus a
      // wrapping generator (measured in server/bench/csv.bench.ts).
      on_record: (record: string[], context: CastingContext): CsvRecord => ({ line: lines.record(record, context), values: record }),
    });
  } catch (e) {
    throw new GlassboxError('usage', `cannot read CSV with delimiter ${echo(JSON.stringify(options.delimiter))}: ${(e as Error).message}`, { file: name });
  }
  // Opened only once the parser exists, so no early return can leave a stream without listeners.
  const input: Readable = typeof source === 'string' ? fs.createReadStream(source) : Readable.from([Buffer.from(source.text, 'utf8')]);
  input.pipe(parser);
  input.on('error', (e) => parser.destroy(e));
  const close = () => {
    parser.destroy();
    input.destroy();
  };
  const iterator = (parser as AsyncIterable<CsvRecord>)[Symbol.asyncIterator]();
  let first: IteratorResult<CsvRecord>;
  let header: string[];
  try {
    first = await nextOrThrow(iterator, name, lines);
    if (first.done) throw new GlassboxError('csv', 'the file is empty: expected a header row', { file: name, line: 1 });
    header = first.value.values.map((h) => h.trim());
    checkHeader(header, name, first.value.line);
  } catch (e) {
    close();
    throw e;
  }
  const width = header.length;
  const limit = options.limit ?? Infinity;

  async function* records(): AsyncGenerator<CsvRecord> {
    let count = 0;
    try {
      while (count < limit) {
        const next = await nextOrThrow(iterator, name, lines);
        if (next.done) return;
        const rec = next.value;
        if (rec.values.length !== width) {
          throw new GlassboxError(
            'csv',
            `row has ${rec.values.length} field${rec.values.length === 1 ? '' : 's'}, the header has ${width}`,
            { file: name, line: rec.line },
          );
        }
        count++;
        if ((count & 1023) === 0) throwIfAborted(options.signal);
        yield rec;
      }
    } finally {
      close();
    }
  }
  return { header, headerLine: first.value.line, records: records(), close };
}

/** Reads a whole CSV into memory (for files the caller knows to be small enough). */
export async function readCsv(source: string | { text: string; name: string }, options: CsvOptions = {}) {
  const { header, headerLine, records } = await openCsv(source, options);
  const rows: CsvRecord[] = [];
  for await (const r of records) rows.push(r);
  return { header, headerLine, rows };
}

function checkHeader(header: string[], file: string, line: number): void {
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (h === '') throw new GlassboxError('csv', `column ${i + 1} of the header has no name`, { file, line });
    if (seen.has(h)) throw new GlassboxError('csv', `column '${echo(h)}' appears twice in the header (columns ${seen.get(h)! + 1} and ${i + 1})`, { file, line });
    seen.set(h, i);
  });
}

async function nextOrThrow<T>(it: AsyncIterator<T>, file: string, lines: LineCounter): Promise<IteratorResult<T>> {
  try {
    return await it.next();
  } catch (e) {
    if (isGlassboxError(e)) throw e;
    const err = e as { code?: string; message?: string; lines?: number; empty_lines?: number };
    if (err.code === 'ENOENT') throw new GlassboxError('csv', 'file not found', { file });
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse reports the last line of the file; the quote opened in the record after the
      // last complete one (a line break outside quotes would have ended that record).
      const line = lines.nextRecordStart(typeof err.empty_lines === 'number' ? err.empty_lines : undefined);
      throw new GlassboxError('csv', 'malformed CSV: a quoted field in the row starting here is never closed (its quote runs to the end of the file)', { file, line });
    }
    const line = typeof err.lines === 'number' ? lines.corrected(err.lines) : undefined;
    const message = (err.message ?? String(e)).replace(/ at line \d+/, '');
    throw new GlassboxError('csv', `malformed CSV: ${message}`, line === undefined ? { file } : { file, line });
  }
}

interface LineCounter {
  /** The 1-based first line of a record that csv-parse just finished. */
  record(record: string[], context: CastingContext): number;
  /** The first line of the record after the last finished one, given csv-parse's count of empty lines skipped so far. */
  nextRecordStart(emptyLines?: number): number;
  /** csv-parse's line count with its CRLF-in-quotes double counting removed. */
  corrected(parserLines: number): number;
}

/**
 * Converts csv-parse's end-of-record line count into each record's first line.
 *
 * csv-parse counts `\r` and `\n` of a CRLF inside a quoted field as two lines, so its counter runs
 * ahead by one per such pair; we subtract the pairs seen so far, then step back over the line
 * breaks inside the record's own fields.
 */
function lineCounter(): LineCounter {
  let crlfInQuotes = 0;
  let lastEnd = 0;
  let emptyAtLastEnd = 0;
  return {
    record(record, context) {
      let breaks = 0;
      for (const field of record) {
        if (field.length === 0 || (field.indexOf('\n') < 0 && field.indexOf('\r') < 0)) continue;
        crlfInQuotes += field.match(/\r\n/g)?.length ?? 0;
        breaks += field.match(/\r\n|\r|\n/g)?.length ?? 0;
      }
      const start = context.lines - crlfInQuotes - breaks;
      lastEnd = start + breaks;
      emptyAtLastEnd = context.empty_lines;
      return start;
    },
    nextRecordStart(emptyLines) {
      return lastEnd + 1 + Math.max(0, (emptyLines ?? emptyAtLastEnd) - emptyAtLastEnd);
    },
    corrected(parserLines) {
      return Math.max(1, parserLines - crlfInQuotes);
    },
  };
}
