/**
 * Owns everything the extension runs: the language client (the daemon, over IPC), the status item
 * driven by `glassbox/serverStatus`, the panels and the commands. The daemon is restarted when it
 * crashes, within the limits of `CrashPolicy` and the `glassbox.daemon.autoRestart` setting.
 */
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import { ExecuteCommandRequest, type RequestType } from 'vscode-languageserver-protocol';
import { ServerStatusNotification, type ServerStatusParams } from '../../server/src/protocol';
import { DashboardChangedNotification } from '../../server/src/protocol/panels';
import { Commands, DASHBOARD_VIEW, WELCOME_VIEW, daemonCommandsToRegister } from './commandIds';
import { COMMAND_FACTORIES, type CommandDeps } from './commands';
import { affectsDaemon, daemonSettings, readConfig, type GlassboxConfig } from './config';
import { CrashPolicy } from './crashPolicy';
import { settingsChange, type Daemon } from './daemon';
import { ComparePanel } from './panels/comparePanel';
import { DashboardView } from './panels/dashboardView';
import { ExplainPanel } from './panels/explainPanel';
import { pickReportTarget } from './panels/export';
import { exportReport } from './panels/report';
import { statusView } from './status';
import { RESTRICTED_MESSAGE } from './trust';
import { vscodeHost } from './vscodeHost';

/** See `daemonCommandsToRegister`: the extension's command keeps the id; the daemon's duplicate is not registered. */
function skipOwnCommands(client: LanguageClient): void {
  const feature = client.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) => register({ ...data, registerOptions: { ...data.registerOptions, commands: daemonCommandsToRegister(data.registerOptions.commands ?? []) } });
}

