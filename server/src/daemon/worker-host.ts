/**
 * The daemon's side of the analysis worker: starts it, sends one job at a time, relays progress,
 * and restarts the thread when it crashes (the job in flight fails; the server keeps running).
 * Cancelling asks the worker to abort between batches; a job still running after `graceMs` is
 * stopped by terminating the thread, which is then restarted.
 */
import { Worker } from 'node:worker_threads';
import type { CheckpointInfo } from '../core/model/checkpoints';
import type { StepOutput } from './steps/types';
import type { FromWorker, ToWorker, WireError } from './worker-protocol';

export class JobError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
  get cancelled(): boolean {
    return this.wire.code === 'cancelled';
  }
}

export interface JobSpec {
  step: string;
  configFile: string;
  projectVersion: string;
  checkpoint: CheckpointInfo;
  params: Record<string, unknown>;
  onProgress?: (fraction: number, message?: string) => void;
}

export interface EngineStatus {
  backend?: string;
  notes?: string[];
  error?: string;
}

interface InFlight {
  id: number;
  spec: JobSpec;
  resolve(r: StepOutput): void;
  reject(e: JobError): void;
  killTimer?: NodeJS.Timeout;
}

export class WorkerHost {
  private worker: Worker | undefined;
  private current: InFlight | undefined;
  private nextId = 1;
  private disposed = false;
  /** Times the worker was restarted after a crash. */
  restarts = 0;

  constructor(
    private readonly script: string,
    private readonly onEngine: (s: EngineStatus) => void,
    private readonly options: { graceMs?: number; backend?: string } = {},
  ) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // stdout is piped so nothing the engine prints can corrupt a stdio LSP stream.
    const w = new Worker(this.script, { stdout: true, stderr: true, workerData: { backend: this.options.backend } });
    w.stdout.on('data', (d) => process.stderr.write(d));
    w.stderr.on('data', (d) => process.stderr.write(d));
    w.on('message', (m: FromWorker) => this.onMessage(m));
    w.on('error', (e) => this.onExit(w, `the analysis worker crashed: ${e.message}`));
    w.on('exit', (code) => this.onExit(w, `the analysis worker exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') return this.onEngine({ backend: m.backend, notes: m.notes });
    if (m.type === 'engineFailed') return this.onEngine({ error: m.error.message });
    const job = this.current;
    if (!job || job.id !== m.id) return;
    if (m.type === 'progress') return job.spec.onProgress?.(m.fraction, m.message);
    this.finish(job);
    if (m.type === 'done') job.resolve(m.result);
    else job.reject(new JobError(m.error));
  }

  private onExit(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const job = this.current;
    if (job) {
      this.finish(job);
      job.reject(new JobError(job.killTimer || this.disposed ? { code: 'cancelled', message: 'the analysis was cancelled' } : { code: 'worker', message: why }));
    }
    if (!this.disposed && !job?.killTimer) this.restarts++;
  }

  private finish(job: InFlight): void {
    if (job.killTimer) clearTimeout(job.killTimer);
    if (this.current === job) this.current = undefined;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Runs one job; the caller (the scheduler) never overlaps jobs. */
  run(spec: JobSpec): Promise<StepOutput> {
    if (this.current) return Promise.reject(new Error('the analysis worker is busy'));
    const w = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.current = { id, spec, resolve, reject };
      const msg: ToWorker = { type: 'run', id, step: spec.step, configFile: spec.configFile, projectVersion: spec.projectVersion, checkpoint: spec.checkpoint, params: spec.params };
      w.postMessage(msg);
    });
  }

  /** Cancels the running job (if any); resolves when the worker is free again. */
  cancelCurrent(): void {
    const job = this.current;
    if (!job || job.killTimer || !this.worker) return;
    this.worker.postMessage({ type: 'cancel', id: job.id } satisfies ToWorker);
    const w = this.worker;
    job.killTimer = setTimeout(() => {
      if (this.current === job) void w.terminate();
    }, this.options.graceMs ?? 1000);
  }

  /** Test hook: kills the thread as a crash would. */
  crashForTest(): Promise<number> {
    return this.worker?.terminate() ?? Promise.resolve(0);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    if (this.current) {
      const job = this.current;
      this.finish(job);
      job.reject(new JobError({ code: 'cancelled', message: 'the daemon is shutting down' }));
    }
    await w?.terminate();
  }
}
