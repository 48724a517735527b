/**
 * From a schema declaration (the `features` block of glassbox.json, possibly empty) and the
 * training data to a fitted `Encoding`. Columns the user did not declare are inferred, and every
 * inference carries a reason so `glassbox schema` can show it.
 */
import type { CsvStream } from './csv';
import {
  DEFAULT_MISSING,
  type EncodedFeature,
  type Encoding,
  type NumericTransform,
  type UnknownPolicy,
} from './encoding';
import { echo, GlassboxError, type SourceLocation } from '../errors';

export type Task = 'binary' | 'multiclass' | 'regression';

export interface DeclaredColumn {
  type: 'numeric' | 'categorical' | 'ignore';
  transform?: NumericTransform;
  /** Fixes the category list (and order) instead of reading it from the training data. */
  categories?: string[];
  unknown?: UnknownPolicy;
  /** Where the declaration is, for error messages. */
  location?: SourceLocation;
}

export interface SchemaDeclaration {
  label?: string;
  task?: Task;
  /** Raw label values in class order; read from the training data when absent. */
  classes?: string[];
  columns: Record<string, DeclaredColumn>;
  /** Infer columns that are not declared (default true); when false they are ignored. */
  inferRest: boolean;
  missing?: string[];
  unknown?: UnknownPolicy;
}

export interface ColumnReport {
  name: string;
  role: 'feature' | 'label' | 'ignored';
  type?: 'numeric' | 'categorical';
  declared: boolean;
  reason: string;
  distinct: number;
  missing: number;
  /** Values beyond the float32 range (`inf`, `1e308`), treated as missing (see `OutOfRangeValues`). */
  outOfRange?: OutOfRangeValues;
}

/**
 * Numbers a model cannot take: infinite (`inf`, `-Infinity`, `1e400`) or beyond the float32 range
 * (|x| > 3.4e38, e.g. `1e308`) that model inputs are stored in. In a numeric column they are
 * treated as missing: left out of the mean and standard deviation (which they would make
 * infinite, turning the feature into a constant) and imputed with the training mean when encoded,
 * and always reported with their lines.
 */
export interface OutOfRangeValues {
  count: number;
  /** The first `MAX_NOTED_LINES` lines holding one, in file order. */
  lines: number[];
  /** One of the values as written (truncated). */
  example: string;
}

/** Lines listed per column in a note about out-of-range values. */
export const MAX_NOTED_LINES = 10;

/** A data problem the user should know about that did not stop the fit. */
export interface SchemaNote {
  feature: string;
  message: string;
  /** The lines it concerns (the first few). */
  lines: number[];
  file: string;
}

export interface FittedSchema {
  encoding: Encoding;
  task: Task;
  columns: ColumnReport[];
  rows: number;
  /** What the fit worked around (out-of-range numbers), with lines; empty when nothing. */
  notes: SchemaNote[];
}

/** Largest finite float32: model inputs are float32, so a larger magnitude cannot be an input. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Reads a numeric cell: a finite number, `±Infinity` (also for `inf`/`infinity` text in any case,
 * as Python, pandas and R write it), or NaN when it is not a number at all.
 */
export function parseNumber(text: string): number {
  const v = Number(text);
  if (!Number.isNaN(v)) return v;
  // Cheap rejection first: this runs on every cell of every text column while fitting.
  const last = text.charCodeAt(text.length - 1) | 0x20;
  if (text.length < 3 || text.length > 9 || (last !== 0x66 && last !== 0x79)) return NaN;
  const m = /^([+-]?)inf(?:inity)?$/i.exec(text);
  return m ? (m[1] === '-' ? -Infinity : Infinity) : NaN;
}

/** True for a parsed number a model input cannot hold (infinite or beyond float32). */
export function isOutOfRange(v: number): boolean {
  return v > FLOAT32_MAX || v < -FLOAT32_MAX;
}

/** Above this many distinct values a non-numeric column is treated as an identifier or free text. */
const MAX_CATEGORIES = 200;
const DISTINCT_CAP = MAX_CATEGORIES + 1;

class ColumnStats {
  n = 0;
  missing = 0;
  nonNumeric = 0;
  mean = 0;
  m2 = 0;
  counts = new Map<string, number>();
  overflow = false;
  outOfRange = 0;
  outOfRangeLines: number[] = [];
  outOfRangeExample = '';

  add(cell: string | number, missingTokens: Set<string>, line: number): void {
    if (typeof cell === 'number') return this.addNumber(cell, line);
    const raw = cell;
    const trimmed = raw.trim();
    if (!this.overflow) {
      this.counts.set(raw, (this.counts.get(raw) ?? 0) + 1);
      if (this.counts.size > DISTINCT_CAP * 50) this.overflow = true;
    }
    if (missingTokens.has(trimmed)) {
      this.missing++;
      return;
    }
    const v = parseNumber(trimmed);
    if (Number.isNaN(v)) {
      this.nonNumeric++;
      return;
    }
    this.addParsed(v, trimmed, line);
  }

