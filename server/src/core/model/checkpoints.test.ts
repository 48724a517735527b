import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanCheckpoints, inspectCheckpoint } from './checkpoints';
import { saveCheckpoint, loadLayersModel } from './io';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { tmpDir, ANCHORS } from '../../../test/helpers';

function tinyModel(seed = 1): tfl.Sequential {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed }) })] });
}

describe('checkpoint series', () => {
  beforeAll(() => initEngine());

  it('orders by metadata epoch, not by name or creation time', async () => {
    const dir = tmpDir('series');
    const m = tinyModel();
    // Written out of order, with names that sort wrongly as text.
    for (const e of [10, 2, 1]) await saveCheckpoint(m, path.join(dir, `run-${e}`), { epoch: e, learningRate: 0.01 });
    const series = scanCheckpoints(dir);
    expect(series.map((c) => [c.name, c.epoch, c.orderSource])).toEqual([
      ['run-1', 1, 'epoch'],
      ['run-2', 2, 'epoch'],
      ['run-10', 10, 'epoch'],
    ]);
    expect(series.every((c) => c.state === 'ready' && c.learningRate === 0.01 && c.hash?.length === 64)).toBe(true);
    m.dispose();
  });

  it('prefers step over epoch, falls back to the number in the name, and skips temporary directories', async () => {
    const dir = tmpDir('series2');
    const m = tinyModel();
    await saveCheckpoint(m, path.join(dir, 'a'), { epoch: 1, step: 300 });
    await saveCheckpoint(m, path.join(dir, 'b'), { epoch: 1, step: 200 });
    expect(scanCheckpoints(dir).map((c) => c.name)).toEqual(['b', 'a']);

    const byName = tmpDir('series3');
    await saveCheckpoint(m, path.join(byName, 'ckpt-12'), {});
    await saveCheckpoint(m, path.join(byName, 'ckpt-3'), {});
    fs.cpSync(path.join(byName, 'ckpt-3'), path.join(byName, 'ckpt-99.tmp'), { recursive: true });
    expect(scanCheckpoints(byName).map((c) => [c.name, c.orderSource])).toEqual([
      ['ckpt-3', 'name'],
      ['ckpt-12', 'name'],
    ]);
    m.dispose();
  });

  it('reads the reference series in epoch order', () => {
    const series = scanCheckpoints(path.join(ANCHORS, 'adult-mlp/checkpoints'));
    expect(series.map((c) => c.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(series[0]!.learningRate).toBe(0.001);
  });
});

describe('half-written checkpoints', () => {
  let good: string;
  beforeAll(async () => {
    await initEngine();
    good = path.join(tmpDir('good'), 'epoch-1');
    await saveCheckpoint(tinyModel(), good, { epoch: 1 });
  });
  const copy = () => {
    const dir = path.join(tmpDir('half'), 'epoch-2');
    fs.cpSync(good, dir, { recursive: true });
    return dir;
  };

  it('flags a truncated model.json as incomplete', () => {
    const dir = copy();
    const text = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'model.json'), text.slice(0, text.length / 2));
    expect(inspectCheckpoint(dir)).toMatchObject({ state: 'incomplete', problem: expect.stringMatching(/not valid JSON/) });
  });

  it('flags a missing or short weight shard as incomplete', () => {
    const missing = copy();
    fs.rmSync(path.join(missing, 'weights.bin'));
    expect(inspectCheckpoint(missing)).toMatchObject({ state: 'incomplete', problem: expect.stringMatching(/weights.bin .* missing/) });
    const short = copy();
    const bytes = fs.readFileSync(path.join(short, 'weights.bin'));
    fs.writeFileSync(path.join(short, 'weights.bin'), bytes.subarray(0, bytes.length - 4));
    expect(inspectCheckpoint(short)).toMatchObject({ state: 'incomplete', problem: 'weight shards hold 28 bytes, the manifest needs 32' });
  });

  it('never loads an incomplete checkpoint, and the series keeps the good one as latest', async () => {
    const dir = copy();
    fs.truncateSync(path.join(dir, 'weights.bin'), 8);
    await expect(loadLayersModel(dir)).rejects.toThrow(/not loadable: weight shards hold 8 bytes/);
    const parent = path.dirname(dir);
    fs.cpSync(good, path.join(parent, 'epoch-1'), { recursive: true });
    const series = scanCheckpoints(parent);
    expect(series.map((c) => [c.name, c.state])).toEqual([
      ['epoch-1', 'ready'],
      ['epoch-2', 'incomplete'],
    ]);
  });

  it('save then load round-trips the weights', async () => {
    const { model } = await loadLayersModel(good);
    const original = tinyModel();
    const x = tf.tensor2d([[1, 2, 3]]);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((original.predict(x) as tf.Tensor).dataSync()));
    tf.dispose([x]);
    model.dispose();
    original.dispose();
  });
});
