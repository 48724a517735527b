/** The Compare panel: one editor tab, reused, comparing two checkpoints. */
import * as vscode from 'vscode';
import { CompareRequest, type CompareParams } from '../../../server/src/protocol/panels';
import { Commands } from '../commandIds';
import { describeDaemonError, type Daemon } from '../daemon';
import type { Host } from '../host';
import { WebviewConnection, webviewOptions } from './webview';

export class ComparePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private connection: WebviewConnection | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly daemon: Daemon, private readonly host: Host) {}

  async show(params: CompareParams): Promise<void> {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel('glassbox.compare', 'Glassbox: Compare', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
      this.connection = new WebviewConnection(panel.webview, this.extensionUri, 'compare', 'Glassbox: Compare', async (m) => {
        if (m.type === 'compare') return this.load({ a: m.a, b: m.b });
        if (m.type === 'openLocation') return this.host.openFile(m.file, m.line);
        if (m.type === 'explainRow') {
          await this.host.openFile(m.file, m.line);
          return this.host.executeCommand(Commands.explainRow);
        }
        return undefined;
      });
      panel.onDidDispose(() => {
        this.connection?.dispose();
        this.panel = undefined;
        this.connection = undefined;
      });
      this.panel = panel;
    } else {
      this.panel.reveal();
    }
    await this.load(params);
  }

  private async load(params: CompareParams): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    connection.post({ type: 'loading', message: `Comparing ${params.a ?? 'the two newest checkpoints'}${params.b ? ` and ${params.b}` : ''}…` });
    try {
      const state = await this.daemon.request(CompareRequest.type, params);
      this.panel!.title = `Compare: ${state.a} → ${state.b}`;
      connection.post({ type: 'compare', state });
    } catch (e) {
      connection.post({ type: 'error', message: describeDaemonError(e, 'Compare Checkpoints') });
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
