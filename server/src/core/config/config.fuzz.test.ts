/**
 * Property: whatever the text of glassbox.json, `parseConfig` either returns a config or throws a
 * `GlassboxError` located in that file, and so do the readers of its blocks (drift options, check
 * options and severities). Inputs: random JSON, random JSONC (comments, trailing
 * commas, truncation), and random mutations of the demo's own glassbox.json (a value replaced by
 * any JSON value, unknown keys, keys removed, deep nesting).
 */
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseConfig } from './config';
import { GlassboxError } from '../errors';
import { driftOptionsFromConfig } from '../drift/options';
import { checkOptions } from '../checks/context';
import { checkIds, getCheck, severities } from '../checks/registry';
import { WORKSPACE } from '../../../test/helpers';

const FILE = '/project/glassbox.json';
const demo = JSON.parse(fs.readFileSync(path.join(WORKSPACE, 'glassbox.json'), 'utf8')) as Record<string, unknown>;

/** Runs `parseConfig` and returns what went wrong with the property, or undefined. */
function violation(text: string): string | undefined {
  try {
    const c = parseConfig(text, FILE);
    // A config that parses must be usable by what reads its blocks next (no data needed).
    c.locate(['data', 'train']);
    c.dataLocation(c.data.train);
    driftOptionsFromConfig(c);
    checkOptions(c);
    severities({ config: c }, checkIds().map(getCheck));
    return undefined;
  } catch (e) {
    if (!(e instanceof GlassboxError)) return `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
    if (e.location?.file !== FILE) return `GlassboxError without the file: ${e.format()}`;
    if (e.message.includes('\n') || e.message.length > 2000) return `message not one bounded line: ${e.message.slice(0, 100)}`;
    // parseConfig's last-resort net turns a crash into this message: the fuzz must not rely on it.
    if (e.message.startsWith('glassbox.json could not be read:')) return `crashed inside: ${e.message}`;
    return undefined;
  }
}

/** Every path to a value in `v`, objects and arrays alike. */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const demoPaths = paths(demo).filter((p) => p.length > 0);

type Mutation = { kind: 'known'; path: string[]; value: unknown } | { kind: 'set'; at: number; value: unknown } | { kind: 'delete'; at: number } | { kind: 'unknown'; at: number; key: string; value: unknown } | { kind: 'nest'; at: number; depth: number };

function mutate(base: unknown, mutations: Mutation[]): unknown {
  const doc = structuredClone(base) as Record<string, unknown>;
  for (const m of mutations) {
    if (m.kind === 'known') {
      // A key the schema knows, with a plausible value: reaches the readers of the blocks.
      let obj: any = doc;
      for (const k of m.path.slice(0, -1)) obj = obj[k] && typeof obj[k] === 'object' && !Array.isArray(obj[k]) ? obj[k] : (obj[k] = {});
      obj[m.path[m.path.length - 1]!] = m.value;
      continue;
    }
    const p = demoPaths[m.at % demoPaths.length]!;
    let parent: any = doc;
    for (const k of p.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') break;
      parent = parent[k];
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = p[p.length - 1]!;
    if (m.kind === 'set') parent[last] = m.value;
    else if (m.kind === 'delete') delete parent[last];
    else if (m.kind === 'unknown') {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value;
      else parent[m.key] = m.value;
    } else {
      let v: unknown = parent[last];
      for (let i = 0; i < m.depth; i++) v = i % 2 ? [v] : { [String(last)]: v };
      parent[last] = v;
    }
  }
  return doc;
}

const knownPath: fc.Arbitrary<string[]> = fc.constantFrom<string[]>(
  ['drift', 'importanceMethod'],
  ['drift', 'metric'],
  ['drift', 'bins'],
  ['drift', 'timestamp'],
  ['checks', 'importanceMethod'],
  ['checks', 'methods'],
  ['checks', 'severity', 'expected-top'],
  ['checks', 'severity', 'no-such-check'],
  ['checks', 'severity', 'constructor'],
  ['task'],
  ['features', 'age', 'type'],
  ['features', 'constructor'],
);
const plausible = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('saliency', 'integrated-gradients', 'kernel-shap', 'error', 'warning', 'off', 'psi', 'numeric', 'regression'), fc.integer({ min: -2, max: 50 }), fc.array(fc.constantFrom('saliency', 'x', ''), { maxLength: 3 }), fc.constantFrom({ type: 'numeric' }, { type: 'categorical', categories: ['a'] }));

const anyMutation: Array<fc.Arbitrary<Mutation>> = [
  fc.record({ kind: fc.constant('known' as const), path: knownPath, value: plausible as fc.Arbitrary<unknown> }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown> }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('unknown' as const), at: fc.nat(), key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty')), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown> }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 200 }) }),
];
// Known keys with plausible values keep the config valid often enough to reach the block readers.
const mutation: fc.Arbitrary<Mutation> = fc.oneof({ weight: 4, arbitrary: anyMutation[0]! }, ...anyMutation.slice(1).map((arbitrary) => ({ weight: 1, arbitrary })));

describe('glassbox.json parsing never fails with anything but a located GlassboxError', () => {
  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        expect(violation(JSON.stringify(v))).toBeUndefined();
      }),
      { numRuns: 400, seed: 12 },
    );
  });

  it('on random text and JSONC fragments (comments, trailing commas, truncation)', () => {
    const token = fc.constantFrom('{', '}', '[', ']', ',', ':', '"data"', '"label"', '"x"', '1e999', '-0', 'null', 'true', '/* c */', '// c\n', '\n', '"\\u0000"', '"\\ud800"', '\uFEFF');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(token, { maxLength: 80 }).map((t) => t.join(''))), (text) => {
        expect(violation(text)).toBeUndefined();
      }),
      { numRuns: 600, seed: 12 },
    );
  });

  it('on mutations of the demo glassbox.json: wrong types, unknown keys, removed keys, nesting', () => {
    // The unmutated demo parses: the mutations below start from a valid config.
    expect(() => parseConfig(JSON.stringify(demo), FILE)).not.toThrow();
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (ms, pretty) => {
        const doc = mutate(demo, ms);
        expect(violation(JSON.stringify(doc, null, pretty ? 2 : 0))).toBeUndefined();
      }),
      { numRuns: 600, seed: 12 },
    );
  });

  it('on nesting far beyond the stack: a one-line error at the offending bracket', () => {
    for (const depth of [65, 10_000, 200_000]) {
      const text = `{\n"data": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
      let err: unknown;
      try {
        parseConfig(text, FILE);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GlassboxError);
      // 64 levels: the top-level object plus 63 brackets; the 64th bracket (column 9 + 63) is too deep.
      expect((err as GlassboxError).format()).toBe(`${FILE}:2:${9 + 63}: invalid JSON: nested deeper than 64 levels`);
    }
    // Brackets inside strings and comments are not nesting.
    const quoted = `{ /* ${'['.repeat(1000)} */ "data": { "train": "${'['.repeat(1000)}" }, "label": "y", "checkpoints": { "path": "c" } }`;
    expect(parseConfig(quoted, FILE).raw.data.train).toBe('['.repeat(1000));
  });
});
