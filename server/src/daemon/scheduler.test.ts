import { describe, expect, it } from 'vitest';
import { Scheduler, type Job } from './scheduler';
import { JobError, type JobSpec, type WorkerHost } from './worker-host';
import type { CheckpointInfo } from '../core/model/checkpoints';

/** A worker stand-in whose jobs finish when the test says so. */
function fakeHost() {
  const started: Array<{ spec: JobSpec; finish(): void; fail(e: JobError): void }> = [];
  let cancelled = 0;
  const host = {
    run: (spec: JobSpec) =>
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
});
