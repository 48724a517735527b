import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanCheckpoints, inspectCheckpoint } from './checkpoints';
import { saveCheckpoint, loadLayersModel } from './io';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { tmpDir, ANCHORS } from '../../../test/helpers';
import { onnx } from 'onnx-proto';

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

describe('checkpoints of unexpected shape', () => {
  beforeAll(() => initEngine());

  it('never throws on a manifest of unexpected shape and says what is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /holds null/],
      [[1, 2], /holds an array/],
      [{ modelTopology: {}, weightsManifest: [{}] }, /weightsManifest\[0\] needs 'paths' and 'weights'/],
      [{ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', dtype: 'float32' }] }] }, /weights\[0\] needs a name, a shape/],
      [{ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [-1], dtype: 'float32' }] }] }, /needs a name, a shape/],
      [{ modelTopology: {}, weightsManifest: [{ paths: [null], weights: [] }] }, /not a file name/],
      [{ modelTopology: {}, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }, /outside the checkpoint folder/],
    ];
    for (const [json, problem] of cases) {
      const dir = path.join(tmpDir('odd'), 'epoch-1');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      const info = inspectCheckpoint(dir);
      expect(info.state).toBe('invalid');
      expect(info.problem).toMatch(problem);
      expect(scanCheckpoints(path.dirname(dir))[0]!.state).toBe('invalid');
    }
  });

  it('says so when checkpoints.path names a file that is not a model', () => {
    const file = path.join(tmpDir('notdir'), 'notes.txt');
    fs.writeFileSync(file, 'hello');
    const [only] = scanCheckpoints(file);
    expect(only).toMatchObject({ state: 'invalid', problem: expect.stringMatching(/is a file but not a model Glassbox reads/) });
  });

  it('keeps the epoch order of finished checkpoints while one is half written', async () => {
    const dir = tmpDir('half-order');
    const m = tinyModel();
    for (const e of [1, 2, 3]) await saveCheckpoint(m, path.join(dir, `ckpt-${10 - e}`), { epoch: e });
    // Names count down while epochs count up: only the epoch order is right.
    fs.mkdirSync(path.join(dir, 'ckpt-0'));
    fs.writeFileSync(path.join(dir, 'ckpt-0', 'model.json'), '{"modelTopology": {"class_na');
    const series = scanCheckpoints(dir);
    expect(series.map((c) => [c.name, c.state])).toEqual([
      ['ckpt-9', 'ready'],
      ['ckpt-8', 'ready'],
      ['ckpt-7', 'ready'],
      ['ckpt-0', 'incomplete'],
    ]);
    m.dispose();
  });
});

describe('model formats in a series', () => {
  /** The smallest valid ONNX model: y = x (Identity), with metadata_props. */
  function onnxBytes(meta: Record<string, string>): Uint8Array {
    const g = onnx.GraphProto.create({
      name: 'g',
      node: [onnx.NodeProto.create({ opType: 'Identity', input: ['x'], output: ['y'], name: 'id' })],
      input: [onnx.ValueInfoProto.create({ name: 'x' })],
      output: [onnx.ValueInfoProto.create({ name: 'y' })],
    });
    const model = onnx.ModelProto.create({ irVersion: 8, graph: g, opsetImport: [{ domain: '', version: 13 }], metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })) });
    return onnx.ModelProto.encode(model).finish();
  }

  it('reads ONNX checkpoints with metadata_props and glassbox-meta.json, in step order', () => {
    const dir = tmpDir('onnx-series');
    for (const [name, step] of [['b', 200], ['a', 300]] as const) {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'model.onnx'), onnxBytes({ step: String(step), learning_rate: '0.01' }));
    }
    fs.writeFileSync(path.join(dir, 'a', 'glassbox-meta.json'), JSON.stringify({ epoch: 3, metrics: { loss: 0.25, note: 'x' }, runId: 'run-1' }));
    const series = scanCheckpoints(dir);
    expect(series.map((c) => [c.name, c.format, c.state, c.step])).toEqual([
      ['b', 'onnx', 'ready', 200],
      ['a', 'onnx', 'ready', 300],
    ]);
    expect(series[1]).toMatchObject({ epoch: 3, learningRate: 0.01, metrics: { loss: 0.25 }, runId: 'run-1', file: path.join(dir, 'a', 'model.onnx') });
  });

  it('takes model files named directly, and calls a truncated ONNX file incomplete', () => {
    const dir = tmpDir('onnx-files');
    const bytes = onnxBytes({ epoch: '1' });
    fs.writeFileSync(path.join(dir, 'epoch-1.onnx'), bytes);
    fs.writeFileSync(path.join(dir, 'epoch-2.onnx'), bytes.subarray(0, bytes.length - 7));
    const series = scanCheckpoints(dir);
    expect(series.map((c) => [c.name, c.state])).toEqual([
      ['epoch-1', 'ready'],
      ['epoch-2', 'incomplete'],
    ]);
    expect(scanCheckpoints(path.join(dir, 'epoch-1.onnx'))).toMatchObject([{ name: 'epoch-1', format: 'onnx', state: 'ready', epoch: 1 }]);
  });

  it('counts boosting rounds of tree models and waits for a LightGBM file to be complete', () => {
    const dir = tmpDir('trees');
    fs.mkdirSync(path.join(dir, 'r1'));
    const booster = { learner: { learner_model_param: { num_class: '3' }, gradient_booster: { model: { trees: new Array(12).fill({}) } } } };
    fs.writeFileSync(path.join(dir, 'r1', 'xgboost.json'), JSON.stringify(booster));
    expect(inspectCheckpoint(path.join(dir, 'r1'))).toMatchObject({ format: 'xgboost-json', state: 'ready', step: 4 });
    fs.mkdirSync(path.join(dir, 'r2'));
    const text = 'tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\n\nTree=0\nnum_leaves=1\n\nTree=1\nnum_leaves=1\n\nend of trees\n';
    fs.writeFileSync(path.join(dir, 'r2', 'lightgbm.txt'), text.slice(0, 40));
    expect(inspectCheckpoint(path.join(dir, 'r2'))).toMatchObject({ format: 'lightgbm', state: 'incomplete' });
    fs.writeFileSync(path.join(dir, 'r2', 'lightgbm.txt'), text);
    expect(inspectCheckpoint(path.join(dir, 'r2'))).toMatchObject({ format: 'lightgbm', state: 'ready', step: 2 });
  });
});
