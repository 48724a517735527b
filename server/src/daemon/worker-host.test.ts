/**
 * The worker host against a fake worker the test drives message by message, so the races of a
 * real thread (a job's answer arriving after terminate() was called but before the thread's exit)
 * happen in a fixed order, every run.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { JobError, WorkerHost, isPoisonedEngine, type WorkerLike } from './worker-host';
import type { FromWorker, ToWorker } from './worker-protocol';
import type { CheckpointInfo } from '../core/model/checkpoints';

class FakeWorker extends EventEmitter implements WorkerLike {
  readonly received: ToWorker[] = [];
  terminateCalls = 0;
  /** Keep the thread "exiting" after terminate() until the test calls exit() (else it exits at once). */
  holdExit = false;
  private exitNow!: (code: number) => void;
  private readonly exited = new Promise<number>((resolve) => (this.exitNow = resolve));
  private terminateAsked!: () => void;
  /** Resolves when the host calls terminate(). */
  readonly terminating = new Promise<void>((resolve) => (this.terminateAsked = resolve));
  private posted!: () => void;
  private nextPost = new Promise<void>((resolve) => (this.posted = resolve));

  postMessage(m: ToWorker): void {
    this.received.push(m);
    this.posted();
    this.nextPost = new Promise<void>((resolve) => (this.posted = resolve));
  }
  /** Resolves once the host has posted `n` messages in all. */
  async until(n: number): Promise<void> {
    while (this.received.length < n) await this.nextPost;
  }
  /** Like a real thread: terminate() only asks; the exit comes when the test says. */
  terminate(): Promise<number> {
    this.terminateCalls++;
    this.terminateAsked();
    if (!this.holdExit) queueMicrotask(() => this.exit(1));
    return this.exited;
  }
  send(m: FromWorker): void {
    this.emit('message', m);
  }
  private gone = false;
  exit(code: number): void {
    if (this.gone) return;
    this.gone = true;
    this.exitNow(code);
    this.emit('exit', code);
  }
  lastRunId(): number {
    const run = [...this.received].reverse().find((m) => m.type === 'run');
    return run!.id;
  }
}

const checkpoint = { dir: '/x/epoch-1', name: 'epoch-1', state: 'ready', order: 1, orderSource: 'epoch', hash: 'h' } as unknown as CheckpointInfo;
const spec = (step: string) => ({ step, configFile: '/x/glassbox.json', projectVersion: 'v', checkpoint, params: {} });

function fakeHost(graceMs = 5) {
  const workers: FakeWorker[] = [];
  const host = new WorkerHost('fake.js', () => {}, {
    graceMs,
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
  });
  return { host, workers };
}

