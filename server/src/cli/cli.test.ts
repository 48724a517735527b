import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from './main';
import { tf } from '../core/engine/tf';
import { ANCHORS, REPO, tmpDir } from '../../test/helpers';

async function cli(args: string[], cwd = ANCHORS) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('glassbox CLI', () => {
  it('doctor reports the backend and the project', async () => {
    const r = await cli(['doctor', '--json']);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(['wasm', 'tensorflow', 'tensorflow-gpu']).toContain(out.engine.backend);
    expect(out.engine.attempts.length).toBeGreaterThan(0);
    expect(out.project.every((c: { ok: boolean }) => c.ok)).toBe(true);
  });

  it('schema prints the fitted encoding per raw column', async () => {
    const r = await cli(['schema', '--json', '--encoded']);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.width).toBe(108);
    expect(out.encodedColumns[61]).toBe('sex=Female');
    expect(out.columns.find((c: { name: string }) => c.name === 'income').role).toBe('label');
  });

  it('predict reproduces the reference accuracy on the test set', async () => {
    const r = await cli(['predict', '--json', '--data', 'test']);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.rows.length).toBe(16281);
    // training.json: test accuracy 0.85732 at epoch 5.
    expect(out.accuracy).toBeCloseTo(0.85732, 4);
  });

  it('explain gives per-raw-feature attributions for chosen lines without leaking tensors', async () => {
    await cli(['explain', '--json', '--row', '0']);
    const before = tf.memory().numTensors;
    const r = await cli(['explain', '--json', '--line', '2,4', '--target', 'class:1', '--encoded']);
    expect(r.code).toBe(0);
    // The project (and its models) is disposed after the command.
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    const out = r.json();
    expect(out.rows.map((x: { row: number; line: number }) => [x.row, x.line])).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(Object.keys(out.rows[0].attributions)).toHaveLength(14);
    expect(Object.keys(out.rows[0].encoded)).toHaveLength(108);
    expect(out.rows[0].values.sex).toBe('Male');
  });

  it('exits 2 with a one-line message on usage and input errors', async () => {
    const unknown = await cli(['explian']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("glassbox: unknown command 'explian' (did you mean 'explain'?); run 'glassbox --help'\n");
    const range = await cli(['explain', '--row', '99999']);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--row 99999 is out of range: .*adult_test.csv has 16281 rows/);
    const method = await cli(['explain', '--method', 'salency']);
    expect(method.stderr).toMatch(/unknown method 'salency' \(did you mean 'saliency'\?\)/);
    const flag = await cli(['predict', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('names categories unseen in training and counts imputed values', async () => {
    const dir = tmpDir('cli-unseen');
    const train = fs.readFileSync(path.join(REPO, 'test-workspace/data/adult_train.csv'), 'utf8').split('\n').slice(0, 2001).join('\n');
    fs.writeFileSync(path.join(dir, 'train.csv'), train);
    const lines = train.split('\n').slice(0, 4);
    lines[3] = lines[3]!.replace('Private', 'Space-agency');
    lines[2] = lines[2]!.replace(/^\d+,/, '?,');
    fs.writeFileSync(path.join(dir, 'prod.csv'), lines.join('\n'));
    fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify({ data: { train: 'train.csv', reference: 'prod.csv' }, label: 'income', checkpoints: { path: 'ckpt' } }));
    const r = await cli(['schema', '--json'], dir);
    expect(r.code).toBe(0);
    expect(r.json().data.reference).toEqual({ unseenCategories: { workclass: { 'Space-agency': 1 } }, missingImputed: { age: 1 }, unknownLabels: {}, outOfRange: {} });
    const text = await cli(['schema'], dir);
    expect(text.stdout).toMatch(/workclass: 1 row\(s\) with categories unseen in training: 'Space-agency' \(1\)/);
  });

  it('points at the line of a config error', async () => {
    const dir = tmpDir('cli-config');
    fs.writeFileSync(path.join(dir, 'glassbox.json'), '{\n  "data": { "train": "t.csv" },\n  "label": "y",\n  "checkpoint": { "path": "c" }\n}\n');
    const r = await cli(['schema'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`glassbox schema: ${path.join(dir, 'glassbox.json')}:4:3: unknown key 'checkpoint' in the top level (did you mean 'checkpoints'?)\n`);
  });

  it('the built binary runs and reports the wasm backend when native TensorFlow is absent', () => {
    const bin = path.join(REPO, 'bin/glassbox.js');
    if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) return expect.fail('dist/cli.js is missing: npm test builds it first');
    const r = spawnSync(process.execPath, [bin, 'doctor', '--json'], { cwd: ANCHORS, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    let native = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      native = false;
    }
    if (!native) expect(out.engine.backend).toBe('wasm');
  });
});
