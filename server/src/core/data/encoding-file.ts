/**
 * Reads a fitted encoding stored as JSON: Glassbox's own `Encoding`, the `glassbox-encoding` file
 * the Python package writes from scikit-learn or pandas preprocessing, or the common
 * `{features: [{name, type, mean, std, categories, columns}]}` layout other tools write (the
 * reference encoding in the anchors uses it). Missing fields take the documented defaults
 * (docs/model-formats.md, "Encoding file"); anything contradictory is a `config` error naming the
 * feature.
 */
import * as fs from 'node:fs';
import { GlassboxError } from '../errors';
import { assertReadableFile } from '../util/files';
import { categoricalWidth, DEFAULT_MISSING, type CategoricalFeature, type EncodedFeature, type Encoding } from './encoding';

export const ENCODING_FORMAT = 'glassbox-encoding';

interface LooseFeature {
  name?: unknown;
  type?: unknown;
  mean?: unknown;
  std?: unknown;
  impute?: unknown;
  transform?: unknown;
  encoding?: unknown;
  categories?: unknown;
  unknown?: unknown;
  dropped?: unknown;
  infrequent?: unknown;
  unknownValue?: unknown;
  missingValue?: unknown;
  columns?: unknown;
}

interface LooseFile {
  format?: unknown;
  version?: unknown;
  features?: LooseFeature[];
  ignored?: string[];
  missing?: unknown;
  width?: unknown;
}

export function readEncodingFile(file: string): Encoding {
  assertReadableFile(file, { maxBytes: 64 * 1024 * 1024, what: 'encoding file', code: 'config' });
  let json: LooseFile;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GlassboxError('config', `cannot read the encoding: ${(e as Error).message}`, { file });
  }
  return parseEncoding(json, file);
}

/** Validates a parsed encoding document (see `readEncodingFile`); `file` is for error locations. */
export function parseEncoding(json: LooseFile, file: string): Encoding {
  const fail = (message: string): never => {
    throw new GlassboxError('config', message, { file });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('the encoding is not a JSON object');
  if (json.format !== undefined && json.format !== ENCODING_FORMAT) fail(`the encoding has format ${JSON.stringify(json.format)}; expected "${ENCODING_FORMAT}"`);
  if (json.version !== undefined && json.version !== 1) fail(`the encoding has version ${JSON.stringify(json.version)}; this Glassbox reads version 1`);
  if (!Array.isArray(json.features)) fail("the encoding has no 'features' array");
  if (json.missing !== undefined && !(Array.isArray(json.missing) && json.missing.every((m) => typeof m === 'string'))) fail("the encoding's 'missing' is not an array of strings");
  let width = 0;
  const features: EncodedFeature[] = json.features!.map((f, i) => {
    if (typeof f !== 'object' || f === null) fail(`features[${i}] is not an object`);
    if (typeof f.name !== 'string') fail(`features[${i}] has no name`);
    const where = `features[${i}] ('${f.name as string}')`;
    const feature = f.type === 'numeric' ? numeric(f, where, width, fail) : f.type === 'categorical' ? categorical(f, where, width, fail) : fail(`${where} has type ${JSON.stringify(f.type)}; expected "numeric" or "categorical"`);
    if (Array.isArray(f.columns) && (f.columns[0] !== feature.columns[0] || f.columns[1] !== feature.columns[1])) {
      fail(`${where} says columns [${f.columns.join(', ')}) but its position gives [${feature.columns.join(', ')})`);
    }
    width = feature.columns[1];
    return feature;
  });
  if (json.width !== undefined && json.width !== width) fail(`the encoding says width ${JSON.stringify(json.width)} but its features give ${width} columns`);
  return { features, ignored: json.ignored ?? [], missing: (json.missing as string[] | undefined) ?? DEFAULT_MISSING, width };
}

type Fail = (message: string) => never;

function numeric(f: LooseFeature, where: string, start: number, fail: Fail): EncodedFeature {
  if (f.transform !== undefined && f.transform !== 'standardize' && f.transform !== 'none') fail(`${where} has transform ${JSON.stringify(f.transform)}; expected "standardize" or "none"`);
  const transform = f.transform === 'none' ? 'none' : 'standardize';
  if (transform === 'standardize' && (typeof f.mean !== 'number' || typeof f.std !== 'number')) fail(`${where} is standardised but has no numeric mean and std`);
  if (f.impute !== undefined && typeof f.impute !== 'number') fail(`${where} has impute ${JSON.stringify(f.impute)}; expected a number (the raw value a missing entry becomes)`);
  const feature: EncodedFeature = { name: f.name as string, type: 'numeric', transform, mean: Number(f.mean ?? 0), std: Number(f.std ?? 1), columns: [start, start + 1] };
  if (typeof f.impute === 'number') feature.impute = f.impute;
  return feature;
}

/** A category as the CSV reader gives it: strings as they are, numbers in JavaScript's spelling. */
function categoryText(v: unknown, what: string, fail: Fail): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return fail(`${what} is ${JSON.stringify(v)}; expected a string or a number`);
}

