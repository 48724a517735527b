/** The influence store: reuse, and rebuilding (never failing on) corrupt, old-format or other-data entries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine } from '../engine/backend';
import { tf } from '../engine/tf';
import { tmpDir } from '../../../test/helpers';
import { FileInfluenceStore } from './store';
import { dataKey, precomputeCheckpoint } from './precompute';
import type { DenseStack } from './gradients';

let dir: string;
let stack: DenseStack;
const data = { X: Float32Array.from({ length: 50 * 2 }, (_, i) => Math.sin(i)), y: Float32Array.from({ length: 50 }, (_, i) => i % 2), n: 50, width: 2 };

beforeAll(async () => {
  await initEngine();
  dir = tmpDir('store');
  stack = { layers: [{ name: 'd', kernel: tf.tensor2d([1, -1, 0.5, 2], [2, 2]), bias: tf.tensor1d([0, 0.1]), activation: 'linear' }], task: 'binary', outputWidth: 2 };
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  tf.dispose([stack.layers[0]!.kernel, stack.layers[0]!.bias!]);
});

describe('FileInfluenceStore', () => {
  it('reuses an entry, and rebuilds a corrupt, old-format or other-data one', () => {
    const store = new FileInfluenceStore(dir);
    const key = dataKey(data, 'binary');
    const first = precomputeCheckpoint(store, 'h1', stack, data, key, { chunk: 16 });
    expect(first.reused).toBe(false);
    const rows = Float32Array.from(first.stored.rowsAt(0, 50));
    // The fresh entry is served from the chunks kept while writing: the same numbers as read from disk.
    const reopened = store.open('h1', key)!;
    expect(Array.from(reopened.rowsAt(0, 50))).toEqual(Array.from(rows));
    expect(Array.from(reopened.norms)).toEqual(Array.from(first.stored.norms));
    expect(Array.from(reopened.loss)).toEqual(Array.from(first.stored.loss));
    expect(reopened.norms.length).toBe(50 * 2);
    expect(precomputeCheckpoint(store, 'h1', stack, data, key).reused).toBe(true);

    const entry = path.join(dir, 'h1');
    fs.writeFileSync(path.join(entry, 'factors.f32'), Buffer.alloc(10));
    const rebuilt = precomputeCheckpoint(store, 'h1', stack, data, key);
    expect(rebuilt.reused).toBe(false);
    expect(Array.from(rebuilt.stored.rowsAt(0, 50))).toEqual(Array.from(rows));

    const manifest = JSON.parse(fs.readFileSync(path.join(entry, 'manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(entry, 'manifest.json'), JSON.stringify({ ...manifest, format: 'glassbox-influence/0' }));
    expect(precomputeCheckpoint(store, 'h1', stack, data, key).reused).toBe(false);
    fs.writeFileSync(path.join(entry, 'manifest.json'), '{ not json');
    expect(precomputeCheckpoint(store, 'h1', stack, data, key).reused).toBe(false);

    const other = { ...data, y: Float32Array.from(data.y, (v) => 1 - v) };
    expect(precomputeCheckpoint(store, 'h1', stack, other, dataKey(other, 'binary')).reused).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['h1']); // no temporary directories left behind
  });

  it('streams rows from disk when an entry is larger than the resident budget', () => {
    const store = new FileInfluenceStore(dir, 0);
    const key = dataKey(data, 'binary');
    const streamed = precomputeCheckpoint(store, 'h2', stack, data, key, { chunk: 16 });
    const resident = new FileInfluenceStore(dir).open('h2', key)!;
    expect(streamed.stored.resident).toBe(false);
    expect(Array.from(streamed.stored.rowsAt(20, 10))).toEqual(Array.from(resident.rowsAt(20, 10)));
    streamed.stored.close();
  });
});
