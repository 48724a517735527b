/**
 * The feature encoding: how raw CSV columns become model inputs, and how results on model inputs
 * are reported back per raw feature.
 *
 * Column order is the raw features in CSV order, each expanded in place (an encoding file may
 * order features differently; each feature's columns are still contiguous). Numeric features are
 * affine, x -> (x - mean) / std (standardisation with training statistics, population std, or any
 * scaler of that form), or passed through; a missing entry becomes `impute` (default the mean).
 * Categorical features are one-hot over their training categories (sorted by code point when
 * Glassbox fits them), with an unseen category either all zeros or an extra
 * `<feature>=<unknown>` column; encoding files add one-hot with a dropped category (no column:
 * all zeros) and infrequent categories sharing one last column, and ordinal encoding (one column
 * holding the category's index). A fitted `Encoding` is plain JSON, so it can be stored beside a
 * checkpoint or supplied by the user.
 *
 * Categories are matched against the CSV text exactly; a category that is a number (an encoding
 * written from pandas, where the CSV's "13" was read as 13) also matches any CSV text of the same
 * number ("13.0", "1.3e1").
 */
import { GlassboxError } from '../errors';

export type NumericTransform = 'standardize' | 'none';
export type UnknownPolicy = 'zeros' | 'column';
export type CategoricalEncoding = 'onehot' | 'ordinal';

export interface NumericFeature {
  name: string;
  type: 'numeric';
  transform: NumericTransform;
  /** Training mean (also the value a missing entry is imputed with). */
  mean: number;
  /** Training population standard deviation (ddof = 0). */
  std: number;
  /** Raw value a missing or unparsable entry becomes (default `mean`). */
  impute?: number;
  /** Half-open range [start, end) of the feature's encoded columns. */
  columns: [number, number];
}

export interface CategoricalFeature {
  name: string;
  type: 'categorical';
  /**
   * Categories with a column (one-hot, in column order) or their index as value (ordinal). Fitted
   * by Glassbox: the training categories sorted by code point.
   */
  categories: string[];
  /** One-hot: an unseen category is all zeros or goes to the extra last column. */
  unknown: UnknownPolicy;
  /** Default 'onehot'. */
  encoding?: CategoricalEncoding;
  /** One-hot: a training category without a column (drop='first'); its rows are all zeros. */
  dropped?: string;
  /** One-hot: training categories sharing one extra last column (`<feature>=<infrequent>`). */
  infrequent?: string[];
  /** Category (or dropped/infrequent one) a missing entry becomes when it is not itself a category. */
  impute?: string;
  /** Ordinal: the value of an unseen category (NaN allowed; default NaN). */
  unknownValue?: number;
  /** Ordinal: the value of a missing entry (default: as unseen). */
  missingValue?: number;
  columns: [number, number];
}

export type EncodedFeature = NumericFeature | CategoricalFeature;

export interface LabelSpec {
  name: string;
  /** Raw label values in class-index order (classification); absent for regression. */
  classes?: string[];
}

export interface Encoding {
  features: EncodedFeature[];
  label?: LabelSpec;
  /** Raw columns present in the data and deliberately not fed to the model. */
  ignored: string[];
  /** Tokens read as a missing numeric value. */
  missing: string[];
  width: number;
}

export const UNKNOWN_CATEGORY = '<unknown>';
export const INFREQUENT_CATEGORY = '<infrequent>';
export const DEFAULT_MISSING = ['', '?', 'NA', 'NaN', 'nan', 'null'];

/** Number of encoded columns of a categorical feature. */
export function categoricalWidth(f: Omit<CategoricalFeature, 'columns'>): number {
  if (f.encoding === 'ordinal') return 1;
  return f.categories.length + (f.infrequent || f.unknown === 'column' ? 1 : 0);
}

/**
 * What `categoryIndex` indexes: the categories, then the extra column's label (`<infrequent>` or
 * `<unknown>`, one-hot only), then the dropped category.
 */
export function categoryLabels(f: CategoricalFeature): string[] {
  const labels = [...f.categories];
  if (f.encoding !== 'ordinal' && (f.infrequent || f.unknown === 'column')) labels.push(f.infrequent ? INFREQUENT_CATEGORY : UNKNOWN_CATEGORY);
  if (f.encoding !== 'ordinal' && f.dropped !== undefined) labels.push(f.dropped);
  return labels;
}

/**
 * The category an encoded row holds, as an index into `categoryLabels(f)`, or -1 when the row
 * holds none of them (an unseen category encoded as zeros, an ordinal unknown or missing value).
 * `X[offset + c]` is the row's column c.
 */
