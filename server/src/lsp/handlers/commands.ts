/** `workspace/executeCommand` and the typed custom requests of ../../protocol. */
import type { Connection } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes, LSPErrorCodes, type CancellationToken } from 'vscode-languageserver/node';
import { JobError } from '../../daemon/worker-host';
import type { Daemon } from '../../daemon/daemon';
import { CompareRequest, ExportReportRequest, DaemonCommands, DashboardRequest, ExplainRowRequest, ImportanceRequest, RunChecksRequest, TimelineRequest, type ExplainState } from '../../protocol';
import { toPath } from '../uri';

export const COMMAND_IDS = Object.values(DaemonCommands);

/**
 * A daemon error the user can act on (no checkpoint yet, no such row) becomes InvalidRequest; work
 * the client cancelled (`$/cancelRequest`) ends as RequestCancelled.
 */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    if (e instanceof JobError && e.cancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, e.message);
    throw new ResponseError(ErrorCodes.InvalidRequest, (e as Error).message);
  }
}

/** An AbortSignal that follows an LSP cancellation token. */
function signalOf(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

export function registerCommands(connection: Connection, daemon: Daemon): void {
  const explain = (uri: unknown, line: unknown, options: { method?: unknown; checkpoint?: unknown; influence?: unknown } = {}): Promise<ExplainState> => {
    if (typeof uri !== 'string' || typeof line !== 'number') throw new ResponseError(ErrorCodes.InvalidParams, 'explainRow takes a document uri and a 0-based line');
    const o: { method?: string; checkpoint?: string; influence?: boolean } = {};
    if (typeof options.method === 'string') o.method = options.method;
    if (typeof options.checkpoint === 'string') o.checkpoint = options.checkpoint;
    if (typeof options.influence === 'boolean') o.influence = options.influence;
    return answer(() => daemon.explainRow(toPath(uri), line + 1, o));
  };
  connection.onRequest(ExplainRowRequest.type, (p) => explain(p.uri, p.line, p));
  connection.onRequest(ImportanceRequest.type, () => {
    const r = daemon.importance();
    return r ? { checkpoint: r.checkpoint, method: r.value.method, rows: r.value.rows, features: r.value.features, meanAbs: r.value.meanAbs, share: r.value.share } : null;
  });
  connection.onRequest(TimelineRequest.type, () => daemon.timeline());
  connection.onRequest(DashboardRequest.type, () => daemon.dashboard());
  connection.onRequest(CompareRequest.type, (p) => answer(() => daemon.compare(p?.a, p?.b)));
  connection.onRequest(RunChecksRequest.type, (_params, token) => answer(() => daemon.runChecks(signalOf(token))));
  connection.onRequest(ExportReportRequest.type, (p) => answer(() => daemon.exportReport(p?.format === 'md' ? 'md' : 'html')));
  connection.onExecuteCommand(async ({ command, arguments: args = [] }) => {
    if (command === DaemonCommands.explainRow) return explain(args[0], args[1], { method: args[2] });
    if (command === DaemonCommands.analyze) {
      daemon.analyze();
      return null;
    }
    throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command '${command}'`);
  });
}
