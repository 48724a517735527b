/** Plain-text tables and bars for human CLI output. */
import { formatNumber } from '../core/analyses/shared';

export function table(headers: string[], rows: Array<Array<string | number>>, align?: Array<'l' | 'r'>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const pad = (s: string, i: number) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? s.padEnd(widths[i]!) : s.padStart(widths[i]!));
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The one number formatter (core/analyses/shared.ts `formatNumber`), under the CLI's short name. */
export { formatNumber as fmtNum } from '../core/analyses/shared';

/** A signed bar: `+████` or `-██`, scaled to `max`. */
export function bar(value: number, max: number, width = 24): string {
  const n = max > 0 ? Math.round((Math.abs(value) / max) * width) : 0;
  return (value < 0 ? '-' : '+') + '█'.repeat(n);
}
