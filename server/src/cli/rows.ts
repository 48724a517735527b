/**
 * Row selection shared by the commands that work on rows: which data set, which rows.
 *   --data train|test|reference   the project's data set (default: test, else reference, else train)
 *   --rows FILE                   any CSV with the model's columns instead
 *   --row 0,5,10-19               row indices (0-based, header excluded)
 *   --line 2,17                   source line numbers in the file
 *   --limit N                     at most N rows (from the start) when no rows are named
 */
import * as path from 'node:path';
import { echo, GlassboxError } from '../core/errors';
import { rowAtLine, takeRows, type Dataset } from '../core/data/dataset';
import type { DataRole, Project } from '../core/project';
import type { CommandContext, OptionSpec } from './context';

export const ROW_OPTIONS: Record<string, OptionSpec> = {
  data: { type: 'string', arg: 'ROLE', description: 'data set: train, test or reference (default: test, else reference, else train)' },
  rows: { type: 'string', arg: 'FILE', description: 'a CSV file with the same columns to use instead of a project data set' },
  row: { type: 'string', arg: 'LIST', description: 'row indices, 0-based, header excluded: 3 or 0,5,10-19' },
  line: { type: 'string', arg: 'LIST', description: 'source line numbers in the file: 2 or 2,17' },
  limit: { type: 'string', arg: 'N', description: 'at most N rows when none are named' },
};

export interface RowSelection {
  dataset: Dataset;
  /** Row indices into the data set. */
  indices: number[];
  X: Float32Array;
  labels?: Float32Array;
  n: number;
}

export async function selectRows(ctx: CommandContext, project: Project, defaultLimit?: number): Promise<RowSelection> {
  const o = ctx.options;
  let dataset: Dataset;
  if (typeof o.rows === 'string') {
    dataset = await project.datasetAt(path.resolve(ctx.cwd, o.rows), { keepRaw: true });
  } else {
    const role = (typeof o.data === 'string' ? o.data : ['test', 'reference', 'train'].find((r) => project.dataPath(r as DataRole))) as DataRole;
    if (!['train', 'test', 'reference'].includes(role)) throw new GlassboxError('usage', `--data must be train, test or reference, got '${role}'`);
    dataset = await project.dataset(role, { keepRaw: true });
  }
  let indices: number[];
  if (typeof o.row === 'string') {
    indices = parseList(o.row, '--row', dataset.n - 1, (i) => new GlassboxError('usage', `--row ${i} is out of range: ${project.relative(dataset.file)} has ${dataset.n} rows (0..${dataset.n - 1})`));
  } else if (typeof o.line === 'string') {
    const lastLine = dataset.lines[dataset.n - 1]!;
    const notARow = (line: number) => new GlassboxError('usage', `line ${line} of ${project.relative(dataset.file)} is not the start of a data row`);
    indices = parseList(o.line, '--line', lastLine, notARow).map((line) => {
      const r = rowAtLine(dataset, line);
      if (r < 0) throw notARow(line);
      return r;
    });
  } else {
    const limit = typeof o.limit === 'string' ? Number(o.limit) : (defaultLimit ?? dataset.n);
    if (!Number.isInteger(limit) || limit < 1) throw new GlassboxError('usage', `--limit must be a positive integer, got '${echo(o.limit)}'`);
    indices = Array.from({ length: Math.min(limit, dataset.n) }, (_, i) => i);
  }
  const X = takeRows(dataset, indices);
  const sel: RowSelection = { dataset, indices, X, n: indices.length };
  if (dataset.y) sel.labels = Float32Array.from(indices, (i) => dataset.y![i]!);
  return sel;
}

/** Most rows a --row/--line list may name (repeats count). */
const MAX_LISTED = 10_000_000;

/**
 * Expands `3` or `0,5,10-19` into numbers. Any number above `max` is refused with `tooLarge(n)`
 * before a range is expanded, so `0-99999999999` cannot exhaust memory.
 */
export function parseList(spec: string, flag: string, max: number, tooLarge: (n: number) => GlassboxError): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = part.trim().match(/^(\d+)(?:-(\d+))?$/);
    if (!m) throw new GlassboxError('usage', `${flag} expects numbers and ranges like 3 or 0,5,10-19, got '${echo(spec)}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new GlassboxError('usage', `${flag}: range ${echo(part)} is backwards`);
    if (a > max) throw tooLarge(a);
    if (b > max) throw tooLarge(b);
    if (out.length + (b - a + 1) > MAX_LISTED) throw new GlassboxError('usage', `${flag} names more than ${MAX_LISTED} rows`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}
