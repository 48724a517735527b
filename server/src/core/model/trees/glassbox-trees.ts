/**
 * The `glassbox-trees` JSON (version 1): a direct serialisation of `TreeEnsemble`, written by
 * Glassbox's Python package for scikit-learn models. Field-by-field definition:
 * docs/model-formats.md "The glassbox-trees JSON".
 */
import * as fs from 'node:fs';
import { GlassboxError } from '../../errors';
import { type Tree, type TreeEnsemble, validateEnsemble } from './types';

const AGGREGATES = ['sum', 'mean'] as const;
const LINKS = ['identity', 'logistic', 'softmax', 'exp'] as const;
const DECISIONS = ['<', '<='] as const;

export function readGlassboxTrees(file: string): TreeEnsemble {
  return parseGlassboxTrees(fs.readFileSync(file, 'utf8'), file);
}

export function parseGlassboxTrees(text: string, file: string): TreeEnsemble {
  const fail = (msg: string): never => {
    throw new GlassboxError('model', msg, { file });
  };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return fail(`glassbox-trees model is not valid JSON (truncated?): ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || doc.format !== 'glassbox-trees') fail('not a glassbox-trees model (no "format": "glassbox-trees")');
  if (doc.version !== 1) fail(`glassbox-trees version ${String(doc.version)} is not supported (this Glassbox reads version 1)`);

  const field = <T>(o: Record<string, unknown>, key: string, where: string): T => {
    if (!(key in o)) fail(`glassbox-trees ${where}has no "${key}"`);
    return o[key] as T;
  };
  const oneOf = <T extends string>(v: unknown, allowed: readonly T[], key: string): T => {
    if (!allowed.includes(v as T)) fail(`glassbox-trees "${key}" must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
    return v as T;
  };
  const numArray = (v: unknown, key: string, where: string, n?: number): number[] => {
    if (!Array.isArray(v)) return fail(`glassbox-trees ${where}"${key}" is not an array`);
    if (n !== undefined && v.length !== n) fail(`glassbox-trees ${where}"${key}" has ${v.length} entries, expected ${n}`);
    return v.map((x) => {
      const num = typeof x === 'boolean' ? Number(x) : x;
      if (typeof num !== 'number') return fail(`glassbox-trees ${where}"${key}" holds a non-number`);
      return num;
    });
  };

  const rawTrees = field<unknown>(doc, 'trees', '');
  if (!Array.isArray(rawTrees)) return fail('glassbox-trees "trees" is not an array');
  const trees: Tree[] = rawTrees.map((raw, i) => {
    const where = `tree ${i} `;
    if (raw === null || typeof raw !== 'object') return fail(`glassbox-trees ${where}is not an object`);
    const t = raw as Record<string, unknown>;
    const left = numArray(field(t, 'left', where), 'left', where);
    const n = left.length;
    const arr = (key: string): number[] => numArray(field(t, key, where), key, where, n);
    const tree: Tree = {
      output: field<number>(t, 'output', where),
      decision: oneOf(field(t, 'decision', where), DECISIONS, 'decision'),
      left: Int32Array.from(left, (c) => (c < 0 ? -1 : c)),
      right: Int32Array.from(arr('right')),
      feature: Int32Array.from(arr('feature')),
      threshold: Float64Array.from(arr('threshold')),
      defaultLeft: Uint8Array.from(arr('defaultLeft'), (v) => (v ? 1 : 0)),
      value: Float64Array.from(arr('value')),
      cover: Float64Array.from(arr('cover')),
    };
    if (t.missing !== undefined) {
      tree.missing = Uint8Array.from(arr('missing'), (v) => {
        if (v !== 0 && v !== 1 && v !== 2) fail(`glassbox-trees ${where}"missing" holds ${v} (0, 1 or 2)`);
        return v;
      });
    }
    return tree;
  });

  const names = doc.featureNames;
  if (names !== undefined && !(Array.isArray(names) && names.every((s) => typeof s === 'string'))) {
    fail('glassbox-trees "featureNames" must be an array of strings');
  }
  const metadata = doc.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) fail('glassbox-trees "metadata" must be an object');
  const outputs = field<number>(doc, 'outputs', '');
  return validateEnsemble(
    {
      numFeatures: field<number>(doc, 'numFeatures', ''),
      outputs,
      baseScore: numArray(field(doc, 'baseScore', ''), 'baseScore', ''),
      trees,
      aggregate: oneOf(field(doc, 'aggregate', ''), AGGREGATES, 'aggregate'),
      link: oneOf(field(doc, 'link', ''), LINKS, 'link'),
      objective: String(field(doc, 'objective', '')),
      ...(names !== undefined ? { featureNames: names as string[] } : {}),
      metadata: metadata as Record<string, unknown>,
    },
    file,
  );
}
