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
  | 'file'
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
    // One line, of bounded length, whatever was interpolated into it (engine errors span lines;
    // a data value can be megabytes): the CLI prints it as one line and editors show it whole.
    super(oneLine(message, MAX_MESSAGE));
    this.name = 'GlassboxError';
  }

  /** `file:line:col: message`, the form editors and terminals turn into links. */
  format(): string {
    if (!this.location) return this.message;
    const { file, line, column } = this.location;
    const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
    return `${oneLine(where, MAX_MESSAGE)}: ${this.message}`;
  }
}

/** Longest value a message echoes (see `echo`). */
export const MAX_ECHO = 200;
/** Longest message a `GlassboxError` keeps; longer ones end in `…`. */
export const MAX_MESSAGE = 2000;

/**
 * A user-supplied value as it appears inside a message: at most `max` characters (then `…` and the
 * full length), with line breaks and control characters escaped so the message stays one line.
 */
export function echo(value: unknown, max = MAX_ECHO): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > max ? s.slice(0, max) : s;
  // eslint-disable-next-line no-control-regex
  const shown = cut.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return s.length > max ? `${shown}… (${s.length} characters)` : shown;
}

/**
 * `text` as one line: each run of whitespace holding a line break becomes one space, other control
 * characters are dropped, and the result is cut to `max` characters with `…`.
 */
export function oneLine(text: string, max = MAX_MESSAGE): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isGlassboxError(e: unknown): e is GlassboxError {
  return e instanceof GlassboxError;
}

/** Throws a `cancelled` error when the signal has fired; long loops call it between batches. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GlassboxError('cancelled', 'the analysis was cancelled');
}
