/**
 * A data row's values as written in its CSV file (what the user sees in the editor), for the
 * Explain panel and hovers: decoding the encoded row would show standardisation round-off
 * (17.9999997 for 18) and the imputed mean for a missing value. The file's lines are read once per
 * size+mtime; a row spanning several lines (a quoted newline) is read from its first line only.
 */
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { RawValue } from '../../protocol/panels';
import { rowAddressing } from '../../core/data/format';

const cache = new Map<string, { stamp: string; lines: string[]; header: string[] }>();

function linesOf(file: string): { lines: string[]; header: string[] } | undefined {
  try {
    const st = fs.statSync(file);
    const stamp = `${st.size}:${st.mtimeMs}`;
    let hit = cache.get(file);
    if (hit?.stamp !== stamp) {
      const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      hit = { stamp, lines, header: (parse(lines[0] ?? '') as string[][])[0] ?? [] };
      cache.set(file, hit);
    }
    return hit;
  } catch {
    return undefined;
  }
}

/**
 * Values of `columns` on the row starting at 1-based `line`, numbers parsed; undefined if unreadable,
 * and for a binary data file (Parquet, Arrow: rows are addressed by index, and its bytes are no text).
 */
export function rawRow(file: string, line: number, columns: string[]): Record<string, RawValue> | undefined {
  if (rowAddressing(file) === 'row') return undefined;
  const f = linesOf(file);
  const text = f?.lines[line - 1];
  if (!f || text === undefined) return undefined;
  let cells: string[];
  try {
    cells = (parse(text, { relax_quotes: true }) as string[][])[0] ?? [];
  } catch {
    return undefined;
  }
  if (cells.length !== f.header.length) return undefined;
  return Object.fromEntries(
    columns.map((c) => {
      const v = cells[f.header.indexOf(c)]?.trim();
      if (v === undefined || v === '') return [c, null];
      const x = Number(v);
      return [c, Number.isFinite(x) ? x : v];
    }),
  );
}