export function categoryIndex(f: CategoricalFeature, X: ArrayLike<number>, offset: number): number {
  const [s, e] = f.columns;
  if (f.encoding === 'ordinal') {
    const v = X[offset + s]!;
    const k = Math.round(v);
    return k >= 0 && k < f.categories.length && Math.abs(v - k) < 1e-6 ? k : -1;
  }
  let best = -1;
  let bestValue = 0.5;
  for (let c = s; c < e; c++) {
    if (X[offset + c]! > bestValue) {
      bestValue = X[offset + c]!;
      best = c - s;
    }
  }
  if (best >= 0) return best;
  return f.dropped !== undefined ? categoryLabels(f).length - 1 : -1;
}

/** The training categories a feature's encoding knows: with a column, dropped, or infrequent. */
export function knownCategories(f: CategoricalFeature): string[] {
  return [...f.categories, ...(f.encoding !== 'ordinal' && f.dropped !== undefined ? [f.dropped] : []), ...(f.encoding !== 'ordinal' ? (f.infrequent ?? []) : [])];
}

/** Names of the encoded columns, `age` and `sex=Male` style (an ordinal feature's one column: its name). */
export function columnNames(encoding: Encoding): string[] {
  const names: string[] = [];
  for (const f of encoding.features) {
    if (f.type === 'numeric' || f.encoding === 'ordinal') names.push(f.name);
    else {
      for (const c of f.categories) names.push(`${f.name}=${c}`);
      if (f.infrequent) names.push(`${f.name}=${INFREQUENT_CATEGORY}`);
      else if (f.unknown === 'column') names.push(`${f.name}=${UNKNOWN_CATEGORY}`);
    }
  }
  return names;
}

/** For every encoded column, the index of the raw feature it belongs to. */
export function columnFeatureIndex(encoding: Encoding): Int32Array {
  const out = new Int32Array(encoding.width);
  encoding.features.forEach((f, i) => out.fill(i, f.columns[0], f.columns[1]));
  return out;
}

export function featureNames(encoding: Encoding): string[] {
  return encoding.features.map((f) => f.name);
}

/**
 * Sums encoded-column values per raw feature: `values` is row-major n x width, the result is
 * row-major n x features. This is how one-hot attributions become one number for `sex`.
 */
export function groupByFeature(values: ArrayLike<number>, rows: number, encoding: Encoding): Float64Array {
  const { width } = encoding;
  if (values.length !== rows * width) {
    throw new GlassboxError('shape', `groupByFeature: expected ${rows} x ${width} values, got ${values.length}`);
  }
  const F = encoding.features.length;
  const out = new Float64Array(rows * F);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const [s, e] = encoding.features[f]!.columns;
      let sum = 0;
      for (let c = s; c < e; c++) sum += values[r * width + c]!;
      out[r * F + f] = sum;
    }
  }
  return out;
}

/**
 * Per raw feature for gradient-type results: a numeric or ordinal feature keeps its value; a
 * one-hot feature takes the value of the row's own category column (the one-hot weights `X` select it),
 * which is the derivative along the row's own category indicator. Summing a gradient over every
 * column of a one-hot group would instead grow with the number of categories and mean nothing.
 */
export function groupByFeatureActive(values: ArrayLike<number>, X: ArrayLike<number>, rows: number, encoding: Encoding): Float64Array {
  const { width } = encoding;
  if (values.length !== rows * width || X.length !== rows * width) {
    throw new GlassboxError('shape', `groupByFeatureActive: expected ${rows} x ${width} values and inputs, got ${values.length} and ${X.length}`);
  }
  const F = encoding.features.length;
  const out = new Float64Array(rows * F);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      const feature = encoding.features[f]!;
      const [s, e] = feature.columns;
      if (feature.type === 'numeric' || feature.encoding === 'ordinal') {
        out[r * F + f] = values[r * width + s]!;
        continue;
      }
      let sum = 0;
      for (let c = s; c < e; c++) sum += values[r * width + c]! * X[r * width + c]!;
      out[r * F + f] = sum;
    }
  }
  return out;
}

export interface EncodeCounters {
  /** feature -> category -> count of values not seen in training. */
  unseen: Map<string, Map<string, number>>;
  /** feature -> count of missing values imputed (numeric: `impute` or the mean; categorical: `impute`). */
  missing: Map<string, number>;
}

export function newCounters(): EncodeCounters {
  return { unseen: new Map(), missing: new Map() };
}

/** A compiled encoder: raw values (by CSV column index) into a row of the encoded matrix. */
export interface RowEncoder {
  encoding: Encoding;
  /** Encodes one row's cells: texts, or numbers from a typed source. */
  encode(values: readonly string[] | readonly (string | number)[], out: Float32Array, offset: number, counters?: EncodeCounters): void;
}

/**
 * `headerLine`: the header's 1-based line, where a missing column is reported (default 1); 0 for
 * a binary file (Parquet, Arrow), which has no line to point at: the error names the file only.
 */
