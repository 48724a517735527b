/**
 * Reading `glassbox.json`: JSON with comments, validated against the JSON Schema that ships with
 * the extension. Every error names the exact key and its line, and a misspelt key gets a
 * suggestion.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { createScanner, findNodeAtLocation, parseTree, getNodeValue, type Node, type ParseError, printParseErrorCode } from 'jsonc-parser';
import schemaJson from '../../../../schemas/glassbox.schema.json';
import { echo, GlassboxError, isGlassboxError, type SourceLocation } from '../errors';
import { assertReadableFile, MiB } from '../util/files';
import { suggest } from '../data/schema';
import type { DeclaredColumn, SchemaDeclaration, Task } from '../data/schema';
import type { OutputKind } from '../model/model';
import type { UnknownPolicy } from '../data/encoding';

export const CONFIG_FILE = 'glassbox.json';

export type MonotonicDirection = 'increasing' | 'decreasing';

export interface RawConfig {
  task?: Task;
  data: { train: string; reference?: string; test?: string; allowOutsideProject?: boolean };
  label: string;
  classes?: string[];
  classNames?: string[];
  features?: Record<string, Omit<DeclaredColumn, 'location'>>;
  inferFeatures?: boolean;
  missing?: string[];
  unknownCategory?: UnknownPolicy;
  encoding?: string;
  checkpoints: { path: string; learningRate?: number };
  model?: { output?: OutputKind };
  protected?: string[];
  expectations?: {
    irrelevant?: Array<string | { feature: string; maxShare?: number }>;
    monotonic?: Record<string, MonotonicDirection | { direction: MonotonicDirection; maxViolationRate?: number; tolerance?: number }>;
    expectedTop?: { features: string[]; k?: number };
    protectedMaxShare?: number;
    protected?: { features?: string[]; epsilon?: number; maxRowRate?: number };
  };
  checks?: {
    severity?: Record<string, 'error' | 'warning' | 'off'>;
    methods?: string[];
    importanceMethod?: string;
    sampleSize?: number;
    seed?: number;
    labelSuspects?: { maxProbability?: number; topFraction?: number; minNoiseRate?: number };
    oodReference?: { alpha?: number; maxRate?: number };
    protectedInfluence?: { rows?: number; k?: number; maxOverRepresentation?: number };
  };
  drift?: {
    metric?: 'psi' | 'js' | 'ks' | 'wasserstein';
    bins?: number;
    thresholds?: { drift?: number; importance?: number };
    timestamp?: string;
    chunkSize?: number;
    importanceMethod?: string;
    importanceRows?: number;
  };
}

export interface Config {
  file: string;
  root: string;
  raw: RawConfig;
  /** Absolute data paths. */
  data: { train: string; reference?: string; test?: string };
  checkpoints: string;
  /** Line/column of any JSON path in the file, for diagnostics. */
  locate(jsonPath: Array<string | number>): SourceLocation;
  /**
   * Where the config names the data file `file` (its `data.<role>` key), so a problem with the
   * file itself (missing, not a regular file) is shown on the line that can fix it.
   */
  dataLocation(file: string): SourceLocation | undefined;
  declaration: SchemaDeclaration;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schemaJson);

/** Largest glassbox.json read (a real one is a few KiB). */
export const MAX_CONFIG_BYTES = 4 * MiB;
/**
 * Deepest nesting of arrays and objects accepted. The schema needs 5; the parser and validator
 * recurse per level, so a file nested 100,000 deep would overflow the stack.
 */
export const MAX_CONFIG_DEPTH = 64;

