/**
 * House rules a reviewer should not have to check by hand: every module says what it is for in a
 * leading comment, and docs/protocol.md documents exactly the custom messages protocol/ declares
 * (a message added, renamed or removed in one place and not the other fails here).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'fixtures' && e.name !== 'test') walk(p);
      } else if (/\.tsx?$/.test(e.name) && !/\.(test|d)\.tsx?$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out;
}

describe('tidy', () => {
  it('every module starts with a comment saying what it is for', () => {
    const files = ['server/src', 'server/bench', 'client/src', 'webviews'].flatMap(sources);
    expect(files.length).toBeGreaterThan(200);
    const bare = files
      .filter((f) => !/^(#![^\n]*\n)?\s*(\/\*\*?|\/\/)/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(bare).toEqual([]);
  });

  it('docs/protocol.md documents exactly the messages protocol/ declares', () => {
    const dir = path.join(root, 'server/src/protocol');
    const declared = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/method = '(glassbox\/[A-Za-z]+)'/g)) declared.add(m[1]!);
    }
    const doc = fs.readFileSync(path.join(root, 'docs/protocol.md'), 'utf8');
    const headings = doc.split('\n').filter((l) => l.startsWith('#') || l.startsWith('| `glassbox/'));
    const documented = new Set(headings.flatMap((h) => [...h.matchAll(/`(glassbox\/[A-Za-z]+)`/g)].map((m) => m[1]!)));
    expect(declared.size).toBeGreaterThan(5);
    expect([...declared].filter((m) => !documented.has(m)).sort()).toEqual([]);
    expect([...documented].filter((m) => !declared.has(m)).sort()).toEqual([]);
  });
});