export function compileEncoder(encoding: Encoding, header: readonly string[], file = 'data', headerLine = 1): RowEncoder {
  const missing = new Set(encoding.missing);
  const isMissing = (raw: string) => missing.has(raw.trim());
  const steps = encoding.features.map((f) => {
    const col = header.indexOf(f.name);
    if (col < 0) throw new GlassboxError('schema', `column '${f.name}' used by the model is not in the header (${header.join(', ')})`, headerLine > 0 ? { file, line: headerLine } : { file });
    if (f.type === 'numeric') {
      const scale = f.transform === 'standardize' ? (f.std > 0 ? 1 / f.std : 0) : 1;
      const shift = f.transform === 'standardize' ? f.mean : 0;
      const imputed = ((f.impute ?? f.mean) - shift) * scale;
      return { kind: 'numeric' as const, f, col, scale, shift, imputed };
    }
    return { kind: 'categorical' as const, f, col, lookup: categoryLookup(f) };
  });
  const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  return {
    encoding,
    encode(values, out, offset, counters) {
      out.fill(0, offset, offset + encoding.width);
      for (const s of steps) {
        // A typed source (source.ts `typed`) hands numeric cells over as numbers.
        const cell = values[s.col] as string | number;
        const start = offset + s.f.columns[0];
        if (s.kind === 'numeric') {
          const v = typeof cell === 'number' ? cell : isMissing(cell) ? NaN : Number(cell);
          if (Number.isFinite(v)) {
            out[start] = (v - s.shift) * s.scale;
          } else {
            // Missing or unparsable: `impute` (default the training mean).
            out[start] = s.imputed;
            if (counters) count(counters.missing, s.f.name);
          }
          continue;
        }
        const raw = typeof cell === 'number' ? String(cell) : cell;
        const f = s.f;
        let k = s.lookup(raw);
        // A missing token that is not itself a category is imputed only when the feature says how;
        // otherwise it is an unseen category like any other.
        let imputed = false;
        if (k === undefined && (f.impute !== undefined || (f.encoding === 'ordinal' && f.missingValue !== undefined)) && isMissing(raw)) {
          if (f.impute !== undefined) k = s.lookup(f.impute);
          imputed = true;
        }
        if (imputed && counters) count(counters.missing, f.name);
        if (f.encoding === 'ordinal') {
          if (k !== undefined && k >= 0) out[start] = k;
          else if (imputed && f.missingValue !== undefined) out[start] = f.missingValue;
          else {
            out[start] = f.unknownValue ?? NaN;
            if (counters && !imputed) countUnseen(counters, f.name, raw);
          }
          continue;
        }
        if (k !== undefined) {
          if (k >= 0) out[start + k] = 1; // k < 0: the dropped category, all zeros
        } else {
          if (f.unknown === 'column') out[start + f.categories.length] = 1;
          if (counters && !imputed) countUnseen(counters, f.name, raw);
        }
      }
    },
  };
}

function countUnseen(counters: EncodeCounters, feature: string, raw: string): void {
  let m = counters.unseen.get(feature);
  if (!m) counters.unseen.set(feature, (m = new Map()));
  m.set(raw, (m.get(raw) ?? 0) + 1);
}

const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** The number a text spells, in one canonical spelling ("13.0" and "13" give "13"), or undefined. */
function canonicalNumber(text: string): string | undefined {
  return NUMBER_TEXT.test(text) ? String(Number(text)) : undefined;
}

/**
 * raw CSV text -> the column within the feature's group (one-hot) or the category's index
 * (ordinal); -1 for the dropped category; undefined when unseen. Exact text first, then the same
 * number spelled differently.
 */
function categoryLookup(f: CategoricalFeature): (raw: string) => number | undefined {
  const exact = new Map<string, number>();
  const add = (c: string, k: number) => {
    if (!exact.has(c)) exact.set(c, k);
  };
  f.categories.forEach((c, i) => add(c, i));
  if (f.encoding !== 'ordinal') {
    if (f.dropped !== undefined) add(f.dropped, -1);
    for (const c of f.infrequent ?? []) add(c, f.categories.length);
  }
  const numeric = new Map<string, number>();
  for (const [c, k] of exact) {
    const n = canonicalNumber(c);
    if (n !== undefined && !numeric.has(n)) numeric.set(n, k);
  }
  return (raw) => {
    const k = exact.get(raw);
    if (k !== undefined || numeric.size === 0) return k;
    const n = canonicalNumber(raw);
    return n === undefined ? undefined : numeric.get(n);
  };
}

/**
 * Decodes one encoded row back to raw values: numeric de-standardised; categorical to the row's
 * category (`<unknown>`/`<infrequent>` for the extra column, null when it holds none).
 */
export function decodeRow(encoding: Encoding, row: ArrayLike<number>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const f of encoding.features) {
    const [s] = f.columns;
    if (f.type === 'numeric') {
      const v = row[s]!;
      out[f.name] = f.transform === 'standardize' ? v * f.std + f.mean : v;
    } else {
      const k = categoryIndex(f, row, 0);
      out[f.name] = k < 0 ? null : categoryLabels(f)[k]!;
    }
  }
  return out;
}
