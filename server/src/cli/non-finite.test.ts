/**
 * A checkpoint whose weights hold NaN (training diverged) is refused naming the layer wherever
 * outputs are shown, and still reaches the checks, which report it as corrupted.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANCHORS, REPO, tmpDir } from '../../test/helpers';
import { initEngine } from '../core/engine/backend';
import { Project } from '../core/project';
import { runCli } from './main';

describe('non-finite weights', () => {
  let root: string;
  beforeAll(async () => {
    await initEngine();
    root = tmpDir('nan-weights');
    fs.copyFileSync(path.join(ANCHORS, 'encoding.json'), path.join(root, 'encoding.json'));
    for (const e of [4, 5]) fs.cpSync(path.join(ANCHORS, `adult-mlp/checkpoints/epoch-${e}`), path.join(root, `checkpoints/epoch-${e}`), { recursive: true });
    // dense_1/kernel comes first in the shard: its third value becomes NaN.
    const shard = path.join(root, 'checkpoints/epoch-5/weights.bin');
    const bytes = fs.readFileSync(shard);
    bytes.writeFloatLE(NaN, 8);
    fs.writeFileSync(shard, bytes);
    const data = path.join(REPO, 'test-workspace/data');
    const config = { data: { allowOutsideProject: true, train: path.join(data, 'adult_train.csv'), test: path.join(data, 'adult_test.csv') }, label: 'income', encoding: 'encoding.json', checkpoints: { path: 'checkpoints' }, model: { output: 'logits' } };
    fs.writeFileSync(path.join(root, 'glassbox.json'), JSON.stringify(config));
  });

  it('refuses the model naming the layer, unless the caller reports corruption itself', async () => {
    const project = Project.open(path.join(root, 'glassbox.json'));
    const latest = project.latestCheckpoint();
    const err = await project.model(latest).catch((e) => e);
    expect(err.message).toMatch(/^checkpoint epoch-5: layer 'dense_1' holds 1 non-finite weight \(NaN or Inf\)/);
    expect(err.location.file).toBe(path.join(root, 'checkpoints/epoch-5/model.json'));
    const model = await project.model(latest, { allowNonFinite: true });
    expect(model.inputWidth).toBe(108);
    await project.dispose();
  });

  it('glassbox predict exits 2 with one line; glassbox check reports the corrupted checkpoint', async () => {
    let stderr = '';
    const predict = await runCli(['predict', '--limit', '5'], { cwd: root, stdout: () => {}, stderr: (s) => (stderr += s) });
    expect(predict).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/model.json: checkpoint epoch-5: layer 'dense_1' holds 1 non-finite weight/);
    let stdout = '';
    const check = await runCli(['check', '--only', 'checkpoint-reset', '--json'], { cwd: root, stdout: (s) => (stdout += s), stderr: () => {} });
    expect(check).toBe(1);
    const reset = JSON.parse(stdout).results.find((r: { id: string }) => r.id === 'checkpoint-reset');
    expect(reset.findings[0].message).toMatch(/epoch-5 is corrupted relative to epoch-4: layer 'dense_1' has 1 non-finite weights/);
  });
});
