/** Helpers shared by the checks for naming evidence rows and formatting numbers in messages. */
import type { Dataset } from '../data/dataset';
import type { EvidenceRow } from './types';

export function evidenceRow(ds: Dataset, row: number, detail: string, values?: Record<string, number | string>): EvidenceRow {
  return { file: ds.file, row, line: ds.lines[row]!, detail, ...(values ? { values } : {}) };
}

/** Indices 0..n-1 of the `k` largest `score` values, largest first. */
export function topK(score: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: score.length }, (_, i) => i)
    .filter((i) => Number.isFinite(score[i]!))
    .sort((a, b) => score[b]! - score[a]!)
    .slice(0, k);
}

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
export const num = (x: number, d = 3): string => (Number.isFinite(x) ? (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(d)) : String(x));

/** How many example rows a finding carries. */
export const EXAMPLES = 5;
