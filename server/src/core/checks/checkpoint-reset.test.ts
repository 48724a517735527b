import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, tfl } from '../engine/tf';
import { loadLayersModel, saveCheckpoint } from '../model/io';
import { Project } from '../project';
import { checkOptions, createCheckContext } from './context';
import { runChecks } from './registry';
import { anchorProject, ANCHORS, DATA, tmpDir } from '../../../test/helpers';

async function runReset(project: Project) {
  const checkpoint = project.latestCheckpoint();
  const model = await project.model(checkpoint, { allowNonFinite: true });
  const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
  const report = await runChecks(ctx, { only: ['checkpoint-reset'] });
  await project.dispose();
  return report.results[0]!;
}

type Edit = (model: tfl.LayersModel) => [tfl.layers.Layer, tf.Tensor[]];

/**
 * The reference series plus epoch-6, epoch-7, ...: each the epoch-5 model with one edit applied
 * (the layer and its new weights).
 */
async function seriesWith(edits: Edit[]) {
  const dir = tmpDir('reset');
  const series = path.join(dir, 'checkpoints');
  fs.cpSync(path.join(ANCHORS, 'adult-mlp/checkpoints'), series, { recursive: true });
  for (const [i, edit] of edits.entries()) {
    const { model } = await loadLayersModel(path.join(series, 'epoch-5'));
    const [layer, weights] = edit(model);
    layer.setWeights(weights);
    tf.dispose(weights);
    await saveCheckpoint(model, path.join(series, `epoch-${6 + i}`), { epoch: 6 + i, learningRate: 0.001 });
    model.dispose();
  }
  const config = {
    data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: path.join(DATA, 'adult_test.csv') },
    label: 'income',
    encoding: path.join(ANCHORS, 'encoding.json'),
    checkpoints: { path: 'checkpoints' },
    model: { output: 'logits' },
  };
  fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify(config));
  return { dir, series };
}

describe('re-initialised checkpoint detector', () => {
  it('passes the reference training series (no false alarm)', async () => {
    const r = await runReset(await anchorProject());
    expect(r.status).toBe('pass');
    const pairs = r.details!.pairs as Array<{ agreement: number; layers: Array<{ cosine: number }> }>;
    expect(pairs).toHaveLength(4);
    for (const p of pairs) {
      expect(p.agreement).toBeGreaterThan(0.9);
      for (const l of p.layers) expect(l.cosine).toBeGreaterThan(0.8);
    }
  });

  it('names the layer of a checkpoint whose top layer was re-initialised', async () => {
    const { dir, series } = await seriesWith([
      (model) => {
        const top = model.getLayer('dense_3');
        const [kernel, bias] = top.getWeights();
        return [top, [tfl.initializers.glorotUniform({ seed: 11 }).apply(kernel!.shape), tf.zerosLike(bias!)]];
      },
    ]);
    const r = await runReset(Project.open(path.join(dir, 'glassbox.json')));
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.subject).toBe('epoch-6');
    expect(f.location!.file).toBe(path.join(series, 'epoch-6', 'model.json'));
    expect(f.metric).toBe('kernel cosine to predecessor');
    expect(Math.abs(f.measured)).toBeLessThan(0.3);
    const layers = (f.details!.layers as Array<{ layer: string; cosine: number; normBefore: number; normAfter: number; normInit: number }>);
    const reset = layers.filter((l) => l.cosine < 0.3).map((l) => l.layer);
    expect(reset).toEqual(['dense_3']);
    const d3 = layers.find((l) => l.layer === 'dense_3')!;
    // The new norm is the Glorot scale (uniform on ±sqrt(6/66): std sqrt(2/66), 128 weights).
    expect(d3.normAfter).toBeCloseTo(d3.normInit, 0);
    expect(d3.normInit).toBeCloseTo(Math.sqrt(2 / 66) * Math.sqrt(128), 6);
    expect(f.message).toMatch(/epoch-6 looks re-initialised relative to epoch-5: layer 'dense_3' \[64,2\]/);
    expect(f.evidence).toHaveLength(5);
  });

  it('flags collapsed predictions and non-finite weights', async () => {
    const { dir } = await seriesWith([
      // Output bias pushed to class 1: every prediction flips to >50K, kernels unchanged.
      (model) => {
        const top = model.getLayer('dense_3');
        return [top, [top.getWeights()[0]!.clone(), tf.tensor1d([-20, 20])]];
      },
      // One NaN in the first kernel.
      (model) => {
        const first = model.getLayer('dense_1');
        const [k, b] = first.getWeights();
        const data = k!.dataSync().slice();
        data[5] = NaN;
        return [first, [tf.tensor(data, k!.shape), b!.clone()]];
      },
    ]);
    const r = await runReset(Project.open(path.join(dir, 'glassbox.json')));
    expect(r.findings.map((f) => [f.subject, f.metric])).toEqual([
      ['epoch-6', 'prediction agreement'],
      ['epoch-7', 'non-finite weights'],
    ]);
    const [collapse, corrupt] = r.findings;
    expect(collapse!.message).toMatch(/epoch-6 collapsed relative to epoch-5: predictions agree on \d+\.\d% of 2000 training rows, training loss/);
    expect(collapse!.measured).toBeLessThan(0.5);
    expect(corrupt!.message).toMatch(/epoch-7 is corrupted relative to epoch-6: layer 'dense_1' has 1 non-finite weights; .*training loss [\d.]+ -> NaN/);
    expect(corrupt!.measured).toBe(1);
  });
});
