/**
 * Reads any tree-ensemble file Glassbox knows, by content (docs/model-formats.md "Tree ensembles"):
 * LightGBM text (`tree` on the first line), glassbox-trees JSON (`"format": "glassbox-trees"`),
 * XGBoost JSON or UBJSON (everything else that opens with `{`).
 */
import * as fs from 'node:fs';
import { GlassboxError } from '../../errors';
import { parseGlassboxTrees } from './glassbox-trees';
import { parseLightGBM } from './lightgbm';
import type { TreeEnsemble } from './types';
import { parseXGBoost } from './xgboost';

export function readTreeEnsemble(file: string): TreeEnsemble {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new GlassboxError('model', `cannot read the tree model: ${(e as Error).message}`, { file });
  }
  const head = bytes.subarray(0, 4096).toString('latin1');
  if (/^tree\r?\n/.test(head)) return parseLightGBM(bytes.toString('utf8'), file);
  if (/^\s*\{\s*"format"\s*:\s*"glassbox-trees"/.test(head) || /"format"\s*:\s*"glassbox-trees"/.test(head)) {
    return parseGlassboxTrees(bytes.toString('utf8'), file);
  }
  if (/^\s*\{/.test(head)) return parseXGBoost(bytes, file);
  throw new GlassboxError('model', 'not a tree model Glassbox reads (XGBoost JSON/UBJSON, LightGBM text, glassbox-trees JSON)', { file });
}
