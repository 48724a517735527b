/**
 * Errors a user can act on. Each names the file (and line, when there is one) so the CLI can print
 * a one-line message and the daemon can place a diagnostic at the offending place.
 */
export type ErrorCode =
  | 'usage'
  | 'config'
  | 'csv'
  | 'schema'
  | 'checkpoint'
  | 'checkpoint-incomplete'
  | 'shape'
  | 'model'
  | 'engine'
  | 'cancelled';

export interface SourceLocation {
  file: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
}

export class GlassboxError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
    this.name = 'GlassboxError';
  }

  /** `file:line:col: message`, the form editors and terminals turn into links. */
  format(): string {
    if (!this.location) return this.message;
    const { file, line, column } = this.location;
    const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
    return `${where}: ${this.message}`;
  }
}

export function isGlassboxError(e: unknown): e is GlassboxError {
  return e instanceof GlassboxError;
}

/** Throws a `cancelled` error when the signal has fired; long loops call it between batches. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GlassboxError('cancelled', 'the analysis was cancelled');
}