export function loadConfig(file: string): Config {
  if (!fs.existsSync(file)) throw new GlassboxError('config', `no ${CONFIG_FILE} here (run 'glassbox init' or create one; see README)`, { file });
  assertReadableFile(file, { maxBytes: MAX_CONFIG_BYTES, what: CONFIG_FILE, code: 'config' });
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new GlassboxError('config', `${CONFIG_FILE} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  return parseConfig(text, file);
}

/**
 * Parses and validates the text of a glassbox.json. Throws only `GlassboxError`s located in
 * `file`, whatever the text: bad JSON, nesting beyond `MAX_CONFIG_DEPTH`, values of the wrong type
 * or shape anywhere.
 */
export function parseConfig(text: string, file: string): Config {
  try {
    return parseConfigUnchecked(text, file);
  } catch (e) {
    if (isGlassboxError(e)) throw e;
    // The schema should make every later step safe; if a shape still slips through, the user gets
    // a located one-line error rather than a crash of the CLI or the daemon.
    throw new GlassboxError('config', `${CONFIG_FILE} could not be read: ${(e as Error)?.message ?? String(e)}`, { file, line: 1, column: 1 });
  }
}

function parseConfigUnchecked(text: string, file: string): Config {
  const lineOf = lineIndex(text);
  const tooDeep = firstOffsetDeeperThan(text, MAX_CONFIG_DEPTH);
  if (tooDeep !== undefined) {
    throw new GlassboxError('config', `invalid JSON: nested deeper than ${MAX_CONFIG_DEPTH} levels`, { file, ...lineOf(tooDeep) });
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    const e = errors[0];
    const pos = e ? lineOf(e.offset) : { line: 1, column: 1 };
    throw new GlassboxError('config', `invalid JSON: ${e ? printParseErrorCode(e.error) : 'empty file'}`, { file, ...pos });
  }
  const raw = getNodeValue(tree) as RawConfig;
  const locate = (jsonPath: Array<string | number>): SourceLocation => {
    // Point at the key (more useful than the value) when the path ends in a property.
    for (let i = jsonPath.length; i >= 0; i--) {
      const node = findNodeAtLocation(tree, jsonPath.slice(0, i));
      if (node) {
        const target: Node = node.parent?.type === 'property' ? node.parent.children![0]! : node;
        return { file, ...lineOf(target.offset) };
      }
    }
    return { file, line: 1, column: 1 };
  };
  if (!validate(raw)) {
    throw configError(validate.errors ?? [], locate);
  }
  const root = path.dirname(path.resolve(file));
  const abs = (p: string) => path.resolve(root, p);
  const data: Config['data'] = { train: abs(raw.data.train) };
  if (raw.data.reference) data.reference = abs(raw.data.reference);
  if (raw.data.test) data.test = abs(raw.data.test);
  // Data is read from the project's folder unless the config says otherwise: a config cannot make
  // the daemon read (and show in hovers) files elsewhere on the machine by accident or by design.
  if (raw.data.allowOutsideProject !== true) {
    for (const role of ['train', 'reference', 'test'] as const) {
      const target = data[role];
      if (target && !isInside(root, target)) {
        throw new GlassboxError('config', `data.${role} '${echo(raw.data[role]!)}' is outside the project folder ${root}; move it in, or set "allowOutsideProject": true in "data"`, locate(['data', role]));
      }
    }
  }

  const columns: Record<string, DeclaredColumn> = {};
  for (const [name, col] of Object.entries(raw.features ?? {})) {
    const location = locate(['features', name]);
    if (col.type !== 'numeric' && col.transform) throw new GlassboxError('config', `'transform' applies to numeric features only, '${echo(name)}' is ${col.type}`, locate(['features', name, 'transform']));
    if (col.type !== 'categorical' && (col.categories || col.unknown)) throw new GlassboxError('config', `'categories' and 'unknown' apply to categorical features only, '${echo(name)}' is ${col.type}`, location);
    columns[name] = { ...col, location };
  }
  if (Object.hasOwn(columns, raw.label)) throw new GlassboxError('config', `'${echo(raw.label)}' is the label and cannot also be a feature`, locate(['features', raw.label]));
  const declaration: SchemaDeclaration = {
    label: raw.label,
    columns,
    inferRest: raw.inferFeatures ?? true,
  };
  if (raw.task) declaration.task = raw.task;
  if (raw.classes) declaration.classes = raw.classes;
  if (raw.missing) declaration.missing = raw.missing;
  if (raw.unknownCategory) declaration.unknown = raw.unknownCategory;
  const dataLocation = (target: string): SourceLocation | undefined => {
    const resolved = path.resolve(target);
    for (const role of ['train', 'reference', 'test'] as const) {
      if (data[role] === resolved) return locate(['data', role]);
    }
    return undefined;
  };
  return { file, root, raw, data, checkpoints: abs(raw.checkpoints.path), locate, dataLocation, declaration };
}

/**
 * Offset of the first `[` or `{` nested deeper than `max`, or undefined. Uses the parser's own
 * scanner (iterative), so strings and comments holding brackets are not counted.
 */
function firstOffsetDeeperThan(text: string, max: number): number | undefined {
  // jsonc-parser's SyntaxKind is an ambient const enum, which isolatedModules cannot read.
  const OPEN_BRACE = 1, CLOSE_BRACE = 2, OPEN_BRACKET = 3, CLOSE_BRACKET = 4, EOF = 17;
  const scanner = createScanner(text, false);
  let depth = 0;
  for (let kind: number = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      if (++depth > max) return scanner.getTokenOffset();
    } else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function configError(errors: ErrorObject[], locate: (p: Array<string | number>) => SourceLocation): GlassboxError {
  // Prefer the most specific error: unknown keys and bad values beat the oneOf summaries.
  const ranked = [...errors].sort((a, b) => score(b) - score(a));
  const e = ranked[0]!;
  const at = e.instancePath.split('/').slice(1).map(unescape);
  const where = at.length ? `'${echo(at.join('.'))}'` : 'the top level';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(propertiesAt(at));
      return new GlassboxError('config', `unknown key '${echo(key)}' in ${where}${suggest(key, known)}`, locate([...at, key]));
    }
    case 'required':
      return new GlassboxError('config', `${where} is missing the required key '${(e.params as { missingProperty: string }).missingProperty}'`, locate(at));
    case 'enum':
      return new GlassboxError('config', `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => echo(JSON.stringify(v))).join(', ')}`, locate(at));
    default:
      return new GlassboxError('config', `${where} ${e.message ?? 'is invalid'}`, locate(at));
  }
}

function score(e: ErrorObject): number {
  if (e.keyword === 'additionalProperties') return 3;
  if (e.keyword === 'required' || e.keyword === 'enum') return 2;
  if (e.keyword === 'oneOf' || e.keyword === 'anyOf') return 0;
  return 1 + e.instancePath.split('/').length * 0.01;
}

function unescape(s: string): string | number {
  const t = s.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** The schema's `properties` at a JSON path, for "did you mean" suggestions. */
function propertiesAt(at: Array<string | number>): Record<string, unknown> {
  type S = { properties?: Record<string, S>; additionalProperties?: S | boolean; $ref?: string; items?: S };
  const defs = (schemaJson as { definitions: Record<string, S> }).definitions;
  let node: S | undefined = schemaJson as S;
  for (const key of at) {
    if (!node) break;
    if (node.$ref) node = defs[node.$ref.split('/').pop()!];
    if (typeof key === 'number') node = node?.items;
    else node = node?.properties?.[key] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  if (node?.$ref) node = defs[node.$ref.split('/').pop()!];
  return node?.properties ?? {};
}

function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** Walks up from `start` to the nearest directory holding glassbox.json. */
export function findConfig(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Whether `target` is `root` or inside it, symlinks resolved where the path exists. */
function isInside(root: string, target: string): boolean {
  const real = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const rel = path.relative(real(root), real(target));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
