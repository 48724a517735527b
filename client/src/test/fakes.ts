/** In-memory `Host` and `Daemon` for unit tests: they record what the commands did. */
import type { RequestType } from 'vscode-languageserver-protocol';
import type { CommandDeps } from '../commands';
import { readConfig } from '../config';
import { CancelledError, type Host, type PickItem } from '../host';

export interface Recorded {
  infos: string[];
  errors: string[];
  opened: { file: string; line?: number }[];
  executed: unknown[][];
  written: Record<string, string>;
  explained: unknown[];
  compared: unknown[];
  requests: { method: string; params: unknown; signal?: AbortSignal }[];
  progress: string[];
}

export function fakeDeps(opts: {
  running?: boolean;
  responses?: Record<string, unknown>;
  csvLine?: { file: string; line: number };
  /** Index of the item to pick each time a pick is shown (default: the first). */
  picks?: number[];
  infoAnswer?: string;
  files?: Record<string, string>;
  root?: string;
  /** The user presses Cancel on every progress notification while its task runs. */
  cancelProgress?: boolean;
} = {}): { deps: CommandDeps; rec: Recorded } {
  const rec: Recorded = { infos: [], errors: [], opened: [], executed: [], written: {}, explained: [], compared: [], requests: [], progress: [] };
  const picks = [...(opts.picks ?? [])];
  const files = { ...(opts.files ?? {}) };
  const host: Host = {
    info: async (m) => { rec.infos.push(m); return opts.infoAnswer; },
    error: (m) => { rec.errors.push(m); },
    pick: async <T extends PickItem>(items: T[]) => items[picks.shift() ?? 0],
    openFile: async (file, line) => { rec.opened.push(line === undefined ? { file } : { file, line }); },
    activeCsvLine: () => (opts.csvLine ? { uri: `file://${opts.csvLine.file}`, ...opts.csvLine } : undefined),
    executeCommand: async (...args) => { rec.executed.push(args); },
    workspaceRoot: () => opts.root,
    findFiles: async (include) => Object.keys(files).filter((f) => f.endsWith(include.replace('**/*', '').replace('**/', '/'))),
    readText: async (f) => files[f] ?? '',
    writeText: async (f, t) => { rec.written[f] = t; files[f] = t; },
    exists: async (f) => f in files,
    withProgress: (title, task) => {
      rec.progress.push(title);
      const controller = new AbortController();
      const running = task(controller.signal);
      if (!opts.cancelProgress) return running;
      controller.abort();
      return Promise.reject(new CancelledError(title));
    },
  };
  const deps: CommandDeps = {
    host,
    config: () => readConfig(() => undefined),
    daemon: {
      running: opts.running ?? true,
      async request<P, R>(type: RequestType<P, R, void>, params: P, signal?: AbortSignal): Promise<R> {
        rec.requests.push({ method: type.method, params, ...(signal ? { signal } : {}) });
        const r = opts.responses?.[type.method];
        if (r === undefined) throw Object.assign(new Error('Unhandled method'), { code: -32601 });
        return r as R;
      },
      restart: async () => { rec.executed.push(['restarted']); },
    },
    panels: {
      showExplain: async (p) => { rec.explained.push(p); },
      showCompare: async (p) => { rec.compared.push(p); },
      refreshDashboard: async () => undefined,
      exportReport: async (format, project) => { rec.executed.push(['exportReport', format, project]); },
    },
  };
  return { deps, rec };
}
