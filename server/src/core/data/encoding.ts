/**
 * The feature encoding: how raw CSV columns become model inputs, and how results on model inputs
 * are reported back per raw feature.
 *
 * Column order is the raw features in CSV order, each expanded in place. Numeric features are
 * standardised with training statistics (population std) or passed through; categorical features
 * are one-hot over their training categories sorted by code point, with an unseen category either
 * all zeros or an extra `<feature>=<unknown>` column. A fitted `Encoding` is plain JSON, so it can
 * be stored beside a checkpoint or supplied by the user.
 */
import { GlassboxError } from '../errors';

export type NumericTransform = 'standardize' | 'none';
export type UnknownPolicy = 'zeros' | 'column';

export interface NumericFeature {
  name: string;
  type: 'numeric';
  transform: NumericTransform;
  /** Training mean (also the value a missing entry is imputed with). */
  mean: number;
  /** Training population standard deviation (ddof = 0). */
  std: number;
  /** Half-open range [start, end) of the feature's encoded columns. */
  columns: [number, number];
}

export interface CategoricalFeature {
  name: string;
  type: 'categorical';
  /** Training categories, sorted by code point. */
  categories: string[];
  unknown: UnknownPolicy;
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
export const DEFAULT_MISSING = ['', '?', 'NA', 'NaN', 'nan', 'null'];

/** Names of the encoded columns, `age` and `sex=Male` style. */
export function columnNames(encoding: Encoding): string[] {
  const names: string[] = [];
  for (const f of encoding.features) {
    if (f.type === 'numeric') names.push(f.name);
    else {
      for (const c of f.categories) names.push(`${f.name}=${c}`);
      if (f.unknown === 'column') names.push(`${f.name}=${UNKNOWN_CATEGORY}`);
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
 * Per raw feature for gradient-type results: a numeric feature keeps its value; a categorical
 * feature takes the value of the row's own category column (the one-hot weights `X` select it),
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
      if (feature.type === 'numeric') {
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
  /** feature -> count of missing numeric values (imputed with the training mean). */
  missing: Map<string, number>;
}

export function newCounters(): EncodeCounters {
  return { unseen: new Map(), missing: new Map() };
}

/** A compiled encoder: raw values (by CSV column index) into a row of the encoded matrix. */
export interface RowEncoder {
  encoding: Encoding;
  encode(values: readonly string[], out: Float32Array, offset: number, counters?: EncodeCounters): void;
}

export function compileEncoder(encoding: Encoding, header: readonly string[], file = 'data'): RowEncoder {
  const missing = new Set(encoding.missing);
  const steps = encoding.features.map((f) => {
    const col = header.indexOf(f.name);
    if (col < 0) throw new GlassboxError('schema', `column '${f.name}' used by the model is not in the header (${header.join(', ')})`, { file, line: 1 });
    if (f.type === 'numeric') {
      const scale = f.transform === 'standardize' ? (f.std > 0 ? 1 / f.std : 0) : 1;
      const shift = f.transform === 'standardize' ? f.mean : 0;
      return { f, col, scale, shift, index: undefined as Map<string, number> | undefined };
    }
    const index = new Map(f.categories.map((c, i) => [c, i] as const));
    return { f, col, scale: 1, shift: 0, index };
  });
  return {
    encoding,
    encode(values, out, offset, counters) {
      out.fill(0, offset, offset + encoding.width);
      for (const s of steps) {
        const raw = values[s.col]!;
        const start = offset + s.f.columns[0];
        if (s.f.type === 'numeric') {
          const v = missing.has(raw.trim()) ? NaN : Number(raw);
          if (Number.isFinite(v)) {
            out[start] = (v - s.shift) * s.scale;
          } else {
            // Missing or unparsable: impute the training mean.
            out[start] = (s.f.mean - s.shift) * s.scale;
            if (counters) counters.missing.set(s.f.name, (counters.missing.get(s.f.name) ?? 0) + 1);
          }
        } else {
          const i = s.index!.get(raw);
          if (i !== undefined) out[start + i] = 1;
          else {
            if (s.f.unknown === 'column') out[start + s.f.categories.length] = 1;
            if (counters) {
              let m = counters.unseen.get(s.f.name);
              if (!m) counters.unseen.set(s.f.name, (m = new Map()));
              m.set(raw, (m.get(raw) ?? 0) + 1);
            }
          }
        }
      }
    },
  };
}

/** Decodes one encoded row back to raw values (numeric de-standardised, one-hot to its category). */
export function decodeRow(encoding: Encoding, row: ArrayLike<number>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const f of encoding.features) {
    const [s] = f.columns;
    if (f.type === 'numeric') {
      const v = row[s]!;
      out[f.name] = f.transform === 'standardize' ? v * f.std + f.mean : v;
    } else {
      let best = -1;
      let bestValue = 0.5;
      for (let i = 0; i < f.columns[1] - s; i++) {
        if (row[s + i]! > bestValue) {
          bestValue = row[s + i]!;
          best = i;
        }
      }
      out[f.name] = best < 0 ? null : best < f.categories.length ? f.categories[best]! : UNKNOWN_CATEGORY;
    }
  }
  return out;
}
