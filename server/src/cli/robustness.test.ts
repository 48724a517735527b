/**
 * Bad input never crashes the CLI: every failure is one line on stderr with a documented exit code
 * (2 for what the user can fix, 70 for a bug), nothing hangs on special files, and a reader that
 * closes the pipe early ends the run quietly. In-process through `runCli` where the process does
 * not matter, and through the built binary (`npm run build` first) where it does.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { runCli } from './main';
import type { Command } from './context';
import { GlassboxError } from '../core/errors';
import { tf, tfl } from '../core/engine/tf';
import { initEngine } from '../core/engine/backend';
import { saveCheckpoint } from '../core/model/io';
import { ANCHORS, DATA, REPO, tmpDir } from '../../test/helpers';

const BIN = path.join(REPO, 'bin/glassbox.js');

async function cli(args: string[], cwd: string, commands?: Command[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, commands);
  return { code, stdout, stderr };
}

/** Runs the built binary; `timeout` turns a hang into a failed test instead of a stuck suite. */
function binary(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A command that throws `e` after choosing an engine, as a real command would. */
function throwing(e: unknown): Command {
  return {
    name: 'boom',
    summary: 'throws',
    options: {},
    async run(ctx) {
      await ctx.engine();
      throw e;
    },
  };
}

/** A project in a temp folder: the anchor model and encoding, data files as given (relative names in `data`). */
function project(dir: string, config: Record<string, unknown>): string {
  const data = (config.data ?? { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: path.join(DATA, 'adult_test.csv') }) as Record<string, string | boolean>;
  const text = JSON.stringify({ label: 'income', encoding: path.join(ANCHORS, 'encoding.json'), checkpoints: { path: path.join(ANCHORS, 'adult-mlp/checkpoints') }, model: { output: 'logits' }, ...config, data }, null, 2);
  fs.writeFileSync(path.join(dir, 'glassbox.json'), text);
  return text;
}

/** 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

let dir: string;
beforeAll(() => {
  dir = tmpDir('cli-robust');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('failures reaching the top of the CLI', () => {
  it('an internal error is one line, exit 70, no stack unless GLASSBOX_DEBUG=1', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'shape')");
    const r = await cli(['boom'], dir, [throwing(bug)]);
    expect(r.code).toBe(70);
    expect(r.stderr).toBe("glassbox: internal error: TypeError: Cannot read properties of undefined (reading 'shape') (please report)\n");
    process.env.GLASSBOX_DEBUG = '1';
    try {
      const debug = await cli(['boom'], dir, [throwing(bug)]);
      expect(debug.code).toBe(70);
      expect(debug.stderr.split('\n')[1]).toMatch(/^TypeError: Cannot read properties/);
      expect(debug.stderr).toMatch(/\n\s+at /);
    } finally {
      delete process.env.GLASSBOX_DEBUG;
    }
    // A stack overflow is a RangeError too, but a bug, not the engine running out of memory.
    expect((await cli(['boom'], dir, [throwing(new RangeError('Maximum call stack size exceeded'))])).code).toBe(70);
    // Not even an Error.
    expect((await cli(['boom'], dir, [throwing(Object.create(null))])).stderr).toBe('glassbox: internal error: [object Object] (please report)\n');
  });

  it("the engine running out of memory says the model is too large for the backend and what to do, exit 2", async () => {
    const aborted = await cli(['boom', '--backend', 'wasm'], dir, [throwing(new WebAssembly.RuntimeError('Aborted(). Build with -sASSERTIONS for more info.'))]);
    expect(aborted.code).toBe(2);
    expect(aborted.stderr).toBe(
      'glassbox boom: the model is too large for the wasm backend (Aborted(). Build with -sASSERTIONS for more info.); try a native backend (@tensorflow/tfjs-node) or fewer rows (--limit)\n',
    );
    const oob = await cli(['boom', '--backend', 'wasm'], dir, [throwing(new WebAssembly.RuntimeError('memory access out of bounds'))]);
    expect(oob.stderr).toMatch(/^glassbox boom: the model is too large for the wasm backend \(memory access out of bounds\); try a native backend/);
    // Wrapped by the model loader: the location (the model file) stays.
    const wrapped = new GlassboxError('checkpoint', 'TF.js could not build the model: RangeError: Array buffer allocation failed', { file: '/ck/model.json' });
    const load = await cli(['boom', '--backend', 'wasm'], dir, [throwing(wrapped)]);
    expect(load.code).toBe(2);
    expect(load.stderr).toBe('glassbox boom: /ck/model.json: the model is too large for the wasm backend (RangeError: Array buffer allocation failed); try a native backend (@tensorflow/tfjs-node) or fewer rows (--limit)\n');
  });

  it('a multi-line engine message is printed on one line', async () => {
    const e = new GlassboxError('model', 'Error when checking input:\n  expected dense_Dense1_input to have shape [null,108]\n  but got array with shape [3,107]', { file: '/ck/model.json' });
    const r = await cli(['boom'], dir, [throwing(e)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('glassbox boom: /ck/model.json: Error when checking input: expected dense_Dense1_input to have shape [null,108] but got array with shape [3,107]\n');
  });
});

describe('bad input through the real commands', () => {
  it('a row range far beyond the data is refused before it is expanded', async () => {
    const t0 = Date.now();
    const r = await cli(['predict', '--row', '5,0-99999999999'], ANCHORS);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^glassbox predict: --row 99999999999 is out of range: .*adult_test\.csv has 16281 rows \(0\.\.16280\)\n$/);
    const lines = await cli(['predict', '--line', '2-99999999999'], ANCHORS);
    expect(lines.stderr).toMatch(/^glassbox predict: line 99999999999 of .*adult_test\.csv is not the start of a data row\n$/);
    const repeated = await cli(['predict', '--row', Array(700).fill('0-16280').join(',')], ANCHORS);
    expect(repeated.stderr).toBe('glassbox predict: --row names more than 10000000 rows\n');
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a missing data file is reported at its data.* line in glassbox.json', async () => {
    const d = tmpDir('cli-missing');
    const text = project(d, { data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: 'nope.csv' } });
    const r = await cli(['predict', '--data', 'test'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`glassbox predict: ${path.join(d, 'glassbox.json')}:${lineOf(text, '"test"')}:5: data file not found: ${path.join(d, 'nope.csv')}\n`);
  });

  it('task: regression against a classifier is reported at the task key', async () => {
    const d = tmpDir('cli-task');
    const text = project(d, { task: 'regression' });
    const r = await cli(['predict', '--limit', '5'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^glassbox predict: ${path.join(d, 'glassbox.json')}:${lineOf(text, '"task"')}:3: task is regression but the model has output shape \\[batch, 2\\]`));
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('an unclosed quote in the data is reported where it opens', async () => {
    const d = tmpDir('cli-quote');
    const test = fs.readFileSync(path.join(DATA, 'adult_test.csv'), 'utf8').split('\n').slice(0, 40);
    test[10] = test[10]!.replace(',Private,', ',"Private,');
    fs.writeFileSync(path.join(d, 'test.csv'), test.join('\n'));
    project(d, { data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: 'test.csv' } });
    const r = await cli(['predict', '--data', 'test'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`glassbox predict: ${path.join(d, 'test.csv')}:11: malformed CSV: a quoted field in the row starting here is never closed (its quote runs to the end of the file)\n`);
  });

  it('a 10 MB label value is echoed in at most ~200 characters', async () => {
    const d = tmpDir('cli-label');
    const rows = ['x,y', ...Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'yes' : 'no'}`), `5,${'L'.repeat(10 * 1024 * 1024)}`];
    fs.writeFileSync(path.join(d, 'train.csv'), rows.join('\n'));
    fs.writeFileSync(path.join(d, 'glassbox.json'), JSON.stringify({ task: 'binary', data: { train: 'train.csv' }, label: 'y', checkpoints: { path: 'ckpt' } }));
    const r = await cli(['schema'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/task is binary but label 'y' has 3 distinct values \(L{40}… \(10485760 characters\), no, yes\)\n$/);
    expect(r.stderr.length).toBeLessThan(400);
  });

  it('numbers beyond the float32 range in training data are reported with their lines, not turned into a constant feature', async () => {
    const d = tmpDir('cli-inf');
    const rows = fs.readFileSync(path.join(DATA, 'adult_train.csv'), 'utf8').split('\n').slice(0, 301);
    rows[4] = rows[4]!.replace(/^\d+,/, '1e308,');
    rows[9] = rows[9]!.replace(/^\d+,/, 'inf,');
    fs.writeFileSync(path.join(d, 'train.csv'), rows.join('\n'));
    fs.writeFileSync(path.join(d, 'glassbox.json'), JSON.stringify({ data: { train: 'train.csv' }, label: 'income', checkpoints: { path: 'ckpt' } }));
    const r = await cli(['schema', '--json'], d);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const age = out.encoding.features.find((f: { name: string }) => f.name === 'age');
    // Brute force over the 298 finite ages (lines 2..301 without lines 5 and 10).
    const ages = rows.slice(1).map((l) => l.split(',')[0]!).filter((v) => v !== '1e308' && v !== 'inf').map(Number);
    const mean = ages.reduce((a, b) => a + b, 0) / ages.length;
    const std = Math.sqrt(ages.reduce((a, b) => a + (b - mean) ** 2, 0) / ages.length);
    expect(age.mean).toBeCloseTo(mean, 10);
    expect(age.std).toBeCloseTo(std, 10);
    expect(out.notes.map((n: { lines: number[] }) => n.lines)).toEqual([[5, 10]]);
    const text = await cli(['schema'], d);
    expect(text.stdout).toContain("age: 2 value(s) beyond the float32 range (e.g. '1e308') treated as missing (imputed with the training mean) on line(s) 5, 10");
  });
});

describe('the built binary', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run npm run build first');
  });

  it('glassbox.json nested 100,000 deep: one located line, exit 2, no stack', () => {
    const d = tmpDir('bin-deep');
    fs.writeFileSync(path.join(d, 'glassbox.json'), `{\n"data": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const r = binary(['schema'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`glassbox schema: ${path.join(d, 'glassbox.json')}:2:72: invalid JSON: nested deeper than 64 levels\n`);
  });

  it('a FIFO or /dev/zero as data, config or encoding fails at once instead of hanging', () => {
    const d = tmpDir('bin-special');
    const fifo = path.join(d, 'fifo');
    execFileSync('mkfifo', [fifo]);
    project(d, { data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: fifo } });
    const data = binary(['predict', '--data', 'test'], d);
    expect([data.code, data.stderr]).toEqual([2, `glassbox predict: ${fifo}: data file is a named pipe (FIFO), not a regular file\n`]);
    const config = binary(['schema', '--config', '/dev/zero'], d);
    expect([config.code, config.stderr]).toEqual([2, 'glassbox schema: /dev/zero: glassbox.json is a character device, not a regular file\n']);
    const dirAsConfig = binary(['schema', '--config', d], d);
    expect([dirAsConfig.code, dirAsConfig.stderr]).toEqual([2, `glassbox schema: ${d}: glassbox.json is a directory, not a regular file\n`]);
    project(d, { encoding: fifo });
    const encoding = binary(['schema'], d);
    expect([encoding.code, encoding.stderr]).toEqual([2, `glassbox schema: ${fifo}: encoding file is a named pipe (FIFO), not a regular file\n`]);
  });

  it('writing into a closed pipe (| head -1) ends quietly with status 0', () => {
    // predict --json on the 32,561 training rows writes megabytes: far more than a pipe buffer.
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" predict --json --data train 2>"${dir}/err" | head -c 100 >/dev/null; echo "status=$?"`], { cwd: ANCHORS, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim()).toBe('status=0');
    expect(fs.readFileSync(path.join(dir, 'err'), 'utf8')).toBe('');
  });

  it('doctor exits 2 when it reports a problem, and says where', () => {
    const d = tmpDir('bin-doctor');
    const text = project(d, { data: { allowOutsideProject: true, train: path.join(DATA, 'adult_train.csv'), test: 'gone.csv' } });
    const r = binary(['doctor', '--json'], d);
    expect(r.code).toBe(2);
    const check = JSON.parse(r.stdout).project.find((c: { check: string }) => c.check === 'data.test');
    expect(check).toEqual({ check: 'data.test', ok: false, detail: `${path.join(d, 'glassbox.json')}:${lineOf(text, '"test"')}:5: data file not found: ${path.join(d, 'gone.csv')}` });
  });

  it('a model too wide for the wasm heap: the advice, exit 2; and the advice (--limit) works', async () => {
    // One input, 300,000 hidden units: 4.8 MB of weights, but a 4,096-row batch needs 4.9 GB of
    // activations, beyond what the wasm backend can allocate.
    await initEngine();
    const before = tf.memory().numTensors;
    const d = tmpDir('bin-oom');
    fs.writeFileSync(path.join(d, 'train.csv'), ['x,y', ...Array.from({ length: 5000 }, (_, i) => `${i % 97},${i % 2}`)].join('\n'));
    fs.writeFileSync(path.join(d, 'glassbox.json'), JSON.stringify({ data: { train: 'train.csv' }, label: 'y', checkpoints: { path: 'ckpt' } }));
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [1], units: 300_000, activation: 'relu', kernelInitializer: 'zeros' }), tfl.layers.dense({ units: 2, kernelInitializer: 'zeros' })],
    });
    await saveCheckpoint(model, path.join(d, 'ckpt', 'epoch-1'), { epoch: 1 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const r = binary(['predict', '--data', 'train', '--backend', 'wasm'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^glassbox predict: the model is too large for the wasm backend \((memory access out of bounds|Aborted\(\)[^;]*)\); try a native backend \(@tensorflow\/tfjs-node\) or fewer rows \(--limit\)\n$/);
    const fewer = binary(['predict', '--data', 'train', '--backend', 'wasm', '--limit', '100', '--json'], d);
    expect(fewer.code, fewer.stderr).toBe(0);
    expect(JSON.parse(fewer.stdout).rows).toHaveLength(100);
  });
});
