/**
 * What the encoding had to work around in a data set (categories unseen in training, missing
 * numbers imputed, labels outside the known classes), as plain JSON and as readable lines.
 */
import type { Dataset } from '../core/data/dataset';
import { formatLines, type OutOfRangeValues } from '../core/data/schema';
import { echo } from '../core/errors';

export interface DataNotes {
  /** feature -> category -> rows */
  unseenCategories: Record<string, Record<string, number>>;
  /** feature -> rows imputed with the training mean */
  missingImputed: Record<string, number>;
  /** label value -> rows */
  unknownLabels: Record<string, number>;
  /** feature -> numbers beyond the float32 range (inf, 1e308), imputed with the training mean, with lines */
  outOfRange: Record<string, OutOfRangeValues>;
}

export function dataNotes(ds: Dataset): DataNotes {
  return {
    unseenCategories: Object.fromEntries([...ds.counters.unseen].map(([f, m]) => [f, Object.fromEntries(m)])),
    missingImputed: Object.fromEntries(ds.counters.missing),
    unknownLabels: Object.fromEntries(ds.unknownLabels),
    outOfRange: Object.fromEntries(ds.outOfRange ?? []),
  };
}

export function describeDataNotes(notes: DataNotes): string[] {
  const lines: string[] = [];
  for (const [f, cats] of Object.entries(notes.unseenCategories)) {
    const entries = Object.entries(cats).sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((s, [, c]) => s + c, 0);
    lines.push(`${f}: ${total} row(s) with categories unseen in training: ${entries.slice(0, 5).map(([c, k]) => `'${echo(c, 60)}' (${k})`).join(', ')}${entries.length > 5 ? ', ...' : ''}`);
  }
  for (const [f, k] of Object.entries(notes.missingImputed)) lines.push(`${f}: ${k} missing value(s) imputed with the training mean`);
  for (const [f, o] of Object.entries(notes.outOfRange ?? {})) {
    lines.push(`${f}: ${o.count} value(s) beyond the float32 range (e.g. '${o.example}') treated as missing (imputed with the training mean) on line(s) ${formatLines(o.lines, o.count)}`);
  }
  for (const [v, k] of Object.entries(notes.unknownLabels)) lines.push(`label: ${k} row(s) with value '${echo(v)}', not one of the known classes`);
  return lines;
}
