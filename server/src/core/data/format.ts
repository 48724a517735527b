/**
 * Which format a data file is in and how its rows are addressed, from the file name alone: no
 * reader is loaded, so the daemon's main thread and the editor side can ask (source.ts holds the
 * readers).
 */
import * as path from 'node:path';

export type DataFormat = 'csv' | 'parquet' | 'arrow';

/** What a record's `line` means: a 1-based file line (CSV) or a 0-based row index (binary formats). */
export type RowAddressing = 'line' | 'row';

/** The format of a data file, from its extension; anything else is read as CSV. */
export function dataFormat(file: string): DataFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc' || ext === '.arrows') return 'arrow';
  return 'csv';
}

/** How rows of `file` are addressed: CSV rows by their line, binary files (no lines to show) by row index. */
export function rowAddressing(file: string): RowAddressing {
  return dataFormat(file) === 'csv' ? 'line' : 'row';
}

/** A row address as users read it: `line 12` or `row 11`. */
export function rowAddress(addressing: RowAddressing | undefined, line: number): string {
  return addressing === 'row' ? `row ${line}` : `line ${line}`;
}
