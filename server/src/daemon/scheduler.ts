/**
 * Runs analysis jobs on the worker one at a time, most urgent first: on-demand requests (what the
 * user is hovering) before scheduled steps, then by step priority, then oldest first. Jobs made
 * stale by a newer checkpoint are dropped from the queue and, if running, cancelled.
 */
import type { StepOutput } from './steps/types';
import { JobError, type JobSpec, type WorkerHost } from './worker-host';

export interface Job extends JobSpec {
  /** Same key = same work: a second request joins the first. */
  key: string;
  priority: number;
  title: string;
  /** A scheduled step of a checkpoint older than the newest (runs after the newest's steps). */
  background?: boolean;
  /** An on-demand request (a hover, a panel) rather than a scheduled step. */
  onDemand?: boolean;
}

interface Entry {
  job: Job;
  seq: number;
  promise: Promise<StepOutput>;
  resolve(r: StepOutput): void;
  reject(e: unknown): void;
}

export interface SchedulerEvents {
  /** A job started (for work-done progress). */
  started(job: Job): void;
  progress(job: Job, fraction: number, message?: string): void;
  ended(job: Job, outcome: 'done' | 'failed' | 'cancelled'): void;
  /** The queue went from idle to busy or back. */
  busy(busy: boolean): void;
}

/** The running job and how far it is (its last progress report). */
export interface Running {
  job: Job;
  fraction: number;
  message?: string;
}

export class Scheduler {
  private readonly queue: Entry[] = [];
  private running: Entry | undefined;
  private progress: { fraction: number; message?: string } = { fraction: 0 };
  private seq = 0;

  constructor(
    private readonly host: WorkerHost,
    private readonly events: SchedulerEvents,
  ) {}

  get busy(): boolean {
    return this.running !== undefined || this.queue.length > 0;
  }

  /** The running job and the queued ones. */
  jobs(): Job[] {
    return [...(this.running ? [this.running.job] : []), ...this.queue.map((e) => e.job)];
  }

  /** The job running now, with its progress. */
  current(): Running | undefined {
    return this.running ? { job: this.running.job, ...this.progress } : undefined;
  }

  /** The queued jobs (not the running one). */
  queued(): Job[] {
    return this.queue.map((e) => e.job);
  }

  submit(job: Job): Promise<StepOutput> {
    const same = this.running?.job.key === job.key ? this.running : this.queue.find((e) => e.job.key === job.key);
    if (same) {
      same.job.priority = Math.min(same.job.priority, job.priority);
      return same.promise;
    }
    let resolve!: (r: StepOutput) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<StepOutput>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const wasBusy = this.busy;
    this.queue.push({ job, seq: this.seq++, promise, resolve, reject });
    if (!wasBusy) this.events.busy(true);
    queueMicrotask(() => this.pump());
    return promise;
  }

  /** Drops queued jobs and cancels the running one when `stale(job)` says so. */
  cancelWhere(stale: (job: Job) => boolean): void {
    const wasBusy = this.busy;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const e = this.queue[i]!;
      if (!stale(e.job)) continue;
      this.queue.splice(i, 1);
      this.events.ended(e.job, 'cancelled');
      e.reject(new JobError({ code: 'cancelled', message: 'the analysis was cancelled' }));
    }
    if (this.running && stale(this.running.job)) this.host.cancelCurrent();
    if (wasBusy && !this.busy) this.events.busy(false);
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    this.queue.sort((a, b) => a.job.priority - b.job.priority || a.seq - b.seq);
    const entry = this.queue.shift()!;
    this.running = entry;
    this.progress = { fraction: 0 };
    const { job } = entry;
    this.events.started(job);
    this.host
      .run({
        ...job,
        onProgress: (f, m) => {
          this.progress = { fraction: f, ...(m !== undefined ? { message: m } : {}) };
          job.onProgress?.(f, m);
          this.events.progress(job, f, m);
        },
      })
      .then(
        (r) => {
          this.events.ended(job, 'done');
          entry.resolve(r);
        },
        (e: unknown) => {
          this.events.ended(job, e instanceof JobError && e.cancelled ? 'cancelled' : 'failed');
          entry.reject(e);
        },
      )
      .finally(() => {
        this.running = undefined;
        if (!this.busy) this.events.busy(false);
        this.pump();
      });
  }
}
