/** Building blocks shared by the panels. */
import type { KeyboardEvent, ReactNode } from 'react';

/** A section whose content may not have been computed yet. */
export function Section<T>({ title, data, children, id }: { title: string; data: T | undefined | null; children: (d: T) => ReactNode; id?: string }) {
  const empty = data === undefined || data === null || (Array.isArray(data) && data.length === 0);
  return (
    <section aria-labelledby={id ?? slug(title)}>
      <h2 id={id ?? slug(title)}>{title}</h2>
      {empty ? <p className="not-available">{Array.isArray(data) ? 'None found.' : 'Not available yet.'}</p> : children(data as T)}
    </section>
  );
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/**
 * Keyboard navigation for rows that act on Enter: arrows move between the table's focusable rows.
 * Put it on a `<tr tabIndex={0}>`.
 */
export function rowKeys(onActivate: () => void) {
  return (e: KeyboardEvent<HTMLTableRowElement>) => {
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

export function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

export function Banner({ message, kind }: { message: string; kind: 'loading' | 'error' }) {
  return <p role={kind === 'error' ? 'alert' : 'status'} className={kind === 'error' ? 'error' : 'muted'}>{message}</p>;
}
