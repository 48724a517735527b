/** `workspace/executeCommand` and the typed custom requests of ../../protocol. */
import type { Connection } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes, type CancellationToken } from 'vscode-languageserver/node';
import type { Daemon } from '../../daemon/daemon';
import { CompareRequest, ExportReportRequest, DaemonCommands, DashboardRequest, ExplainRowRequest, ImportanceRequest, RunChecksRequest, TimelineRequest, type DashboardParams, type ExplainState, type ProjectParams } from '../../protocol';
import { toPath } from '../uri';
import { answer, signalOf } from './request';

export const COMMAND_IDS = Object.values(DaemonCommands);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** The `project` a request names, if any (`ProjectParams`; params may be absent altogether). */
const projectOf = (p: { project?: unknown } | null | undefined): string | undefined => str(p?.project);

export function registerCommands(connection: Connection, daemon: Daemon): void {
  const explain = (uri: unknown, line: unknown, options: { method?: unknown; checkpoint?: unknown; influence?: unknown; project?: unknown } = {}): Promise<ExplainState> => {
    if (typeof uri !== 'string' || typeof line !== 'number') throw new ResponseError(ErrorCodes.InvalidParams, 'explainRow takes a document uri and a 0-based line');
    const o: { method?: string; checkpoint?: string; influence?: boolean; project?: string } = {};
    if (typeof options.method === 'string' && options.method) o.method = options.method;
    if (typeof options.project === 'string') o.project = options.project;
    if (typeof options.checkpoint === 'string') o.checkpoint = options.checkpoint;
    if (typeof options.influence === 'boolean') o.influence = options.influence;
    return answer(() => daemon.explainRow(toPath(uri), line + 1, o));
  };
  connection.onRequest(ExplainRowRequest.type, (p) => explain(p.uri, p.line, p));
  // By method name: `ProjectParams` may be left out altogether (clients written before it), which
  // the typed registration would refuse as a missing parameter.
  connection.onRequest(ImportanceRequest.method, (p?: ProjectParams) =>
    answer(async () => {
      const r = daemon.importance(projectOf(p));
      return r ? { project: r.project, checkpoint: r.checkpoint, method: r.value.method, rows: r.value.rows, file: r.value.file, features: r.value.features, meanAbs: r.value.meanAbs, share: r.value.share } : null;
    }),
  );
  connection.onRequest(TimelineRequest.method, (p?: ProjectParams) => answer(async () => daemon.timeline(projectOf(p))));
  connection.onRequest(DashboardRequest.method, (p?: DashboardParams) => answer(async () => daemon.dashboard({ ...(projectOf(p) !== undefined ? { project: projectOf(p) } : {}), ...(typeof p?.checkpoint === 'string' ? { checkpoint: p.checkpoint } : {}) })));
  connection.onRequest(CompareRequest.type, (p) => answer(() => daemon.compare(str(p?.a), str(p?.b), projectOf(p))));
  connection.onRequest(RunChecksRequest.method, (p: ProjectParams | undefined, token: CancellationToken) => answer(() => daemon.runChecks(signalOf(token), projectOf(p))));
  connection.onRequest(ExportReportRequest.type, (p) => answer(() => daemon.exportReport(p?.format === 'md' ? 'md' : 'html', projectOf(p))));
  connection.onExecuteCommand(async ({ command, arguments: args = [] }) => {
    if (command === DaemonCommands.explainRow) return explain(args[0], args[1], { method: args[2] });
    if (command === DaemonCommands.analyze) {
      daemon.analyze();
      return null;
    }
    throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command '${command}'`);
  });
}
