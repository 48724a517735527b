/**
 * `glassbox/counterfactual` and `glassbox/whatIf`: converts the request's row reference to a file
 * and line or row, picks the project, and runs the on-demand step on the daemon's worker. The
 * client's `$/cancelRequest` cancels the job (queued or running). Errors a user can act on answer
 * `InvalidRequest` with their one line.
 */
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import type { Daemon } from '../../daemon/daemon';
import type { ProjectState } from '../../daemon/project-state';
import { CounterfactualRequest, WhatIfRequest, type CounterfactualParams, type WhatIfParams } from '../../protocol/counterfactual';
import { toPath } from '../uri';
import { answer, signalOf } from './request';

/** The row reference as the step takes it: an absolute file and a 1-based line, or a 0-based row. */
function rowRef(p: Partial<{ uri: unknown; line: unknown; file: unknown; row: unknown }>): { file: string; line: number } | { file: string; row: number } | undefined {
  if (typeof p.uri === 'string') {
    if (typeof p.line !== 'number' || !Number.isInteger(p.line) || p.line < 0) throw new ResponseError(ErrorCodes.InvalidParams, 'a row given by uri needs a 0-based line');
    return { file: toPath(p.uri), line: p.line + 1 };
  }
  if (typeof p.file === 'string') {
    if (typeof p.row !== 'number') throw new ResponseError(ErrorCodes.InvalidParams, 'a row given by file needs a 0-based row');
    return { file: path.resolve(p.file), row: p.row };
  }
  return undefined;
}

/** The daemon's rule: the named project, else the file's, else the only one (several: an error listing them). */
function projectFor(daemon: Daemon, project: unknown, file: string | undefined): ProjectState {
  return daemon.project(typeof project === 'string' ? project : undefined, file);
}

/** Request fields passed to the step as they are (the step validates them with located messages). */
const PASSED = ['target', 'probability', 'maxChanges', 'immutable', 'directions', 'bounds', 'count'] as const;

export function registerCounterfactual(connection: Connection, daemon: Daemon): void {
  connection.onRequest(CounterfactualRequest.type, (p: CounterfactualParams, token) =>
    answer(() => {
      const ref = rowRef(p as Parameters<typeof rowRef>[0]);
      if (!ref) throw new ResponseError(ErrorCodes.InvalidParams, 'glassbox/counterfactual needs a row: { uri, line } or { file, row }');
      const params: Record<string, unknown> = { ...ref };
      for (const k of PASSED) if (p[k] !== undefined) params[k] = p[k];
      return projectFor(daemon, p.project, ref.file).onDemand('counterfactual', params, p.checkpoint, signalOf(token));
    }),
  );
  connection.onRequest(WhatIfRequest.type, (p: WhatIfParams, token) =>
    answer(() => {
      if (!p || typeof p.values !== 'object' || p.values === null) throw new ResponseError(ErrorCodes.InvalidParams, 'glassbox/whatIf needs the row\'s values');
      const ref = rowRef(p as Parameters<typeof rowRef>[0]);
      const params: Record<string, unknown> = { ...(ref ?? {}), values: p.values };
      if (typeof p.method === 'string') params.method = p.method;
      return projectFor(daemon, p.project, ref?.file).onDemand('whatIf', params, p.checkpoint, signalOf(token));
    }),
  );
}
