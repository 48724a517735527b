/**
 * How the CLI reports a failure: always one line on stderr and a documented exit code.
 *   2   an input or usage problem (`GlassboxError`), printed as `file:line: message`, and the
 *       engine running out of memory, which the user fixes by a smaller input or another backend;
 *   70  anything else (EX_SOFTWARE): a bug, printed as "internal error ... (please report)", with
 *       the stack only when GLASSBOX_DEBUG=1.
 */
import { GlassboxError, isGlassboxError, oneLine } from '../core/errors';

export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 70;

/**
 * What WebAssembly and typed-array allocation failures say. tfjs-backend-wasm aborts with
 * `Aborted()` (and every later call then fails the same way) or traps with "memory access out of
 * bounds" when its heap cannot grow; the cpu backend fails to allocate an ArrayBuffer. "Maximum
 * call stack size exceeded" is a RangeError too, and is deliberately not in the list.
 */
const OUT_OF_MEMORY = /Aborted\(|memory access out of bounds|out of memory|Cannot enlarge memory|Array buffer allocation failed|Invalid typed array length|Invalid array buffer length|WebAssembly\.Memory|could not allocate|failed to grow memory/i;

/** The engine's out-of-memory failure as the message the user can act on, or undefined. */
export function outOfMemoryMessage(e: unknown, backend: string | undefined): string | undefined {
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  if (!OUT_OF_MEMORY.test(message)) return undefined;
  const detail = oneLine(message.replace(/^TF\.js could not build the model: /, ''), 120);
  return `the model is too large for the ${backend ?? 'current'} backend (${detail}); try a native backend (@tensorflow/tfjs-node) or fewer rows (--limit)`;
}

export interface Failure {
  /** The line to print on stderr, newline included. */
  text: string;
  exitCode: number;
}

/**
 * Turns anything thrown by a command into its one-line report. `prefix` is `glassbox <command>`;
 * `backend` the engine in use when known.
 */
export function describeFailure(e: unknown, prefix: string, backend?: string, env: NodeJS.ProcessEnv = process.env): Failure {
  const oom = outOfMemoryMessage(e, backend);
  if (oom) {
    const location = isGlassboxError(e) ? e.location : undefined;
    return { text: `${prefix}: ${new GlassboxError('engine', oom, location).format()}\n`, exitCode: EXIT_INPUT };
  }
  if (isGlassboxError(e)) return { text: `${prefix}: ${e.format()}\n`, exitCode: EXIT_INPUT };
  const message = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : safeString(e);
  let text = `glassbox: internal error: ${oneLine(message, 500)} (please report)\n`;
  if (env.GLASSBOX_DEBUG === '1' && e instanceof Error && e.stack) text += `${e.stack}\n`;
  return { text, exitCode: EXIT_INTERNAL };
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
