/**
 * The analysis worker (a node:worker_threads thread): owns TensorFlow.js and the loaded projects,
 * runs one step at a time as the daemon asks, and reports progress. Bundled to
 * dist/server/worker.js. A crash here kills only this thread; the daemon starts a new one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine } from '../core/engine/backend';
import { isGlassboxError } from '../core/errors';
import { Project } from '../core/project';
import { getRunner, RUNNERS } from './steps/registry';
import type { FromWorker, ToWorker, WireError } from './worker-protocol';
import { tf } from '../core/engine/tf';
import { isPoisonedEngine } from './worker-host';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const projects = new Map<string, { version: string; project: Project }>();
const running = new Map<number, AbortController>();

export function toWire(e: unknown): WireError {
  if (isGlassboxError(e)) return { code: e.code, message: e.message, ...(e.location ? { location: e.location } : {}) };
  return { message: (e as Error)?.message ?? String(e) };
}

async function projectFor(configFile: string, version: string): Promise<Project> {
  const held = projects.get(configFile);
  if (held?.version === version) return held.project;
  if (held) {
    // Steps free what they keep per project (tensors of an influence index) before it is disposed.
    for (const step of Object.values(RUNNERS)) await step.release?.(held.project);
    await held.project.dispose();
  }
  const project = Project.open(configFile);
  projects.set(configFile, { version, project });
  return project;
}

const engine = initEngine((workerData as { backend?: string } | undefined)?.backend ? { prefer: (workerData as { backend: never }).backend } : {}).then(
  (info) => {
    post({ type: 'ready', backend: info.backend, notes: info.attempts.filter((a) => !a.ok).map((a) => `${a.candidate}: ${a.detail}`) });
    return info;
  },
  (e) => {
    post({ type: 'engineFailed', error: toWire(e) });
    throw e;
  },
);

// Jobs run one at a time (the daemon's scheduler sends the next only after the last finished), but
// messages are handled as they arrive so a `cancel` reaches a running job between its batches.
port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(m.id, controller);
  void (async () => {
    try {
      await engine;
      const project = await projectFor(m.configFile, m.projectVersion);
      const result = await getRunner(m.step).run({
        project,
        checkpoint: m.checkpoint,
        signal: controller.signal,
        params: m.params,
        progress: (fraction, message) => post({ type: 'progress', id: m.id, fraction, ...(message ? { message } : {}) }),
      });
      post({ type: 'done', id: m.id, result });
    } catch (e) {
      if (controller.signal.aborted) post({ type: 'failed', id: m.id, error: { code: 'cancelled', message: 'the analysis was cancelled' } });
      else post({ type: 'failed', id: m.id, error: toWire(e), ...(poisoned(e) ? { poisoned: true } : {}) });
    } finally {
      running.delete(m.id);
    }
  })();
});

/**
 * Whether a failure left the engine unusable: the error (or its cause) is a WebAssembly abort or
 * out-of-memory, whatever message the core wrapped it in, or a one-element op no longer runs.
 */
function poisoned(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    if (isPoisonedEngine(`${(x as Error).message ?? ''}\n${(x as Error).stack ?? ''}`)) return true;
  }
  try {
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
    return false;
  } catch {
    return true;
  }
}
