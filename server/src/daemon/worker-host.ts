/**
 * The daemon's side of the analysis worker: starts it, sends one job at a time, relays progress,
 * and restarts the thread when it crashes (the job in flight fails; the server keeps running).
 * Cancelling asks the worker to abort between batches; a job still running after `graceMs` is
 * stopped by terminating the thread, which is then restarted.
 *
 * Contracts: a worker being terminated is retired at once (`retire`): it gets no further job and
 * nothing it still says or does (a late answer, its exit) reaches the host, so a cancel/terminate
 * race cannot fail the next job. A WebAssembly abort or out-of-memory leaves TensorFlow.js
 * unusable in that thread (every later op fails with `Aborted()`), so a job failing that way also
 * retires its worker and the next job starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
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

/** What the host needs of a thread (node's `Worker`; tests inject a fake). */
export interface WorkerLike {
  postMessage(m: ToWorker): void;
  terminate(): Promise<number>;
  on(event: 'message', listener: (m: FromWorker) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  stdout?: Readable | null;
  stderr?: Readable | null;
}

export interface WorkerHostOptions {
  /** How long a cancelled job may keep running before its thread is terminated (default 1 s). */
  graceMs?: number;
  backend?: string;
  /** Starts a thread (default: a node `Worker` on `script`); the seam for tests. */
  createWorker?: (script: string, workerData: { backend?: string }) => WorkerLike;
}

/**
 * Whether an error message means the WebAssembly engine of the thread is broken for good (abort,
 * out of memory, a trap), as opposed to an error of one step's input.
 */
export function isPoisonedEngine(message: string): boolean {
  return /\bAborted\(|RuntimeError: (memory access out of bounds|unreachable|Aborted)|\bOut of memory\b|Cannot enlarge memory|WebAssembly\.Memory|\bOOM\b/i.test(message);
}

interface InFlight {
  id: number;
  spec: JobSpec;
  resolve(r: StepOutput): void;
  reject(e: JobError): void;
  killTimer?: NodeJS.Timeout;
}

const CANCELLED: WireError = { code: 'cancelled', message: 'the analysis was cancelled' };

export class WorkerHost {
  private worker: WorkerLike | undefined;
  private current: InFlight | undefined;
  private nextId = 1;
  private disposed = false;
  /** Times the worker was replaced after a crash or a poisoned engine (not after a cancel). */
  restarts = 0;

  constructor(
    private readonly script: string,
    private readonly onEngine: (s: EngineStatus) => void,
    private readonly options: WorkerHostOptions = {},
  ) {}

  private ensure(): WorkerLike {
    if (this.worker) return this.worker;
    const data = { backend: this.options.backend };
    // stdout is piped so nothing the engine prints can corrupt a stdio LSP stream.
    const w = this.options.createWorker ? this.options.createWorker(this.script, data) : new Worker(this.script, { stdout: true, stderr: true, workerData: data });
    w.stdout?.on('data', (d: Buffer) => process.stderr.write(d));
    w.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    // Only the current worker is heard: a retired one may still answer or exit later.
    w.on('message', (m: FromWorker) => this.worker === w && this.onMessage(m));
    w.on('error', (e: Error) => this.onExit(w, `the analysis worker crashed: ${e.message}`));
    w.on('exit', (code: number) => this.onExit(w, `the analysis worker exited (code ${code})`));
    this.worker = w;
    return w;
  }

  /**
   * Starts the worker ahead of the first job, so the engine is ready (and its backend reported)
   * even when every result is already stored, and the first on-demand request does not wait for it.
   */
  warm(): void {
    if (!this.disposed) this.ensure();
  }

  /** Stops a worker for good: no job goes to it again, nothing from it is heard. */
  private retire(w: WorkerLike): void {
    if (this.worker === w) this.worker = undefined;
    w.terminate().catch(() => {
      /* already gone */
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') return this.onEngine({ backend: m.backend, notes: m.notes });
    if (m.type === 'engineFailed') return this.onEngine({ error: m.error.message });
    const job = this.current;
    if (!job || job.id !== m.id) return;
    if (m.type === 'progress') return job.spec.onProgress?.(m.fraction, m.message);
    this.finish(job);
    if (m.type === 'done') return job.resolve(m.result);
    if (m.error.code !== 'cancelled' && (m.poisoned || isPoisonedEngine(m.error.message))) {
      this.restarts++;
      this.retire(this.worker!);
      return job.reject(new JobError({ ...m.error, code: 'engine', message: `${m.error.message} (the analysis engine was restarted; if this repeats, the model may be too large for the ${this.options.backend ?? 'current'} backend)` }));
    }
    job.reject(new JobError(m.error));
  }

  private onExit(w: WorkerLike, why: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const job = this.current;
    if (job) {
      this.finish(job);
      job.reject(new JobError(this.disposed ? CANCELLED : { code: 'worker', message: why }));
    }
    if (!this.disposed) this.restarts++;
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
    if (this.disposed) return Promise.reject(new JobError({ code: 'cancelled', message: 'the daemon is shutting down' }));
    if (this.current) return Promise.reject(new Error('the analysis worker is busy'));
    const w = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.current = { id, spec, resolve, reject };
      const msg: ToWorker = { type: 'run', id, step: spec.step, configFile: spec.configFile, projectVersion: spec.projectVersion, checkpoint: spec.checkpoint, params: spec.params };
      w.postMessage(msg);
    });
  }

  /** Cancels the running job (if any): the worker aborts it, or is terminated after `graceMs`. */
  cancelCurrent(): void {
    const job = this.current;
    const w = this.worker;
    if (!job || job.killTimer || !w) return;
    w.postMessage({ type: 'cancel', id: job.id } satisfies ToWorker);
    job.killTimer = setTimeout(() => {
      if (this.current !== job) return;
      // The job ends now, as cancelled; the thread is retired before its exit, whenever that comes.
      this.retire(w);
      this.finish(job);
      job.reject(new JobError(CANCELLED));
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
