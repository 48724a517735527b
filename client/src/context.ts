/**
 * Owns the language client (the daemon connection) and the status item driven by the daemon's
 * `glassbox/serverStatus` notification.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ServerStatusNotification, type ServerStatusParams } from '../../server/src/protocol';

export class GlassboxContext {
  private client: LanguageClient | undefined;
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.status = vscode.window.createStatusBarItem('glassbox.status', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'Glassbox';
    this.status.text = '$(loading~spin) Glassbox';
    this.status.show();
    extension.subscriptions.push(this.status);
  }

  async start(): Promise<void> {
    const module = this.extension.asAbsolutePath('dist/server/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'csv' }, { scheme: 'file', pattern: '**/glassbox.json' }],
    };
    this.client = new LanguageClient('glassbox', 'Glassbox', serverOptions, clientOptions);
    this.client.onNotification(ServerStatusNotification.type, (s) => this.showStatus(s));
    await this.client.start();
  }

  private showStatus(s: ServerStatusParams): void {
    const icon = s.busy ? '$(sync~spin)' : s.health === 'error' ? '$(error)' : s.health === 'warning' ? '$(warning)' : '$(pass)';
    this.status.text = `${icon} Glassbox${s.backend ? ` (${s.backend})` : ''}`;
    this.status.tooltip = [s.message, ...(s.backendNotes ?? [])].join('\n');
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
    this.client = undefined;
  }
}
