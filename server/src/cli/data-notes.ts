/**
 * What the encoding had to work around in a data set (categories unseen in training, missing
 * numbers imputed, labels outside the known classes), as plain JSON and as readable lines.
 */
import type { Dataset } from '../core/data/dataset';

export interface DataNotes {
  /** feature -> category -> rows */
  unseenCategories: Record<string, Record<string, number>>;
  /** feature -> rows imputed with the training mean */
  missingImputed: Record<string, number>;
  /** label value -> rows */
  unknownLabels: Record<string, number>;
}

export function dataNotes(ds: Dataset): DataNotes {
  return {
    unseenCategories: Object.fromEntries([...ds.counters.unseen].map(([f, m]) => [f, Object.fromEntries(m)])),
    missingImputed: Object.fromEntries(ds.counters.missing),
    unknownLabels: Object.fromEntries(ds.unknownLabels),
  };
}

export function describeDataNotes(notes: DataNotes): string[] {
  const lines: string[] = [];
  for (const [f, cats] of Object.entries(notes.unseenCategories)) {
    const entries = Object.entries(cats).sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((s, [, c]) => s + c, 0);
    lines.push(`${f}: ${total} row(s) with categories unseen in training: ${entries.slice(0, 5).map(([c, k]) => `'${c}' (${k})`).join(', ')}${entries.length > 5 ? ', ...' : ''}`);
  }
  for (const [f, k] of Object.entries(notes.missingImputed)) lines.push(`${f}: ${k} missing value(s) imputed with the training mean`);
  for (const [v, k] of Object.entries(notes.unknownLabels)) lines.push(`label: ${k} row(s) with value '${v}', not one of the known classes`);
  return lines;
}