export class GlassboxContext implements Daemon {
  private client: LanguageClient | undefined;
  private readonly status: vscode.StatusBarItem;
  /** The same status beside CSV files and glassbox.json, in the editor's language status area. */
  private readonly languageStatus: vscode.LanguageStatusItem;
  private lastStatus: ServerStatusParams | undefined;
  private readonly crashes = new CrashPolicy();
  private readonly host = vscodeHost();
  readonly dashboard: DashboardView;
  readonly explain: ExplainPanel;
  readonly compare: ComparePanel;

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.status = vscode.window.createStatusBarItem('glassbox.status', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'Glassbox';
    this.status.command = Commands.openDashboard;
    this.status.show();
    this.languageStatus = vscode.languages.createLanguageStatusItem('glassbox.languageStatus', [{ language: 'csv' }, { pattern: '**/*.csv' }, { pattern: '**/glassbox.json' }]);
    this.languageStatus.name = 'Glassbox';
    this.languageStatus.command = { title: 'Open Dashboard', command: Commands.openDashboard };
    this.dashboard = new DashboardView(extension.extensionUri, this, this.host);
    this.explain = new ExplainPanel(extension.extensionUri, this, this.host);
    this.compare = new ComparePanel(extension.extensionUri, this, this.host);
    const deps: CommandDeps = {
      host: this.host,
      daemon: this,
      config: () => this.config(),
      panels: {
        showExplain: (p) => this.explain.show(p),
        showCompare: (p) => this.compare.show(p),
        refreshDashboard: () => this.dashboard.refresh(),
        exportReport: async (format, project) => void (await exportReport({ daemon: this, host: this.host, pickTarget: pickReportTarget }, format, project)),
      },
    };
    extension.subscriptions.push(
      this.status, this.languageStatus, this.dashboard, this.explain, this.compare,
      vscode.window.registerWebviewViewProvider(DASHBOARD_VIEW, this.dashboard),
      ...Object.entries(COMMAND_FACTORIES).map(([id, factory]) => vscode.commands.registerCommand(id, factory(deps))),
      vscode.languages.onDidChangeDiagnostics(() => this.renderStatus()),
      // The daemon applies its settings without a restart.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!this.client || !this.running || !affectsDaemon((section) => e.affectsConfiguration(section))) return;
        const { type, params } = settingsChange(daemonSettings(this.config()));
        void this.client.sendNotification(type, params);
      }),
    );
    this.renderStatus();
    // Shows the commands that need a Glassbox project (the `when` clauses in package.json).
    void vscode.commands.executeCommand('setContext', 'glassbox.active', true);
    // The welcome view ("Get Started") shows while no workspace folder has a glassbox.json; it is
    // empty by design (its content is `viewsWelcome` in package.json).
    const watcher = vscode.workspace.createFileSystemWatcher('**/glassbox.json');
    const update = () => void this.updateHasConfig();
    extension.subscriptions.push(
      watcher,
      watcher.onDidCreate(update),
      watcher.onDidDelete(update),
      vscode.workspace.onDidChangeWorkspaceFolders(update),
      vscode.window.registerTreeDataProvider(WELCOME_VIEW, { getChildren: () => [], getTreeItem: (item: vscode.TreeItem) => item }),
    );
    update();
  }

  /** Sets `glassbox.hasConfig`: a glassbox.json at the root of a workspace folder (where the daemon looks). */
  private async updateHasConfig(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const found = await Promise.all(folders.map((f) => Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.joinPath(f.uri, 'glassbox.json'))).then(() => true, () => false)));
    await vscode.commands.executeCommand('setContext', 'glassbox.hasConfig', found.some(Boolean));
  }

  config(): GlassboxConfig {
    const section = vscode.workspace.getConfiguration('glassbox');
    return readConfig((key) => section.get(key));
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** The newest `glassbox/serverStatus` (integration tests read it). */
  get serverStatus(): ServerStatusParams | undefined {
    return this.lastStatus;
  }

  /** What the status bar item shows (integration tests read it). */
  get statusText(): string {
    return this.status.text;
  }

  request<P, R>(type: RequestType<P, R, void>, params: P, signal?: AbortSignal): Promise<R> {
    if (!this.client || !this.running) return Promise.reject(new Error('the Glassbox daemon is not running'));
    if (!signal) return this.client.sendRequest(type, params);
    const source = new vscode.CancellationTokenSource();
    signal.addEventListener('abort', () => source.cancel(), { once: true });
    return this.client.sendRequest(type, params, source.token).finally(() => source.dispose());
  }

  async start(): Promise<void> {
    // Also guards "Restart Daemon": no daemon (it loads model files) in Restricted Mode.
    if (!vscode.workspace.isTrusted) throw new Error(RESTRICTED_MESSAGE);
    const module = this.extension.asAbsolutePath('dist/server/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'csv' }, { scheme: 'file', pattern: '**/*.csv' }, { scheme: 'file', pattern: '**/glassbox.json' }],
      initializationOptions: daemonSettings(this.config()),
      // Row hovers link to this command ("What would change this prediction?"); no other command runs from hover text.
      markdown: { isTrusted: { enabledCommands: [Commands.counterfactualRow] } },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => this.crashes.shouldRestart(this.config().autoRestart)
          ? { action: CloseAction.Restart, handled: true }
          : { action: CloseAction.DoNotRestart, message: 'The Glassbox daemon stopped. Run "Glassbox: Restart Daemon" to start it again.' },
      },
    };
    const client = new LanguageClient('glassbox', 'Glassbox', serverOptions, clientOptions);
    this.client = client;
    skipOwnCommands(client);
    client.onNotification(ServerStatusNotification.type, (s) => this.onServerStatus(s));
    client.onNotification(DashboardChangedNotification.type, (state) => this.dashboard.update(state));
    client.onDidChangeState(() => this.renderStatus());
    await client.start();
    this.renderStatus();
  }

  async restart(): Promise<void> {
    this.crashes.reset();
    this.lastStatus = undefined;
    const old = this.client;
    this.client = undefined;
    if (old) await old.dispose().catch(() => undefined);
    this.renderStatus();
    await this.start();
    await this.dashboard.refresh();
  }

  private onServerStatus(s: ServerStatusParams): void {
    const finished = this.lastStatus?.busy && !s.busy;
    const newCheckpoint = s.checkpoint !== this.lastStatus?.checkpoint;
    this.lastStatus = s;
    this.renderStatus();
    // Daemons that do not push `glassbox/dashboardChanged` still get a live side panel.
    if (finished || newCheckpoint) void this.dashboard.refresh();
  }

  private findings(): number {
    let n = 0;
    this.client?.diagnostics?.forEach((_, diagnostics) => { n += diagnostics.length; });
    return n;
  }

  private renderStatus(): void {
    const view = vscode.workspace.isTrusted
      ? statusView(this.lastStatus, this.findings(), this.client !== undefined && this.client.state !== State.Stopped)
      : { text: '$(shield) Glassbox', tooltip: RESTRICTED_MESSAGE, severity: 'info' as const };
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
    this.languageStatus.text = view.text;
    this.languageStatus.detail = view.tooltip.split('\n')[0];
    this.languageStatus.busy = this.lastStatus?.busy ?? false;
    this.languageStatus.severity = view.severity === 'error' ? vscode.LanguageStatusSeverity.Error : view.severity === 'warning' ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    this.status.backgroundColor = view.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.stop().catch(() => undefined);
  }
}
