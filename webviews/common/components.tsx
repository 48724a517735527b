/** Building blocks shared by the panels. */
import type { KeyboardEvent, ReactNode } from 'react';
import { exportTable, type TableData } from './export';

export interface SectionProps<T> {
  title: string;
  data: T | undefined | null;
  children: (d: T) => ReactNode;
  id?: string;
  /** Where the numbers come from ("epoch-003 · run 2"), shown beside the title. */
  source?: string;
  /** The numbers will be replaced by a newer checkpoint's (shown as a mark beside the source). */
  stale?: boolean;
  /** What to say when `data` is missing (default "Not available yet."). */
  empty?: string;
}

/** A section whose content may not have been computed yet. */
export function Section<T>({ title, data, children, id, source, stale, empty }: SectionProps<T>) {
  const none = data === undefined || data === null || (Array.isArray(data) && data.length === 0);
  const hid = id ?? slug(title);
  return (
    <section aria-labelledby={hid}>
      <h2 id={hid}>
        {title}
        {source && <span className="source" aria-label="source">{source}</span>}
        {stale && <span className="stale" title="A newer checkpoint is being analysed; these numbers will be replaced." aria-label="stale">stale</span>}
      </h2>
      {none ? <p className="not-available">{empty ?? (Array.isArray(data) ? 'None found.' : 'Not available yet.')}</p> : children(data as T)}
    </section>
  );
}

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/**
 * A data row's position as users count it, from 1 (the protocol's `row` is a 0-based index into the
 * file's data rows, header excluded). Shown beside the line, which is what users navigate by; the two
 * differ by the header, and further where a quoted cell spans lines.
 */
export function dataRowText(row: number): string {
  return `data row ${row + 1}, counting from 1`;
}

/** What a number means: its unit, what it is a share of, over which rows. One short line. */
export function Definition({ children }: { children: ReactNode }) {
  return <p className="definition">{children}</p>;
}

/** Copy / save a table as CSV or JSON. */
export function ExportMenu({ table }: { table: TableData | (() => TableData) }) {
  const get = () => (typeof table === 'function' ? table() : table);
  const title = typeof table === 'function' ? 'table' : table.title;
  return (
    <details className="export">
      <summary aria-label={`Export ${title}`}>Export</summary>
      <div className="export-actions">
        <button className="link" onClick={() => exportTable(get(), 'csv', 'copy')}>Copy CSV</button>
        <button className="link" onClick={() => exportTable(get(), 'json', 'copy')}>Copy JSON</button>
        <button className="link" onClick={() => exportTable(get(), 'csv', 'save')}>Save CSV…</button>
        <button className="link" onClick={() => exportTable(get(), 'json', 'save')}>Save JSON…</button>
      </div>
    </details>
  );
}

/**
 * Keyboard navigation for rows that act on Enter: arrows move between the table's focusable rows.
 * Put it on a `<tr tabIndex={0}>`.
 */
export function rowKeys(onActivate: () => void) {
  return (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onActivate();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling;
      (next as HTMLElement | null)?.focus();
    }
  };
}

export function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : x.toFixed(digits);
}

/** A 0..1 fraction as a percentage ("12.5%"). */
export function pct(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

export function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

export function Banner({ message, kind }: { message: string; kind: 'loading' | 'error' }) {
  return <p role={kind === 'error' ? 'alert' : 'status'} className={kind === 'error' ? 'error' : 'muted'}>{message}</p>;
}
