/**
 * The what-if editor's rules, apart from its components so tests run them directly: what kind of
 * value each column takes, parsing what the user typed (rejected inline with the reason, before
 * anything reaches the daemon), and which edits differ from the row. The daemon parses again
 * (glassbox/whatIf answers `ok: false` with a reason per column); these checks only spare a round
 * trip and say why at once.
 */
import type { RowPrediction } from '../../server/src/protocol/counterfactual';
import type { ExplainState, RawValue } from '../../server/src/protocol/panels';

/** `text`: the type is unknown here (a missing value, no daemon schema): the daemon decides. */
export type ColumnKind = 'number' | 'integer' | 'category' | 'text';

export interface ColumnView {
  type: ColumnKind;
  /** The training categories, when the daemon sends them: the editor offers exactly these. */
  categories?: string[];
}

/**
 * The row's state as the editor reads it: `columns` (per raw feature, its type and training
 * categories) when the daemon sends them, any type name accepted (`integer` too).
 */
export type WithColumns = Omit<ExplainState, 'columns'> & { columns?: Record<string, { type?: string; categories?: string[] }> };

/**
 * Each feature's kind: the daemon's declaration when present, else the type of the value in this
 * row or, when that is missing, in any of `others` (rows the panel holds: influential, nearest,
 * counterfactuals). `suggestions`: every category value seen among them (for a free-text column's
 * completion list), sorted.
 */
export function columnsOf(state: WithColumns, others: Record<string, RawValue>[] = []): Record<string, ColumnView & { suggestions: string[] }> {
  const out: Record<string, ColumnView & { suggestions: string[] }> = {};
  for (const f of Object.keys(state.values)) {
    const seen = [state.values, ...others].map((v) => v[f]).filter((v): v is string | number => v !== null && v !== undefined);
    const declared = state.columns?.[f];
    const suggestions = [...new Set(seen.filter((v): v is string => typeof v === 'string'))].sort();
    if (declared?.categories?.length) out[f] = { type: 'category', categories: [...declared.categories], suggestions };
    else if (declared?.type === 'integer' || declared?.type === 'number' || declared?.type === 'category') out[f] = { type: declared.type, suggestions };
    else if (seen.length === 0) out[f] = { type: 'text', suggestions };
    else out[f] = { type: typeof seen[0] === 'number' ? 'number' : 'category', suggestions };
  }
  return out;
}

export type Parsed = { ok: true; value: RawValue } | { ok: false; reason: string };

/**
 * What the user typed into `feature`'s field, as the raw value to send, or why it cannot be one.
 * Empty = missing (null). Numbers: a finite decimal (`1e3` and `-2.5` too); integer columns take
 * whole numbers. Categories: one of the training categories when known.
 */
export function parseEdit(text: string, feature: string, column: ColumnView): Parsed {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  if (column.type === 'number' || column.type === 'integer') {
    // Number('') and Number(' ') are 0, Number('0x10') is 16: accept decimal notation only.
    const x = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : NaN;
    if (!Number.isFinite(x)) return { ok: false, reason: `'${t}' is not a number; ${feature} is numeric` };
    if (column.type === 'integer' && !Number.isInteger(x)) return { ok: false, reason: `'${t}' is not a whole number; ${feature} takes whole numbers` };
    return { ok: true, value: x };
  }
  if (column.categories && !column.categories.includes(t)) {
    const near = column.categories.find((c) => c.toLowerCase() === t.toLowerCase());
    return { ok: false, reason: `'${t}' is not a category of ${feature} in the training data${near ? ` (did you mean '${near}'?)` : ''}` };
  }
  return { ok: true, value: t };
}

/** How a raw value shows in an edit field. */
export function editText(v: RawValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/**
 * The edits to send: features whose typed text differs from the row's value, parsed; or the
 * reasons of those that do not parse (nothing is sent then).
 */
export function whatIfValues(row: Record<string, RawValue>, edits: Record<string, string>, columns: Record<string, ColumnView>):
  { values: Record<string, RawValue>; errors: Record<string, string> } {
  const values: Record<string, RawValue> = {};
  const errors: Record<string, string> = {};
  for (const [f, text] of Object.entries(edits)) {
    if (!(f in row) || text.trim() === editText(row[f]).trim()) continue;
    const p = parseEdit(text, f, columns[f] ?? { type: 'text' });
    if (p.ok) values[f] = p.value;
    else errors[f] = p.reason;
  }
  return { values, errors };
}

/** The daemon's prediction in the Explain panel's shape. */
export function asPrediction(p: RowPrediction): ExplainState['prediction'] {
  return p.kind === 'classification' ? { class: p.class, probability: p.probability } : { value: p.value };
}
