/**
 * Messages between the daemon (main thread) and its analysis worker. Structured-clone plain data
 * only; errors travel as `WireError` so a `GlassboxError`'s file and line survive the hop.
 */
import type { CheckpointInfo } from '../core/model/checkpoints';
import type { SourceLocation } from '../core/errors';
import type { StepOutput } from './steps/types';

export interface WireError {
  code?: string;
  message: string;
  location?: SourceLocation;
}

export type ToWorker =
  | {
      type: 'run';
      id: number;
      step: string;
      configFile: string;
      /** Changes when the config or data change: the worker reopens the project then. */
      projectVersion: string;
      checkpoint: CheckpointInfo;
      params: Record<string, unknown>;
    }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; backend: string; notes: string[] }
  | { type: 'engineFailed'; error: WireError }
  | { type: 'progress'; id: number; fraction: number; message?: string }
  | { type: 'done'; id: number; result: StepOutput }
  /** `poisoned`: the worker's engine no longer works (WebAssembly abort, out of memory); retire it. */
  | { type: 'failed'; id: number; error: WireError; poisoned?: boolean };
