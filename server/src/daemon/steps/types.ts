/**
 * An analysis step's runner: one unit of work the daemon schedules per checkpoint (predictions,
 * importance, drift, influence, checks) or runs on demand (explain a row, compare). Runners live in
 * the worker: they take plain inputs and return plain JSON, which the daemon stores per checkpoint
 * content hash. Their metadata (id, title, priority, ...) is the catalog's (catalog.ts), which is
 * all the main thread sees.
 */
import type { Project } from '../../core/project';
import type { CheckpointInfo } from '../../core/model/checkpoints';
import type { StepInfo } from './catalog';

export type { Invalidation } from './catalog';

/** Something a step found that the user should see beside their code or data. */
export interface Finding {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The raw feature the finding is about: shown where its name appears in training code and config. */
  feature?: string;
  /** A place of its own (a data row, a config key), absolute path and 1-based line. */
  file?: string;
  line?: number;
  /** Kind of finding (diagnostic code), e.g. `suspect-row`. */
  code?: string;
  /** Order among findings of the same code (1 = first): the daemon caps some kinds by it. */
  rank?: number;
  /** Evidence elsewhere (data rows, config lines): absolute path, 1-based line. */
  related?: Array<{ file: string; line: number; message: string }>;
}

/** Every step result is plain JSON; `findings` (optional) become diagnostics. */
export interface StepOutput {
  findings?: Finding[];
  [key: string]: unknown;
}

export interface StepContext {
  project: Project;
  checkpoint: CheckpointInfo;
  signal: AbortSignal;
  /** Fraction done in [0, 1] with an optional one-line message; reported as LSP progress. */
  progress(fraction: number, message?: string): void;
  /** Parameters of an on-demand step (e.g. which row to explain). */
  params: Record<string, unknown>;
}

export interface AnalysisStep<R extends StepOutput = StepOutput> extends StepInfo {
  run(ctx: StepContext): Promise<R>;
  /**
   * Frees what the step keeps per project between runs (e.g. an index with tensors): the worker
   * calls it for every step when it drops a project, so it needs no knowledge of any step's internals.
   */
  release?(project: Project): Promise<void>;
}
