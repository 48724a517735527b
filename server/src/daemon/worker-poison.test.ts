/**
 * The real analysis worker (dist/server/worker.js, `npm run build`) on a real project, with its
 * TensorFlow.js engine poisoned the way a WebAssembly abort leaves it: from the poisoning job on,
 * every kernel throws `Aborted()`. The worker must say so (`poisoned`), and the host must run the
 * next job on a fresh worker, where it succeeds.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { JobError, WorkerHost } from './worker-host';
import { addCheckpoint, makeWorkspace, WORKER_SCRIPT } from '../../test/lsp-client';
import { scanCheckpoints } from '../core/model/checkpoints';

/**
 * Loads the worker after wrapping the engine's kernel dispatch: a job with `params.poison` turns
 * every later kernel call into the error a WebAssembly abort gives (the flag lives in the thread,
 * like a broken wasm heap).
 */
function poisonableWorker(script: string, data: unknown): Worker {
  const tfCore = require.resolve('@tensorflow/tfjs-core');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const tf = require(${JSON.stringify(tfCore)});
    let poisoned = false;
    parentPort.on('message', (m) => { if (m.type === 'run' && m.params.poison) poisoned = true; });
    const engine = tf.engine();
    const runKernel = engine.runKernel.bind(engine);
    engine.runKernel = (...args) => {
      if (poisoned) throw new Error('RuntimeError: Aborted(). Build with -sASSERTIONS for more info.');
      return runKernel(...args);
    };
    require(${JSON.stringify(script)});`;
  return new Worker(code, { eval: true, workerData: data, stdout: true, stderr: true });
}

describe('WorkerHost with the real worker', () => {
  it('restarts a worker whose engine aborted, and the next job succeeds', async () => {
    const root = makeWorkspace(100);
    addCheckpoint(root, 1);
    const checkpoint = scanCheckpoints(path.join(root, 'checkpoints'))[0]!;
    const workers: Worker[] = [];
    const host = new WorkerHost(WORKER_SCRIPT, () => {}, {
      backend: 'wasm',
      createWorker: (script, data) => {
        const w = poisonableWorker(script, data);
        workers.push(w);
        return w;
      },
    });
    const spec = (params: Record<string, unknown>) => ({ step: 'predictions', configFile: path.join(root, 'glassbox.json'), projectVersion: 'v1', checkpoint, params });
    const first = (await host.run(spec({}))) as { files: unknown[] };
    expect(first.files.length).toBeGreaterThan(0);
    const e = (await host.run(spec({ poison: true })).catch((x: unknown) => x)) as JobError;
    expect(e).toBeInstanceOf(JobError);
    expect(e.wire.code).toBe('engine');
    expect(e.message).toMatch(/Aborted\(\).*the analysis engine was restarted/s);
    const again = (await host.run(spec({}))) as { files: unknown[] };
    expect(again).toEqual(first);
    expect(workers).toHaveLength(2);
    expect(host.restarts).toBe(1);
    await host.dispose();
  });
});