  /**
   * A number from a typed source (source.ts `typed`): counted as its text while distinct values
   * are counted, without parsing any text.
   */
  private addNumber(v: number, line: number): void {
    if (!this.overflow) {
      const key = String(v);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      if (this.counts.size > DISTINCT_CAP * 50) this.overflow = true;
    }
    if (Number.isNaN(v)) {
      this.missing++;
      return;
    }
    this.addParsed(v, v, line);
  }

  /**
   * A number that is not missing, from text or a typed source: an out-of-range one is counted and
   * noted (the first one's `text`, echoed, and its line), any other goes into the running mean and
   * variance (Welford: stable for large files).
   */
  private addParsed(v: number, text: string | number, line: number): void {
    if (isOutOfRange(v)) {
      if (this.outOfRange++ === 0) this.outOfRangeExample = echo(String(text), 40);
      if (this.outOfRangeLines.length < MAX_NOTED_LINES) this.outOfRangeLines.push(line);
      return;
    }
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
  }

  get std(): number {
    return this.n > 0 ? Math.sqrt(this.m2 / this.n) : 0;
  }
  get isNumeric(): boolean {
    return this.nonNumeric === 0 && this.n + this.outOfRange > 0;
  }
  /** Missing values, counting out-of-range numbers, which are treated as missing. */
  get missingAll(): number {
    return this.missing + this.outOfRange;
  }
  get distinct(): number {
    return this.counts.size;
  }
}

