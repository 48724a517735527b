/**
 * One factory per command. Commands that need the daemon go through `needsDaemon`, which offers a
 * restart instead of failing when the daemon is not running, and turns a failed request into one
 * message. Everything reaches VS Code through `Host`, so these run in unit tests.
 */
import { DashboardRequest, ExplainRowRequest, RunChecksRequest, type CompareParams, type ExplainRowParams, type InfluentialRow } from '../../server/src/protocol/panels';
import { Commands, DASHBOARD_VIEW, type CommandId } from './commandIds';
import type { GlassboxConfig } from './config';
import { describeDaemonError, type Daemon } from './daemon';
import { CancelledError, type Host } from './host';
import { createConfigFile } from './setup/createConfig';

/** The panels the commands open (panels/*.ts). */
export interface Panels {
  /** `counterfactuals`: the panel also asks for the row's counterfactuals (`glassbox/counterfactual`). */
  showExplain(params: ExplainRowParams & { counterfactuals?: boolean }): Promise<void>;
  showCompare(params: CompareParams): Promise<void>;
  refreshDashboard(): Promise<void>;
  /** Export Report (panels/report.ts): asks where to save, then the daemon for the report. */
  exportReport(format: 'html' | 'md', project?: string): Promise<void>;
}

export interface CommandDeps {
  host: Host;
  daemon: Daemon;
  panels: Panels;
  config(): GlassboxConfig;
}

type Handler = (...args: unknown[]) => Promise<void>;
type Factory = (deps: CommandDeps) => Handler;

const NOT_RUNNING = 'The Glassbox daemon is not running.';
const RESTART = 'Restart Daemon';

function needsDaemon(what: string, factory: Factory): Factory {
  return (deps) => {
    const run = factory(deps);
    return async (...args) => {
      if (!deps.daemon.running) {
        if ((await deps.host.info(NOT_RUNNING, RESTART)) === RESTART) await deps.host.executeCommand(Commands.restartDaemon);
        return;
      }
      try {
        await run(...args);
      } catch (e) {
        // Cancelled from its notification: the user knows, nothing failed.
        if (e instanceof CancelledError) return;
        deps.host.error(describeDaemonError(e, what));
      }
    };
  };
}

function csvRow(deps: CommandDeps): ExplainRowParams | undefined {
  const pos = deps.host.activeCsvLine();
  if (!pos) {
    void deps.host.info('Put the cursor on a row of a CSV file first.');
    return undefined;
  }
  if (pos.line === 0) {
    void deps.host.info('The first line is the header: put the cursor on a data row.');
    return undefined;
  }
  const method = deps.config().explainMethod;
  return { uri: pos.uri, line: pos.line, ...(method ? { method } : {}) };
}

function rowItem(r: InfluentialRow, kind: string) {
  const values = Object.entries(r.values).slice(0, 5).map(([k, v]) => `${k}=${v ?? '?'}`).join(', ');
  return { label: `${kind} ${r.file.split(/[\\/]/).pop()}:${r.line}`, description: `influence ${r.influence.toPrecision(3)} · label ${r.label ?? '?'}`, detail: values, row: r };
}

