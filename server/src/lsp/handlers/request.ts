/**
 * The plumbing every custom request handler shares: how daemon errors become LSP response errors,
 * and how an LSP cancellation token becomes the AbortSignal the daemon's jobs take.
 */
import type { CancellationToken } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes, LSPErrorCodes } from 'vscode-languageserver/node';
import { JobError } from '../../daemon/worker-host';

/**
 * Runs `work` and converts its failure: a `ResponseError` passes unchanged; a job the client
 * cancelled (`$/cancelRequest`) ends as RequestCancelled; any other daemon error (no checkpoint yet,
 * no such row) becomes InvalidRequest with its one-line message.
 */
export async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    if (e instanceof JobError && e.cancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, e.message);
    throw new ResponseError(ErrorCodes.InvalidRequest, (e as Error).message);
  }
}

/** An AbortSignal that follows an LSP cancellation token (already aborted if the token already is). */
export function signalOf(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
