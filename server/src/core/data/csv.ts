/**
 * CSV reading on top of csv-parse: streaming, BOM, CRLF, quoted fields with embedded newlines,
 * empty lines skipped. Every record keeps the 1-based line it starts on, so results can point at
 * the exact line of the file. A record whose field count differs from the header is an error
 * naming that line.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse, type CastingContext } from 'csv-parse';
import { GlassboxError, throwIfAborted } from '../errors';

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
}

export interface CsvStream {
  header: string[];
  headerLine: number;
  records: AsyncIterable<CsvRecord>;
}

/** Opens a CSV file (or in-memory text) and yields its header and records one at a time. */
export async function openCsv(source: string | { text: string; name: string }, options: CsvOptions = {}): Promise<CsvStream> {
  const name = options.displayName ?? (typeof source === 'string' ? source : source.name);
  let input: Readable;
  if (typeof source === 'string') {
    if (!fs.existsSync(source)) throw new GlassboxError('csv', 'file not found', { file: name });
    input = fs.createReadStream(source);
  } else {
    input = Readable.from([Buffer.from(source.text, 'utf8')]);
  }
  const lineOf = lineCounter();
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      delimiter: options.delimiter ?? ',',
      // Builds each record with its line inside the parser: cheaper than `info: true` plus a
      // wrapping generator (measured in server/bench/csv.bench.ts).
      on_record: (record: string[], context: CastingContext): CsvRecord => ({ line: lineOf(record, context.lines), values: record }),
    }),
  );
  input.on('error', (e) => parser.destroy(e));
  const iterator = (parser as AsyncIterable<CsvRecord>)[Symbol.asyncIterator]();
  const first = await nextOrThrow(iterator, name);
  if (first.done) throw new GlassboxError('csv', 'the file is empty: expected a header row', { file: name, line: 1 });
  const header = first.value.values.map((h) => h.trim());
  checkHeader(header, name, first.value.line);
  const width = header.length;
  const limit = options.limit ?? Infinity;

  async function* records(): AsyncGenerator<CsvRecord> {
    let count = 0;
    try {
      while (count < limit) {
        const next = await nextOrThrow(iterator, name);
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
      parser.destroy();
      input.destroy();
    }
  }
  return { header, headerLine: first.value.line, records: records() };
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
    if (seen.has(h)) throw new GlassboxError('csv', `column '${h}' appears twice in the header (columns ${seen.get(h)! + 1} and ${i + 1})`, { file, line });
    seen.set(h, i);
  });
}

async function nextOrThrow<T>(it: AsyncIterator<T>, file: string): Promise<IteratorResult<T>> {
  try {
    return await it.next();
  } catch (e) {
    if (e instanceof GlassboxError) throw e;
    const err = e as { code?: string; message?: string; lines?: number };
    if (err.code === 'ENOENT') throw new GlassboxError('csv', 'file not found', { file });
    const line = typeof err.lines === 'number' ? err.lines : undefined;
    throw new GlassboxError('csv', `malformed CSV: ${err.message ?? String(e)}`, line === undefined ? { file } : { file, line });
  }
}

/**
 * Converts csv-parse's end-of-record line count into each record's first line.
 *
 * csv-parse counts `\r` and `\n` of a CRLF inside a quoted field as two lines, so its counter runs
 * ahead by one per such pair; we subtract the pairs seen so far, then step back over the line
 * breaks inside the record's own fields.
 */
function lineCounter(): (record: string[], endLine: number) => number {
  let crlfInQuotes = 0;
  return (record, endLine) => {
    let breaks = 0;
    for (const field of record) {
      if (field.length === 0 || (field.indexOf('\n') < 0 && field.indexOf('\r') < 0)) continue;
      crlfInQuotes += field.match(/\r\n/g)?.length ?? 0;
      breaks += field.match(/\r\n|\r|\n/g)?.length ?? 0;
    }
    return endLine - crlfInQuotes - breaks;
  };
}
