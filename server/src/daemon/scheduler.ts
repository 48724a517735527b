/**
 * Runs analysis jobs on the worker one at a time, most urgent first: on-demand requests (what the
 * user is hovering) before scheduled steps, then by step priority, then oldest first. Jobs made
 * stale by a newer checkpoint are dropped from the queue and, if running, cancelled.
 *
 * Hover policy (hovers must never starve the analysis):
 * - superseded, not accumulated: a new hover job drops every queued hover job (the user has moved
 *   on; the hover that asked already answered with the attributions pending). A running hover job
 *   is left to finish: it is short (tens of ms warm), and cancelling work that does not check its
 *   signal in time would terminate the worker and reload the engine, far costlier than finishing.
 * - fair share: while scheduled steps are queued, at most one hover job runs between two scheduled
 *   step runs; explicit on-demand requests (Explain panel, what-if, counterfactual, compare) are
 *   never dropped nor held back by it.
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
  /** On-demand work a hover asked for: superseded by the next hover, fair-shared with scheduled steps. */
  hover?: boolean;
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
  /** A hover job started since the last scheduled step did: the next hover waits for a scheduled step. */
  private hoverSinceScheduled = false;

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
      // Asked for explicitly too: no longer a hover's to supersede or hold back.
      if (!job.hover) delete same.job.hover;
      return same.promise;
    }
    if (job.hover) this.dropQueued((e) => e.job.hover === true);
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

  /** Whether a job of this key is queued or running (an on-demand request may join it). */
  has(key: string): boolean {
    return this.running?.job.key === key || this.queue.some((e) => e.job.key === key);
  }

  /** Drops queued jobs and cancels the running one when `stale(job)` says so. */
  cancelWhere(stale: (job: Job) => boolean): void {
    const wasBusy = this.busy;
    this.dropQueued((e) => stale(e.job));
    if (this.running && stale(this.running.job)) this.host.cancelCurrent();
    if (wasBusy && !this.busy) this.events.busy(false);
  }

  private dropQueued(drop: (e: Entry) => boolean): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const e = this.queue[i]!;
      if (!drop(e)) continue;
      this.queue.splice(i, 1);
      this.events.ended(e.job, 'cancelled');
      e.reject(new JobError({ code: 'cancelled', message: 'the analysis was cancelled' }));
    }
  }

  /** The next job by priority, then age; a hover job yields once to a queued scheduled step (the fair share). */
  private next(): Entry {
    this.queue.sort((a, b) => a.job.priority - b.job.priority || a.seq - b.seq);
    const scheduled = (j: Job) => !j.onDemand && !j.hover;
    const held = this.hoverSinceScheduled && this.queue.some((e) => scheduled(e.job));
    const i = held ? this.queue.findIndex((e) => !e.job.hover) : 0;
    const [entry] = this.queue.splice(i, 1);
    if (entry!.job.hover) this.hoverSinceScheduled = true;
    else if (scheduled(entry!.job)) this.hoverSinceScheduled = false;
    return entry!;
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const entry = this.next();
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
