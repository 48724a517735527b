/**
 * Reads a fitted encoding stored as JSON: Glassbox's own `Encoding`, or the common
 * `{features: [{name, type, mean, std, categories, columns}]}` layout other tools write (the
 * reference encoding in the anchors uses it). Missing fields take the documented defaults.
 */
import * as fs from 'node:fs';
import { GlassboxError } from '../errors';
import { DEFAULT_MISSING, type EncodedFeature, type Encoding } from './encoding';

interface LooseFeature {
  name?: unknown;
  type?: unknown;
  mean?: unknown;
  std?: unknown;
  transform?: unknown;
  categories?: unknown;
  unknown?: unknown;
  columns?: unknown;
}

export function readEncodingFile(file: string): Encoding {
  let json: { features?: LooseFeature[]; ignored?: string[]; missing?: string[] };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GlassboxError('config', `cannot read the encoding: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(json.features)) throw new GlassboxError('config', "the encoding has no 'features' array", { file });
  let width = 0;
  const features: EncodedFeature[] = json.features.map((f, i) => {
    const where = `features[${i}]`;
    if (typeof f.name !== 'string') throw new GlassboxError('config', `${where} has no name`, { file });
    let feature: EncodedFeature;
    if (f.type === 'numeric') {
      const transform = f.transform === 'none' ? 'none' : 'standardize';
      if (transform === 'standardize' && (typeof f.mean !== 'number' || typeof f.std !== 'number')) {
        throw new GlassboxError('config', `${where} ('${f.name}') is standardised but has no numeric mean and std`, { file });
      }
      feature = { name: f.name, type: 'numeric', transform, mean: Number(f.mean ?? 0), std: Number(f.std ?? 1), columns: [width, width + 1] };
    } else if (f.type === 'categorical') {
      if (!Array.isArray(f.categories)) throw new GlassboxError('config', `${where} ('${f.name}') is categorical but has no categories`, { file });
      const unknown = f.unknown === 'column' ? 'column' : 'zeros';
      const n = f.categories.length + (unknown === 'column' ? 1 : 0);
      feature = { name: f.name, type: 'categorical', categories: f.categories.map(String), unknown, columns: [width, width + n] };
    } else {
      throw new GlassboxError('config', `${where} ('${f.name}') has type ${JSON.stringify(f.type)}; expected "numeric" or "categorical"`, { file });
    }
    if (Array.isArray(f.columns) && (f.columns[0] !== feature.columns[0] || f.columns[1] !== feature.columns[1])) {
      throw new GlassboxError('config', `${where} ('${f.name}') says columns [${f.columns.join(', ')}) but its position gives [${feature.columns.join(', ')})`, { file });
    }
    width = feature.columns[1];
    return feature;
  });
  return { features, ignored: json.ignored ?? [], missing: json.missing ?? DEFAULT_MISSING, width };
}
