/** `workspace/executeCommand` and the typed custom requests of ../../protocol. */
import type { Connection } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import type { Daemon } from '../../daemon/daemon';
import { DaemonCommands, ExplainRowRequest, ImportanceRequest, TimelineRequest, type RowExplanation } from '../../protocol';
import { toPath } from '../uri';

export const COMMAND_IDS = Object.values(DaemonCommands);

export function registerCommands(connection: Connection, daemon: Daemon): void {
  const explain = async (uri: unknown, line: unknown): Promise<RowExplanation> => {
    if (typeof uri !== 'string' || typeof line !== 'number') throw new ResponseError(ErrorCodes.InvalidParams, 'explainRow takes a document uri and a 0-based line');
    try {
      return await daemon.explainRow(toPath(uri), line + 1);
    } catch (e) {
      throw new ResponseError(ErrorCodes.InvalidRequest, (e as Error).message);
    }
  };
  connection.onRequest(ExplainRowRequest.type, (p) => explain(p.uri, p.line));
  connection.onRequest(ImportanceRequest.type, () => {
    const r = daemon.importance();
    return r ? { checkpoint: r.checkpoint, method: r.value.method, rows: r.value.rows, features: r.value.features, meanAbs: r.value.meanAbs, share: r.value.share } : null;
  });
  connection.onRequest(TimelineRequest.type, () => daemon.timeline());
  connection.onExecuteCommand(async ({ command, arguments: args = [] }) => {
    if (command === DaemonCommands.explainRow) return explain(args[0], args[1]);
    if (command === DaemonCommands.analyze) {
      daemon.analyze();
      return null;
    }
    throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command '${command}'`);
  });
}
