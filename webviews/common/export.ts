/**
 * Export of what a panel shows: any table as CSV or JSON (copied or saved), any chart as PNG
 * (saved). The webview only builds the content; the extension writes the clipboard or the file the
 * user picks (a webview cannot), and the browser dashboard downloads it (browser-bridge.ts).
 */
import { post } from './bridge';
import type { ExportFormat } from '../../server/src/protocol/webview';

export type Cell = string | number | boolean | null | undefined;

/**
 * RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted and quotes doubled; lines end in
 * CRLF; numbers are written in full (no display rounding); missing values are empty.
 */
export function toCsv(columns: string[], rows: Cell[][]): string {
  const field = (v: Cell) => {
    const s = v === null || v === undefined ? '' : typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** The same table as JSON: one object per row keyed by column (non-finite numbers become null). */
export function toJson(columns: string[], rows: Cell[][]): string {
  const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, typeof r[i] === 'number' && !Number.isFinite(r[i]) ? null : (r[i] ?? null)])));
  return JSON.stringify(objects, null, 2) + '\n';
}

/** A file name from a title: lowercase words joined by dashes, nothing a path could use. */
export function exportName(title: string, format: ExportFormat): string {
  const stem = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'glassbox';
  return `${stem}.${format}`;
}

export interface TableData {
  title: string;
  columns: string[];
  rows: Cell[][];
}

export function exportTable(t: TableData, format: 'csv' | 'json', action: 'copy' | 'save'): void {
  const content = format === 'csv' ? toCsv(t.columns, t.rows) : toJson(t.columns, t.rows);
  post({ type: 'export', action, format, filename: exportName(t.title, format), content });
}

/** A chart's canvas as a PNG (base64 data URL), saved. */
export function exportChart(title: string, canvas: HTMLCanvasElement): void {
  post({ type: 'export', action: 'save', format: 'png', filename: exportName(title, 'png'), content: canvas.toDataURL('image/png') });
}