export const COMMAND_FACTORIES: Record<CommandId, Factory> = {
  // From the palette: the cursor's row; from a code action on a suspect row: (uri, 0-based line).
  [Commands.explainRow]: needsDaemon('Explain This Row', (deps) => async (uri?: unknown, line?: unknown) => {
    const method = deps.config().explainMethod;
    const params = typeof uri === 'string' && typeof line === 'number' ? { uri, line, ...(method ? { method } : {}) } : csvRow(deps);
    if (params) await deps.panels.showExplain(params);
  }),

  // From the row hover's link or the palette: the Explain panel on the row, with its counterfactuals.
  [Commands.counterfactualRow]: needsDaemon('What Would Change This Prediction?', (deps) => async (uri?: unknown, line?: unknown) => {
    const params = typeof uri === 'string' && typeof line === 'number' ? { uri, line } : csvRow(deps);
    if (params) await deps.panels.showExplain({ ...params, counterfactuals: true });
  }),

  [Commands.showInfluentialRows]: needsDaemon('Show Influential Training Rows', (deps) => async () => {
    const params = csvRow(deps);
    if (!params) return;
    const state = await deps.host.withProgress('Finding influential training rows…', (signal) => deps.daemon.request(ExplainRowRequest.type, params, signal));
    if (!state.influence) {
      void deps.host.info('Influential training rows are not available yet for this checkpoint.');
      return;
    }
    const items = [...state.influence.proponents.map((r) => rowItem(r, '$(arrow-up)')), ...state.influence.opponents.map((r) => rowItem(r, '$(arrow-down)'))];
    const chosen = await deps.host.pick(items, `Training rows that most support (↑) or oppose (↓) the prediction for line ${state.line}`);
    if (chosen) await deps.host.openFile(chosen.row.file, chosen.row.line);
  }),

  [Commands.compareCheckpoints]: needsDaemon('Compare Checkpoints', (deps) => async (a?: unknown, b?: unknown) => {
    if (typeof a === 'string' && typeof b === 'string') return deps.panels.showCompare({ a, b });
    const dashboard = await deps.daemon.request(DashboardRequest.type, {});
    const ready = dashboard.checkpoints.filter((c) => c.state === 'ready');
    if (ready.length < 2) {
      void deps.host.info('Comparing needs at least two ready checkpoints.');
      return;
    }
    const items = ready.map((c) => ({ label: c.name, description: c.epoch !== undefined ? `epoch ${c.epoch}` : undefined }));
    const first = await deps.host.pick(items.slice(0, -1), 'Checkpoint before');
    if (!first) return;
    const second = await deps.host.pick(items.slice(items.indexOf(first) + 1), `Checkpoint after ${first.label}`);
    if (second) await deps.panels.showCompare({ a: first.label, b: second.label });
  }),

  [Commands.runChecks]: needsDaemon('Run Checks', (deps) => async () => {
    const results = await deps.host.withProgress('Running Glassbox checks…', (signal) => deps.daemon.request(RunChecksRequest.type, {}, signal));
    const failed = results.filter((r) => r.status === 'fail').length;
    const warned = results.filter((r) => r.status === 'warn').length;
    await deps.panels.refreshDashboard();
    void deps.host.info(`Glassbox checks: ${results.length - failed - warned} passed, ${warned} warnings, ${failed} failed.`);
  }),

  // From the palette (HTML, Markdown when a .md name is chosen) or the side panel's Export report (format, project).
  [Commands.exportReport]: needsDaemon('Export Report', (deps) => async (format?: unknown, project?: unknown) => {
    await deps.panels.exportReport(format === 'md' ? 'md' : 'html', typeof project === 'string' ? project : undefined);
  }),

  [Commands.openDashboard]: (deps) => async () => {
    await deps.host.executeCommand(`${DASHBOARD_VIEW}.focus`);
  },

  [Commands.showSuspectRows]: needsDaemon('Show Suspect Rows', (deps) => async () => {
    const dashboard = await deps.daemon.request(DashboardRequest.type, {});
    if (!dashboard.suspects) {
      void deps.host.info('Suspect rows are not available yet: the newest checkpoint has not been analysed.');
      return;
    }
    if (dashboard.suspects.length === 0) {
      void deps.host.info('No suspect rows found.');
      return;
    }
    const items = dashboard.suspects.map((s) => ({ label: `${s.file.split(/[\\/]/).pop()}:${s.line}`, description: s.reason, detail: `label ${s.label ?? '?'} → predicted ${s.predicted ?? '?'} · score ${s.score.toPrecision(3)}`, s }));
    const chosen = await deps.host.pick(items, 'Rows worth a look');
    if (chosen) await deps.host.openFile(chosen.s.file, chosen.s.line);
  }),

  [Commands.restartDaemon]: (deps) => async () => {
    try {
      await deps.daemon.restart();
    } catch (e) {
      deps.host.error(`The Glassbox daemon did not start: ${(e as Error).message}`);
    }
  },

  [Commands.createConfig]: (deps) => async () => {
    await createConfigFile(deps.host);
  },
};
