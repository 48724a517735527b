import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore, STORE_DIR, STORE_FILE } from './store';
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