describe('WorkerHost with a fake worker', () => {
  it('never hands a job to a worker it is terminating (answer arrives between terminate and exit)', async () => {
    const { host, workers } = fakeHost();
    const a = host.run(spec('predictions'));
    const first = workers[0]!;
    first.holdExit = true;
    await first.until(1);
    host.cancelCurrent();
    expect(first.received.at(-1)).toEqual({ type: 'cancel', id: first.lastRunId() });
    // The worker ignores the cancel; after the grace period the host terminates it...
    await first.terminating;
    // ...and the job's late answer arrives before the thread has exited.
    first.send({ type: 'failed', id: 1, error: { code: 'cancelled', message: 'the analysis was cancelled' } });
    await expect(a).rejects.toMatchObject({ cancelled: true });
    const b = host.run(spec('importance'));
    expect(workers).toHaveLength(2);
    const second = workers[1]!;
    await second.until(1);
    expect(first.received.filter((m) => m.type === 'run')).toHaveLength(1);
    first.exit(1);
    second.send({ type: 'done', id: second.lastRunId(), result: { ok: 1 } as never });
    await expect(b).resolves.toEqual({ ok: 1 });
    expect(host.restarts).toBe(0);
    await host.dispose();
  });

  it('restarts a worker whose engine was poisoned by a WebAssembly abort before the next job', async () => {
    for (const message of ['Aborted()', 'RuntimeError: memory access out of bounds', 'Out of memory: failed to allocate 4294967296 bytes', 'RuntimeError: Aborted(OOM). Build with -sASSERTIONS for more info.']) {
      const { host, workers } = fakeHost();
      const a = host.run(spec('importance'));
      await workers[0]!.until(1);
      workers[0]!.send({ type: 'failed', id: workers[0]!.lastRunId(), error: { message } });
      const e = (await a.catch((x: unknown) => x)) as JobError;
      expect(e).toBeInstanceOf(JobError);
      expect(e.wire.code).toBe('engine');
      expect(e.message).toContain(message);
      expect(e.message).toMatch(/engine was restarted/);
      expect(workers[0]!.terminateCalls).toBe(1);
      const b = host.run(spec('importance'));
      expect(workers).toHaveLength(2);
      await workers[1]!.until(1);
      workers[1]!.send({ type: 'done', id: workers[1]!.lastRunId(), result: { fine: true } as never });
      await expect(b).resolves.toEqual({ fine: true });
      expect(host.restarts).toBe(1);
      await host.dispose();
    }
  });

  it('restarts a worker that says its engine is poisoned, whatever the message', async () => {
    const { host, workers } = fakeHost();
    const a = host.run(spec('importance'));
    await workers[0]!.until(1);
    workers[0]!.send({ type: 'failed', id: workers[0]!.lastRunId(), error: { code: 'model', message: 'the model is too large for the wasm backend' }, poisoned: true });
    await expect(a).rejects.toMatchObject({ wire: { code: 'engine' } });
    expect(workers[0]!.terminateCalls).toBe(1);
    const b = host.run(spec('importance'));
    expect(workers).toHaveLength(2);
    await host.dispose();
    await expect(b).rejects.toMatchObject({ cancelled: true });
  });

  it('keeps the worker after an ordinary step error', async () => {
    const { host, workers } = fakeHost();
    const a = host.run(spec('predictions'));
    await workers[0]!.until(1);
    workers[0]!.send({ type: 'failed', id: workers[0]!.lastRunId(), error: { code: 'csv', message: 'row has 17 fields, the header has 15' } });
    await expect(a).rejects.toMatchObject({ wire: { code: 'csv' } });
    const b = host.run(spec('predictions'));
    expect(workers).toHaveLength(1);
    await workers[0]!.until(2);
    workers[0]!.send({ type: 'done', id: workers[0]!.lastRunId(), result: {} as never });
    await b;
    expect(workers[0]!.terminateCalls).toBe(0);
    await host.dispose();
  });

  it('fails the job of a crashed worker and runs the next one on a new worker; refuses work after dispose', async () => {
    const { host, workers } = fakeHost();
    const a = host.run(spec('predictions'));
    await workers[0]!.until(1);
    workers[0]!.exit(1);
    await expect(a).rejects.toMatchObject({ wire: { code: 'worker' } });
    expect(host.restarts).toBe(1);
    const b = host.run(spec('predictions'));
    await workers[1]!.until(1);
    workers[1]!.send({ type: 'done', id: workers[1]!.lastRunId(), result: { n: 2 } as never });
    await expect(b).resolves.toEqual({ n: 2 });
    await host.dispose();
    await expect(host.run(spec('predictions'))).rejects.toMatchObject({ cancelled: true });
  });

  it('tells engine poisoning from ordinary errors', () => {
    expect(isPoisonedEngine('Aborted()')).toBe(true);
    expect(isPoisonedEngine('RuntimeError: unreachable')).toBe(true);
    expect(isPoisonedEngine('Cannot enlarge memory arrays to size 2147549184 bytes')).toBe(true);
    expect(isPoisonedEngine('row has 17 fields, the header has 15')).toBe(false);
    expect(isPoisonedEngine("the model expects input shape [batch, 104] but the encoded data has shape [batch, 2]")).toBe(false);
  });
});
