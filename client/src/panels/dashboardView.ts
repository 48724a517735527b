/**
 * The side panel: a webview view in the Glassbox view container, fed by `glassbox/dashboard` for
 * the checkpoint its picker shows (every section follows it) and by the daemon's pushes.
 */
import * as vscode from 'vscode';
import { RequestType } from 'vscode-languageserver-protocol';
import { DashboardRequest, type DashboardState } from '../../../server/src/protocol/panels';
import { TimelineRequest, type TimelineEntry } from '../../../server/src/protocol';
import { Commands } from '../commandIds';
import { describeDaemonError, type Daemon } from '../daemon';
import type { Host } from '../host';
import { DashboardSelection, importanceHistory } from './panelMessages';
import { WebviewConnection } from './webview';

/** `glassbox/timeline` takes no params; the daemon connection's `request` wants a typed param. */
const Timeline = new RequestType<Record<string, never>, TimelineEntry[], void>(TimelineRequest.method);

export class DashboardView implements vscode.WebviewViewProvider, vscode.Disposable {
  private connection: WebviewConnection | undefined;
  /** Orders answers: a state that arrives after a newer one was posted is dropped. */
  private sequence = 0;
  private readonly selection = new DashboardSelection();

  constructor(private readonly extensionUri: vscode.Uri, private readonly daemon: Daemon, private readonly host: Host) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.connection?.dispose();
    const connection = new WebviewConnection(view.webview, this.extensionUri, 'sidebar', 'Glassbox', async (m) => {
      switch (m.type) {
        case 'ready':
        case 'refresh':
          return this.refresh();
        case 'openLocation':
          return this.host.openFile(m.file, m.line);
        case 'explainRow':
          await this.host.openFile(m.file, m.line);
          return this.host.executeCommand(Commands.explainRow);
        case 'compare':
          return this.host.executeCommand(Commands.compareCheckpoints, m.a, m.b);
        case 'runChecks':
          return this.host.executeCommand(Commands.runChecks);
        case 'selectCheckpoint':
          this.selection.pick(m.checkpoint);
          return this.refresh();
        case 'selectProject':
          this.selection.pickProject(m.project);
          return this.refresh();
        case 'exportReport':
          return this.host.executeCommand(Commands.exportReport, m.format, this.selection.project);
        case 'selectMethod':
          return undefined;
      }
    });
    this.connection = connection;
    view.onDidDispose(() => {
      connection.dispose();
      if (this.connection === connection) this.connection = undefined;
    });
  }

  /** Live update pushed by the daemon (the newest checkpoint's state of one project). */
  update(state: DashboardState): void {
    const action = this.selection.onPushed(state);
    if (action === 'show') void this.post(state);
    else if (action === 'refetch') void this.refresh();
  }

  /**
   * Posts the state with the importance trend of the run added (from `glassbox/timeline`) when the
   * daemon's state does not carry one; without the timeline the panel says the trend is missing.
   */
  private async post(state: DashboardState): Promise<void> {
    const mine = ++this.sequence;
    let full: DashboardState = state;
    if (!('importanceHistory' in state)) {
      try {
        full = { ...state, importanceHistory: importanceHistory(await this.daemon.request(Timeline, {}), state.checkpoints) } as DashboardState;
      } catch {
        /* an older daemon without the timeline: the panel shows no trend */
      }
    }
    if (mine !== this.sequence) return;
    this.selection.shown(state);
    this.connection?.post({ type: 'dashboard', state: full });
  }

  async refresh(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    if (!this.daemon.running) {
      connection.post({ type: 'error', message: 'The Glassbox daemon is not running. Run "Glassbox: Restart Daemon".' });
      return;
    }
    try {
      await this.post(await this.daemon.request(DashboardRequest.type, this.selection.params()));
    } catch (e) {
      if (this.selection.checkpoint) {
        // The picked checkpoint is gone (a new run, files removed): show the newest; the panel
        // says the picked one's numbers are not available.
        this.selection.pick(null);
        return this.refresh();
      }
      connection.post({ type: 'error', message: describeDaemonError(e, 'The Glassbox dashboard') });
    }
  }

  /** True once VS Code has created the view (for tests and the status item). */
  get resolved(): boolean {
    return this.connection !== undefined;
  }

  /** The panel's React app has started (integration tests wait on it). */
  get appReady(): boolean {
    return this.connection?.appReady ?? false;
  }

  dispose(): void {
    this.connection?.dispose();
  }
}
