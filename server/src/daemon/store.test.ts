import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_STORE_BYTES, ResultsStore, STORE_DIR, STORE_FILE } from './store';
import { tmpDir } from '../../test/helpers';

const checkpoint = (name: string, order: number, hash: string) => ({ dir: `/x/${name}`, file: `/x/${name}/model.json`, format: 'tfjs' as const, name, state: 'ready' as const, order, orderSource: 'epoch' as const, hash, metrics: { loss: 1 / order } });

describe('ResultsStore', () => {
  it('keeps results per checkpoint hash and step across reopening, with history in series order', async () => {
    const root = tmpDir('store');
    const a = await ResultsStore.open(root);
    a.noteCheckpoint(checkpoint('epoch-2', 2, 'h2'));
    a.noteCheckpoint(checkpoint('epoch-1', 1, 'h1'));
    a.put('h1', 'importance', 'k', { share: [0.25, 0.75] });
    a.put('h2', 'importance', 'k', { share: [0.5, 0.5] });
    a.put('h2', 'predictions', 'k', { n: 3 });
    a.close();
    const b = await ResultsStore.open(root);
    expect(b.rebuiltBecause).toBeUndefined();
    expect(b.get('h2', 'predictions', 'k')?.value).toEqual({ n: 3 });
    expect(b.get('h2', 'predictions', 'other')).toBeUndefined();
    expect(b.history<{ share: number[] }>('importance').map((h) => [h.checkpoint.name, h.value.share[0]])).toEqual([['epoch-1', 0.25], ['epoch-2', 0.5]]);
    expect(b.checkpoints()[1]!.metrics).toEqual({ loss: 0.5 });
    b.close();
    expect(fs.readdirSync(path.join(root, STORE_DIR)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('has() tells whether a result is stored for exactly that hash, step and input key', async () => {
    const s = await ResultsStore.open(tmpDir('store'));
    s.put('h1', 'importance', 'k', { share: [1] });
    expect(s.has('h1', 'importance', 'k')).toBe(true);
    expect([s.has('h1', 'importance', 'other'), s.has('h2', 'importance', 'k'), s.has('h1', 'drift', 'k')]).toEqual([false, false, false]);
    s.close();
    expect(s.has('h1', 'importance', 'k')).toBe(false);
  });

  it('rebuilds a corrupt file instead of failing', async () => {
    const root = tmpDir('store');
    fs.mkdirSync(path.join(root, STORE_DIR));
    fs.writeFileSync(path.join(root, STORE_DIR, STORE_FILE), 'this is not a database, just garbage bytes '.repeat(20));
    const s = await ResultsStore.open(root);
    expect(s.rebuiltBecause).toMatch(/unreadable/);
    s.put('h', 'importance', 'k', { ok: true });
    s.close();
    expect((await ResultsStore.open(root)).get('h', 'importance', 'k')?.value).toEqual({ ok: true });
    expect(fs.existsSync(path.join(root, STORE_DIR, `${STORE_FILE}.broken`))).toBe(true);
  });

  it('keeps run assignments across reopening, in the order made', async () => {
    const root = tmpDir('store');
    const a = await ResultsStore.open(root, { flushMs: 1 });
    a.putRun({ hash: 'h2', run: 'run-b', name: 'e1', seq: 2, assigned: true });
    a.putRun({ hash: 'h1', run: 'alpha', name: 'e1', seq: 1, assigned: false });
    a.close();
    const b = await ResultsStore.open(root);
    expect(b.rebuiltBecause).toBeUndefined();
    expect(b.runRecords()).toEqual([
      { hash: 'h1', run: 'alpha', name: 'e1', seq: 1, assigned: false },
      { hash: 'h2', run: 'run-b', name: 'e1', seq: 2, assigned: true },
    ]);
    b.close();
  });

  it('adds the runs table to a database written before it existed, keeping its results', async () => {
    const root = tmpDir('store');
    const a = await ResultsStore.open(root);
    a.put('h', 'importance', 'k', { share: [1] });
    (a as unknown as { db: { exec(q: string): void } }).db.exec('DROP TABLE runs');
    a.close();
    const b = await ResultsStore.open(root);
    expect(b.rebuiltBecause).toBeUndefined();
    expect(b.get('h', 'importance', 'k')?.value).toEqual({ share: [1] });
    expect(b.runRecords()).toEqual([]);
    b.putRun({ hash: 'h', run: 'r', name: 'e1', seq: 1, assigned: true });
    expect(b.runRecords()).toHaveLength(1);
    b.close();
  });

  it('rebuilds a store of another schema version', async () => {
    const root = tmpDir('store');
    const s = await ResultsStore.open(root);
    s.put('h', 'x', 'k', 1);
    (s as unknown as { db: { exec(q: string): void } }).db.exec('PRAGMA user_version = 99');
    s.close();
    const t = await ResultsStore.open(root);
    expect(t.rebuiltBecause).toMatch(/store version 99, expected 1/);
    expect(t.get('h', 'x', 'k')).toBeUndefined();
    t.close();
  });
});

describe('ResultsStore faults', () => {
  const fileOf = (root: string) => path.join(root, STORE_DIR, STORE_FILE);
  const raw = (s: ResultsStore) => (s as unknown as { db: { run(q: string, p?: unknown[]): void } }).db;

  it('creates .glassbox 0700 and the file 0600, replacing a symlink at the destination without following it', async () => {
    const root = tmpDir('store');
    const target = path.join(tmpDir('store-target'), 'victim');
    fs.writeFileSync(target, 'keep me');
    fs.mkdirSync(path.join(root, STORE_DIR));
    fs.chmodSync(path.join(root, STORE_DIR), 0o755);
    fs.symlinkSync(target, fileOf(root));
    const s = await ResultsStore.open(root, { flushMs: 1 });
    s.put('h', 'x', 'k', 1);
    s.close();
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(fileOf(root)).isFile()).toBe(true);
    expect(fs.statSync(fileOf(root)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(root, STORE_DIR)).mode & 0o777).toBe(0o700);
    expect((await ResultsStore.open(root)).get('h', 'x', 'k')?.value).toBe(1);
  });

  it('keeps working in memory when .glassbox is a regular file or a symlink, saying why', async () => {
    for (const make of [(d: string) => fs.writeFileSync(d, 'x'), (d: string) => fs.symlinkSync(tmpDir('elsewhere'), d)]) {
      const root = tmpDir('store');
      make(path.join(root, STORE_DIR));
      const s = await ResultsStore.open(root, { flushMs: 1 });
      expect(s.problem).toMatch(/\.glassbox (is not a folder|is a symbolic link)/);
      s.put('h', 'x', 'k', { v: 2 });
      expect(s.get('h', 'x', 'k')?.value).toEqual({ v: 2 });
      s.close();
    }
  });

  it('reports a failed flush, retries it later, and clears the problem once written', async () => {
    const root = tmpDir('store');
    const problems: Array<string | undefined> = [];
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const s = await ResultsStore.open(root, {
      flushMs: 1,
      retryMs: 20,
      onProblem: (p) => {
        problems.push(p);
        if (p === undefined) wrote();
      },
    });
    // The destination replaced by a folder: the rename fails (EISDIR), as on a read-only or full disk.
    fs.mkdirSync(fileOf(root));
    let failed!: () => void;
    const failing = new Promise<void>((resolve) => (failed = resolve));
    const poll = setInterval(() => s.problem && failed(), 1);
    s.put('h', 'x', 'k', 3);
    await failing;
    clearInterval(poll);
    expect(s.problem).toMatch(/could not be written .*results\.sqlite.*retrying/);
    fs.rmdirSync(fileOf(root));
    await written;
    expect(s.problem).toBeUndefined();
    expect(problems[0]).toMatch(/could not be written/);
    s.close();
    expect((await ResultsStore.open(root)).get('h', 'x', 'k')?.value).toBe(3);
  });

  it('skips one non-JSON result or checkpoint row and keeps every other', async () => {
    const root = tmpDir('store');
    const s = await ResultsStore.open(root);
    s.noteCheckpoint(checkpoint('epoch-1', 1, 'h1'));
    s.noteCheckpoint(checkpoint('epoch-2', 2, 'h2'));
    s.noteCheckpoint(checkpoint('epoch-3', 3, 'h3'));
    for (const h of ['h1', 'h2', 'h3']) s.put(h, 'importance', 'k', { h });
    raw(s).run("UPDATE results SET value = '{not json' WHERE hash = 'h2'");
    raw(s).run("UPDATE checkpoints SET metrics = 'NaN]' WHERE hash = 'h3'");
    s.close();
    const t = await ResultsStore.open(root);
    expect(t.rebuiltBecause).toBeUndefined();
    expect(t.get('h1', 'importance', 'k')?.value).toEqual({ h: 'h1' });
    expect(t.get('h2', 'importance', 'k')).toBeUndefined();
    expect(t.checkpoints().map((c) => [c.name, c.metrics])).toEqual([['epoch-1', { loss: 1 }], ['epoch-2', { loss: 0.5 }], ['epoch-3', {}]]);
    expect(t.history<{ h: string }>('importance').map((h) => h.value.h)).toEqual(['h1', 'h3']);
    expect(t.skippedRows).toBe(2);
    t.close();
  });

  const corruptions: Array<[string, (file: string) => Promise<void> | void]> = [
    ['garbage bytes', (f) => fs.writeFileSync(f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)))],
    ['a truncated file', (f) => fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 1500))],
    ['an empty file', (f) => fs.writeFileSync(f, '')],
    [
      'a valid database with another schema at the same version',
      async (f) => {
        const other = await ResultsStore.open(tmpDir('store-other'));
        const db = (other as unknown as { db: { exec(q: string): void; export(): Uint8Array } }).db;
        db.exec('DROP TABLE results; CREATE TABLE results (id INTEGER PRIMARY KEY, blob BLOB);');
        fs.writeFileSync(f, db.export());
      },
    ],
    ['a symlink', (f) => { fs.rmSync(f); fs.symlinkSync('/etc/hostname', f); }],
    ['a file over the size limit (sparse, never read)', (f) => fs.truncateSync(f, MAX_STORE_BYTES + 1)],
  ];
  for (const [name, corrupt] of corruptions) {
    it(`moves ${name} aside to results.sqlite.broken and rebuilds`, async () => {
      const root = tmpDir('store');
      const s = await ResultsStore.open(root);
      for (let i = 0; i < 40; i++) s.put(`h${i}`, 'importance', 'k', { i, pad: 'x'.repeat(100) });
      s.close();
      await corrupt(fileOf(root));
      const t = await ResultsStore.open(root, { flushMs: 1 });
      expect(t.rebuiltBecause).toMatch(/unreadable|schema|symbolic link/);
      expect(fs.lstatSync(`${fileOf(root)}.broken`)).toBeTruthy();
      t.put('h', 'importance', 'k', { ok: true });
      t.close();
      const u = await ResultsStore.open(root);
      expect(u.rebuiltBecause).toBeUndefined();
      expect(u.get('h', 'importance', 'k')?.value).toEqual({ ok: true });
      u.close();
    });
  }

  it('ignores writes after close (an analysis finishing during shutdown)', async () => {
    const s = await ResultsStore.open(tmpDir('store'));
    s.close();
    expect(() => s.put('h', 'x', 'k', 1)).not.toThrow();
    expect(() => s.noteCheckpoint(checkpoint('e', 1, 'h'))).not.toThrow();
    expect(() => s.addMetrics(1, { loss: 1 })).not.toThrow();
    expect(s.get('h', 'x', 'k')).toBeUndefined();
    expect(s.history('x')).toEqual([]);
    expect(() => s.close()).not.toThrow();
  });
});