/** Code-point order, matching Python's `sorted` on str (what the reference encoders use). */
export function codePointCompare(a: string, b: string): number {
  const A = Array.from(a);
  const B = Array.from(b);
  for (let i = 0; i < Math.min(A.length, B.length); i++) {
    const d = A[i]!.codePointAt(0)! - B[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return A.length - B.length;
}

function sortLabelValues(values: string[]): string[] {
  const numeric = values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return numeric ? [...values].sort((a, b) => Number(a) - Number(b)) : [...values].sort(codePointCompare);
}

/** Reads the training stream once and fits the encoding; the stream is closed when it returns or throws. */
/** Where a problem with the whole file is reported: its header line, or the file alone when binary. */
function headerAt(stream: CsvStream, file: string): SourceLocation {
  return stream.addressing === 'row' ? { file } : { file, line: stream.headerLine };
}

export async function fitSchema(stream: CsvStream, declaration: SchemaDeclaration, file: string): Promise<FittedSchema> {
  try {
    return await fit(stream, declaration, file);
  } finally {
    stream.close?.();
  }
}

async function fit(stream: CsvStream, declaration: SchemaDeclaration, file: string): Promise<FittedSchema> {
  const { header } = stream;
  const missingTokens = new Set(declaration.missing ?? DEFAULT_MISSING);
  for (const [name, col] of Object.entries(declaration.columns)) {
    if (!header.includes(name)) {
      throw new GlassboxError('config', `feature '${echo(name)}' is declared but the training data has no such column${suggest(name, header)}`, col.location);
    }
  }
  const label = declaration.label;
  if (label !== undefined && !header.includes(label)) {
    throw new GlassboxError('config', `label column '${echo(label)}' is not in the training data${suggest(label, header)}`, headerAt(stream, file));
  }
  const stats = header.map(() => new ColumnStats());
  let rows = 0;
  for await (const rec of stream.records) {
    for (let c = 0; c < header.length; c++) stats[c]!.add(rec.values[c] as string | number, missingTokens, rec.line);
    rows++;
  }
  if (rows === 0) throw new GlassboxError('csv', 'the training data has a header but no rows', headerAt(stream, file));

  const reports: ColumnReport[] = [];
  const notes: SchemaNote[] = [];
  const features: EncodedFeature[] = [];
  const ignored: string[] = [];
  let width = 0;
  const unknownDefault = declaration.unknown ?? 'zeros';

  for (let c = 0; c < header.length; c++) {
    const name = header[c]!;
    const s = stats[c]!;
    // Own keys only: a column named `constructor` or `toString` is not declared by Object.prototype.
    const declared = Object.hasOwn(declaration.columns, name) ? declaration.columns[name] : undefined;
    const base = { name, distinct: s.distinct, missing: s.missing };
    if (name === label) {
      reports.push({ ...base, role: 'label', declared: true, reason: 'named as the label' });
      continue;
    }
    let type: 'numeric' | 'categorical' | 'ignore';
    let reason: string;
    if (declared) {
      type = declared.type;
      reason = 'declared in glassbox.json';
      if (type === 'numeric' && !s.isNumeric && s.n + s.missingAll < rows) {
        throw new GlassboxError('schema', `feature '${echo(name)}' is declared numeric but ${s.nonNumeric} training value(s) are not numbers (e.g. '${echo(firstNonNumeric(s, missingTokens))}')`, declared.location);
      }
    } else if (!declaration.inferRest) {
      type = 'ignore';
      reason = 'not declared, and inference of other columns is off';
    } else if (s.isNumeric) {
      type = 'numeric';
      reason = `all ${s.n + s.outOfRange} non-missing values are numbers`;
    } else if (s.distinct > MAX_CATEGORIES) {
      type = 'ignore';
      reason = `text with more than ${MAX_CATEGORIES} distinct values looks like an identifier or free text; declare it to use it`;
    } else {
      type = 'categorical';
      reason = `${s.nonNumeric} value(s) are not numbers; ${s.distinct} distinct values`;
    }
    if (type === 'ignore') {
      ignored.push(name);
      reports.push({ ...base, role: 'ignored', declared: Boolean(declared), reason });
      continue;
    }
    if (type === 'numeric') {
      const transform = declared?.transform ?? 'standardize';
      features.push({ name, type, transform, mean: s.mean, std: s.std, columns: [width, width + 1] });
      width += 1;
      if (s.outOfRange > 0) {
        const outOfRange: OutOfRangeValues = { count: s.outOfRange, lines: s.outOfRangeLines, example: s.outOfRangeExample };
        reports.push({ ...base, missing: s.missingAll, role: 'feature', type, declared: Boolean(declared), reason, outOfRange });
        notes.push({
          feature: name,
          file,
          lines: s.outOfRangeLines,
          message: `${name}: ${s.outOfRange} value(s) beyond the float32 range (e.g. '${s.outOfRangeExample}') treated as missing (imputed with the training mean) on ${stream.addressing === 'row' ? 'row' : 'line'}(s) ${formatLines(s.outOfRangeLines, s.outOfRange)}`,
        });
        continue;
      }
    } else {
      const categories = declared?.categories ?? [...s.counts.keys()].sort(codePointCompare);
      const unknown = declared?.unknown ?? unknownDefault;
      const n = categories.length + (unknown === 'column' ? 1 : 0);
      features.push({ name, type, categories, unknown, columns: [width, width + n] });
      width += n;
    }
    reports.push({ ...base, role: 'feature', type, declared: Boolean(declared), reason });
  }
  if (features.length === 0) throw new GlassboxError('schema', 'no column is used as a feature', headerAt(stream, file));

  let task = declaration.task;
  let classes = declaration.classes;
  if (label !== undefined) {
    const ls = stats[header.indexOf(label)]!;
    const values = sortLabelValues([...ls.counts.keys()].filter((v) => !missingTokens.has(v.trim())));
    if (!task) {
      const integral = ls.isNumeric && values.every((v) => Number.isInteger(Number(v)));
      task = values.length === 2 ? 'binary' : (!ls.isNumeric || (integral && values.length <= 20)) ? 'multiclass' : 'regression';
    }
    if (task !== 'regression') classes ??= values;
    if (task === 'binary' && classes && classes.length !== 2) {
      throw new GlassboxError('schema', `task is binary but label '${echo(label)}' has ${classes.length} distinct values (${classes.slice(0, 5).map((c) => echo(c, 40)).join(', ')}${classes.length > 5 ? ', ...' : ''})`, headerAt(stream, file));
    }
  }
  task ??= 'binary';

  const encoding: Encoding = {
    features,
    ignored,
    missing: [...missingTokens],
    width,
    ...(label !== undefined ? { label: task === 'regression' ? { name: label } : { name: label, classes: classes! } } : {}),
  };
  return { encoding, task, columns: reports, rows, notes };
}

/** `3, 17, 40` or `3, 17, 40 and 12 more`, for notes listing lines. */
export function formatLines(lines: readonly number[], total: number): string {
  return `${lines.join(', ')}${total > lines.length ? ` and ${total - lines.length} more` : ''}`;
}

function firstNonNumeric(s: ColumnStats, missing: Set<string>): string {
  for (const k of s.counts.keys()) if (!missing.has(k.trim()) && !Number.isFinite(Number(k.trim()))) return k;
  return '';
}

/** "Did you mean" for a misspelt column name. */
export function suggest(name: string, options: readonly string[]): string {
  // Edit distance is quadratic; a name this long is no typo of a short one.
  if (name.length > 100) return '';
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    if (o.length > 100) continue;
    const d = editDistance(name.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
