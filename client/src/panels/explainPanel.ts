/**
 * The Explain panel: one editor tab, reused, showing the row last asked about. Pinned (the
 * default) it stays on that row; unpinned it follows the cursor through CSV files (debounced, the
 * header line ignored). Its what-if editor and counterfactuals are daemon requests about the shown
 * row (`glassbox/whatIf`, `glassbox/counterfactual`); a newer one cancels the one still running.
 */
import * as vscode from 'vscode';
import { CounterfactualRequest, WhatIfRequest } from '../../../server/src/protocol/counterfactual';
import { ExplainRowRequest, type ExplainRowParams, type RawValue } from '../../../server/src/protocol/panels';
import { describeDaemonError, type Daemon } from '../daemon';
import type { Host } from '../host';
import { counterfactualParams, followTarget, LatestOnly, whatIfParams } from './panelMessages';
import { WebviewConnection, webviewOptions } from './webview';

/** Wait for the cursor to settle before explaining the row under it (each move is a daemon request). */
const FOLLOW_DELAY_MS = 300;

export class ExplainPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private connection: WebviewConnection | undefined;
  private params: ExplainRowParams | undefined;
  private follow: vscode.Disposable | undefined;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  /** The shown row's checkpoint: what-if edits are explained on the same one. */
  private checkpoint: string | undefined;
  private readonly whatIf = new LatestOnly();
  private readonly counterfactual = new LatestOnly();

  constructor(private readonly extensionUri: vscode.Uri, private readonly daemon: Daemon, private readonly host: Host) {}

  /** `counterfactuals`: also search the row's counterfactuals (the "What would change this prediction?" command). */
  async show(params: ExplainRowParams & { counterfactuals?: boolean }): Promise<void> {
    const { counterfactuals, ...rest } = params;
    params = rest;
    this.setRow(params);
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel('glassbox.explain', 'Glassbox: Explain', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: false });
      this.connection = new WebviewConnection(panel.webview, this.extensionUri, 'explain', 'Glassbox: Explain', async (m) => {
        if (m.type === 'openLocation') return this.host.openFile(m.file, m.line);
        if (m.type === 'selectMethod' && this.params) return this.load({ ...this.params, method: m.method });
        if (m.type === 'refresh' && this.params) return this.load(this.params);
        if (m.type === 'explainMethods' && this.params) return this.loadMethods(this.params, m.methods);
        if (m.type === 'pin') return this.setPinned(m.pinned);
        if (m.type === 'whatIf' && this.params) return this.runWhatIf(this.params, m.id, m.values);
        if (m.type === 'counterfactuals' && this.params) return this.runCounterfactuals(this.params, { target: m.target, maxChanges: m.maxChanges });
        return undefined;
      });
      panel.onDidDispose(() => {
        this.setPinned(true);
        this.connection?.dispose();
        this.panel = undefined;
        this.connection = undefined;
      });
      this.panel = panel;
    } else {
      this.panel.reveal(undefined, true);
    }
    await this.load(params);
    if (counterfactuals) await this.runCounterfactuals(params, {});
  }

  private async load(params: ExplainRowParams): Promise<void> {
    this.setRow(params);
    const connection = this.connection;
    if (!connection) return;
    connection.post({ type: 'loading', message: `Explaining line ${params.line + 1}…` });
    try {
      const state = await this.daemon.request(ExplainRowRequest.type, params);
      this.panel!.title = `Explain: line ${state.line}`;
      this.checkpoint = state.checkpoint;
      connection.post({ type: 'explain', state });
    } catch (e) {
      connection.post({ type: 'error', message: describeDaemonError(e, 'Explain This Row') });
    }
  }

  /**
   * Answers about another row are of no use now; the same row (another method, a refresh) keeps
   * its running what-if and counterfactual requests, which the panel still waits for.
   */
  private setRow(params: ExplainRowParams): void {
    if (this.params && (this.params.uri !== params.uri || this.params.line !== params.line)) {
      this.whatIf.cancel();
      this.counterfactual.cancel();
    }
    this.params = params;
  }

  private setPinned(pinned: boolean): void {
    clearTimeout(this.followTimer);
    this.follow?.dispose();
    this.follow = undefined;
    if (pinned) return;
    this.follow = vscode.window.onDidChangeTextEditorSelection((e) => {
      const doc = e.textEditor.document;
      const target = followTarget(this.params, { uri: doc.uri.toString(), line: e.selections[0]?.active.line ?? 0, languageId: doc.languageId, path: doc.uri.path });
      if (!target || !this.params) return;
      clearTimeout(this.followTimer);
      const next = { ...this.params, ...target };
      this.followTimer = setTimeout(() => void this.load(next), FOLLOW_DELAY_MS);
    });
  }

  /** The same row with each method, side by side (no influence: it does not depend on the method). */
  private async loadMethods(params: ExplainRowParams, methods: string[]): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    try {
      const states = await Promise.all([...new Set(methods)].map((method) => this.daemon.request(ExplainRowRequest.type, { ...params, method, influence: false })));
      connection.post({ type: 'explainMethods', states });
    } catch (e) {
      connection.post({ type: 'error', message: describeDaemonError(e, 'Explain This Row (side by side)') });
      if (connection.lastMessage) connection.post(connection.lastMessage);
    }
  }

  /** The shown row with the user's edits, explained again; only the newest edit's answer is posted. */
  private async runWhatIf(params: ExplainRowParams, id: number, values: Record<string, RawValue>): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const answer = await this.whatIf.run((signal) => this.daemon.request(WhatIfRequest.type, whatIfParams(params, values, this.checkpoint), signal));
    if (answer === undefined) return; // superseded by a newer edit, or the row changed
    if ('error' in answer) connection.post({ type: 'whatIf', id, error: describeDaemonError(answer.error, 'What if') });
    else connection.post({ type: 'whatIf', id, result: answer.value });
  }

  private async runCounterfactuals(params: ExplainRowParams, options: { target?: string; maxChanges?: number }): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    connection.post({ type: 'counterfactuals', status: 'searching' });
    const answer = await this.counterfactual.run((signal) => this.daemon.request(CounterfactualRequest.type, counterfactualParams(params, options, this.checkpoint), signal));
    if (answer === undefined) return;
    if ('error' in answer) connection.post({ type: 'counterfactuals', status: 'error', message: describeDaemonError(answer.error, 'Counterfactuals') });
    else connection.post({ type: 'counterfactuals', status: 'done', result: answer.value });
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** The panel's React app has started (integration tests wait on it). */
  get appReady(): boolean {
    return this.connection?.appReady ?? false;
  }

  dispose(): void {
    this.whatIf.cancel();
    this.counterfactual.cancel();
    this.setPinned(true);
    this.panel?.dispose();
  }
}