/** null stands for NaN (JSON has none). */
function codeValue(v: unknown, what: string, fail: Fail): number {
  if (v === null) return NaN;
  if (typeof v === 'number') return v;
  return fail(`${what} is ${JSON.stringify(v)}; expected a number or null (NaN)`);
}

function categorical(f: LooseFeature, where: string, start: number, fail: Fail): EncodedFeature {
  if (!Array.isArray(f.categories)) fail(`${where} is categorical but has no categories`);
  if (f.encoding !== undefined && f.encoding !== 'onehot' && f.encoding !== 'ordinal') fail(`${where} has encoding ${JSON.stringify(f.encoding)}; expected "onehot" or "ordinal"`);
  if (f.unknown !== undefined && f.unknown !== 'zeros' && f.unknown !== 'column') fail(`${where} has unknown ${JSON.stringify(f.unknown)}; expected "zeros" or "column"`);
  const categories = (f.categories as unknown[]).map((c, k) => categoryText(c, `${where} category ${k}`, fail));
  const feature: Omit<CategoricalFeature, 'columns'> = { name: f.name as string, type: 'categorical', categories, unknown: f.unknown === 'column' ? 'column' : 'zeros' };
  const known = new Set(categories);
  if (known.size !== categories.length) fail(`${where} lists a category twice`);
  if (f.encoding === 'ordinal') {
    feature.encoding = 'ordinal';
    for (const key of ['dropped', 'infrequent'] as const) if (f[key] !== undefined) fail(`${where} is ordinal; '${key}' applies to one-hot features only`);
    if (f.unknown === 'column') fail(`${where} is ordinal; unknown "column" applies to one-hot features only (use unknownValue)`);
    feature.unknownValue = f.unknownValue === undefined ? NaN : codeValue(f.unknownValue, `${where} unknownValue`, fail);
    if (f.missingValue !== undefined) feature.missingValue = codeValue(f.missingValue, `${where} missingValue`, fail);
  } else {
    if (f.encoding === 'onehot') feature.encoding = 'onehot';
    for (const key of ['unknownValue', 'missingValue'] as const) if (f[key] !== undefined) fail(`${where} is one-hot; '${key}' applies to ordinal features only`);
    if (f.dropped !== undefined) {
      feature.dropped = categoryText(f.dropped, `${where} dropped`, fail);
      if (known.has(feature.dropped)) fail(`${where} drops '${feature.dropped}', which also has a column`);
      known.add(feature.dropped);
    }
    if (f.infrequent !== undefined) {
      if (!Array.isArray(f.infrequent)) fail(`${where} has infrequent ${JSON.stringify(f.infrequent)}; expected a list of categories`);
      feature.infrequent = (f.infrequent as unknown[]).map((c, k) => categoryText(c, `${where} infrequent category ${k}`, fail));
      for (const c of feature.infrequent) {
        if (known.has(c)) fail(`${where} lists '${c}' as infrequent and as a category`);
        known.add(c);
      }
    }
  }
  if (f.impute !== undefined) {
    feature.impute = categoryText(f.impute, `${where} impute`, fail);
    if (!known.has(feature.impute)) fail(`${where} imputes '${feature.impute}', which is not one of its categories`);
  }
  return { ...feature, columns: [start, start + categoricalWidth(feature)] } as CategoricalFeature;
}
