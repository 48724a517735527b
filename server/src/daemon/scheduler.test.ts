import { describe, expect, it } from 'vitest';
import { Scheduler, type Job } from './scheduler';
import { JobError, type WorkerHost } from './worker-host';
import type { CheckpointInfo } from '../core/model/checkpoints';

/** A worker stand-in whose jobs finish when the test says so. */
function fakeHost() {
  const started: Array<{ spec: Job; finish(): void; fail(e: JobError): void }> = [];
  let cancelled = 0;
  const host = {
    run: (spec: Job) =>
      new Promise((resolve, reject) => started.push({ spec, finish: () => resolve({ step: spec.step }), fail: reject })),
    cancelCurrent: () => {
      cancelled++;
      started[started.length - 1]!.fail(new JobError({ code: 'cancelled', message: 'cancelled' }));
    },
  };
  return { host: host as unknown as WorkerHost, started, cancelled: () => cancelled };
}

const ckpt = (hash: string) => ({ dir: hash, name: hash, state: 'ready', order: 0, orderSource: 'name', hash }) as CheckpointInfo;
const job = (step: string, priority: number, hash = 'a'): Job => ({ key: `${hash}|${step}`, step, priority, title: step, configFile: 'c', projectVersion: 'v', checkpoint: ckpt(hash), params: {} });
const tick = () => new Promise((r) => setImmediate(r));

describe('Scheduler', () => {
  it('runs one job at a time, most urgent first, and joins duplicate requests', async () => {
    const { host, started } = fakeHost();
    const busy: boolean[] = [];
    const s = new Scheduler(host, { started() {}, progress() {}, ended() {}, busy: (b) => busy.push(b) });
    const first = s.submit(job('predictions', 10));
    await tick();
    const later = s.submit(job('importance', 20));
    const urgent = s.submit(job('explainRow', 0));
    const again = s.submit(job('explainRow', 0));
    expect(started.map((x) => x.spec.step)).toEqual(['predictions']);
    started[0]!.finish();
    await first;
    await tick();
    expect(started.map((x) => x.spec.step)).toEqual(['predictions', 'explainRow']);
    started[1]!.finish();
    expect(await urgent).toEqual(await again);
    await tick();
    started[2]!.finish();
    await later;
    await tick();
    expect(busy).toEqual([true, false]);
    expect(s.busy).toBe(false);
  });

  it('drops queued and cancels running jobs of a stale checkpoint', async () => {
    const { host, started, cancelled } = fakeHost();
    const outcomes: string[] = [];
    const s = new Scheduler(host, { started() {}, progress() {}, ended: (j, o) => outcomes.push(`${j.checkpoint.hash}:${j.step}:${o}`), busy() {} });
    const running = s.submit(job('predictions', 10, 'old'));
    await tick();
    const queued = s.submit(job('importance', 20, 'old'));
    const fresh = s.submit(job('predictions', 10, 'new'));
    s.cancelWhere((j) => j.checkpoint.hash !== 'new');
    await expect(queued).rejects.toMatchObject({ cancelled: true });
    await expect(running).rejects.toMatchObject({ cancelled: true });
    expect(cancelled()).toBe(1);
    await tick();
    expect(started.map((x) => `${x.spec.checkpoint.hash}:${x.spec.step}`)).toEqual(['old:predictions', 'new:predictions']);
    started[1]!.finish();
    await fresh;
    expect(outcomes).toEqual(['old:importance:cancelled', 'old:predictions:cancelled', 'new:predictions:done']);
  });

  it('supersedes queued hover jobs by the next hover, never an explicit request', async () => {
    const { host, started } = fakeHost();
    const outcomes: string[] = [];
    const s = new Scheduler(host, { started() {}, progress() {}, ended: (j, o) => outcomes.push(`${j.key}:${o}`), busy() {} });
    const running = s.submit({ ...job('explainRow', 0), key: 'hover-1', onDemand: true, hover: true });
    await tick();
    const panel = s.submit({ ...job('explainRow', 0), key: 'panel', onDemand: true });
    const hover2 = s.submit({ ...job('explainRow', 0), key: 'hover-2', onDemand: true, hover: true });
    // The Explain panel asks for the row hover 3 asked for: it becomes explicit, so hover 4 keeps it.
    const hover3 = s.submit({ ...job('explainRow', 0), key: 'hover-3', onDemand: true, hover: true });
    const joined = s.submit({ ...job('explainRow', 0), key: 'hover-3' });
    const hover4 = s.submit({ ...job('explainRow', 0), key: 'hover-4', onDemand: true, hover: true });
    await expect(hover2).rejects.toMatchObject({ cancelled: true });
    // The running hover job is left to finish (short; aborting it could cost a worker restart).
    started[0]!.finish();
    await running;
    for (let i = 1; i <= 3; i++) {
      await tick();
      started[i]!.finish();
    }
    await Promise.all([panel, hover3, joined, hover4]);
    expect(started.map((x) => x.spec.key)).toEqual(['hover-1', 'panel', 'hover-3', 'hover-4']);
    expect(outcomes).toEqual(['hover-2:cancelled', 'hover-1:done', 'panel:done', 'hover-3:done', 'hover-4:done']);
  });

  it('runs at most one hover job between two scheduled steps, explicit requests first', async () => {
    const { host, started } = fakeHost();
    const s = new Scheduler(host, { started() {}, progress() {}, ended() {}, busy() {} });
    const all: Promise<unknown>[] = [s.submit(job('predictions', 10))];
    await tick();
    all.push(s.submit(job('importance', 20)), s.submit(job('drift', 25)), s.submit(job('influence', 40)));
    // A burst of hovers over new rows: each new one supersedes the queued one, so one is left.
    const hovers = [1, 2, 3].map((i) => s.submit({ ...job('explainRow', 0), key: `hover-${i}`, onDemand: true, hover: true }));
    const hoverResults = Promise.allSettled(hovers);
    const order = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await tick();
        started[started.length - 1]!.finish();
      }
    };
    await order(2); // predictions, then the surviving hover
    all.push(s.submit({ ...job('explainRow', 0), key: 'hover-4', onDemand: true, hover: true }), s.submit({ ...job('whatIf', 0), key: 'panel', onDemand: true }));
    await order(1);
    // Hover 4 waits for a scheduled step; the explicit request does not.
    expect(started.map((x) => x.spec.key)).toEqual(['a|predictions', 'hover-3', 'panel']);
    await order(4);
    expect(started.map((x) => x.spec.key)).toEqual(['a|predictions', 'hover-3', 'panel', 'a|importance', 'hover-4', 'a|drift', 'a|influence']);
    await Promise.all(all);
    expect((await hoverResults).map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    // With no scheduled step queued, hovers are not held back.
    const a = s.submit({ ...job('explainRow', 0), key: 'hover-5', onDemand: true, hover: true });
    await order(1);
    await a;
    const b = s.submit({ ...job('explainRow', 0), key: 'hover-6', onDemand: true, hover: true });
    await order(1);
    await b;
    expect(started.slice(-2).map((x) => x.spec.key)).toEqual(['hover-5', 'hover-6']);
  });
});
