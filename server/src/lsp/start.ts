/**
 * Wires a language-server connection (IPC, stdio, or an in-process stream in tests) to a Daemon.
 * Capabilities: hover on CSV files, diagnostics (pushed), code actions on them, executeCommand, the custom requests of
 * ../protocol, work-done progress and the `glassbox/serverStatus` notification.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeActionKind, TextDocuments, TextDocumentSyncKind, type Connection, type InitializeParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Daemon, type DaemonOptions } from '../daemon/daemon';
import { DashboardChangedNotification, ServerStatusNotification, readSettings, type GlassboxSettingsChange } from '../protocol';
import { diagnosticsPublisher } from './handlers/diagnostics';
import { progressReporter } from './handlers/progress';
import { registerHover } from './handlers/hover';
import { registerCodeActions } from './handlers/code-actions';
import { COMMAND_IDS, registerCommands } from './handlers/commands';
import { registerClientWatchers, registerWatch } from './handlers/watch';
import { registerCounterfactual } from './handlers/counterfactual';
import { registerTools } from './handlers/tools';
import { toPath } from './uri';
import { CONFIG_FILE } from '../core/config/config';

export interface ServerOptions extends Partial<Omit<DaemonOptions, 'ownWatcher'>> {
  /** Force the daemon's own watcher on or off; by default on when the client cannot watch. */
  ownWatcher?: boolean;
}

/** dist/server/worker.js beside the bundle that runs this (server.js or cli.js). */
export function defaultWorkerScript(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.join(here, 'worker.js'), path.join(here, 'server', 'worker.js')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}


export function startServer(connection: Connection, options: ServerOptions = {}): { daemon(): Daemon | undefined } {
  const documents = new TextDocuments(TextDocument);
  let daemon: Daemon | undefined;
  let folders: string[] = [];
  let progressSupported = false;
  let dynamicWatch = false;
  const progress = progressReporter(connection, () => progressSupported);
  const publish = diagnosticsPublisher(connection);

  connection.onInitialize((params: InitializeParams) => {
    progressSupported = Boolean(params.capabilities.window?.workDoneProgress);
    dynamicWatch = Boolean(params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration);
    folders = params.workspaceFolders?.map((f) => toPath(f.uri)) ?? (params.rootUri ? [toPath(params.rootUri)] : []);
    daemon = new Daemon(
      {
        status: (s) => void connection.sendNotification(ServerStatusNotification.type, s),
        diagnostics: publish,
        jobStarted: (job) => progress.started(job),
        jobProgress: (job, f, m) => progress.progress(job, f, m),
        jobEnded: (job, outcome) => progress.ended(job, outcome),
        dashboard: (state) => void connection.sendNotification(DashboardChangedNotification.type, state),
        log: (message) => connection.console.warn(message),
      },
      {
        ...options,
        workerScript: options.workerScript ?? defaultWorkerScript(),
        ownWatcher: options.ownWatcher ?? !dynamicWatch,
        // The client's settings (protocol/settings.ts); later changes arrive as didChangeConfiguration.
        ...readSettings(params.initializationOptions),
      },
    );
    registerHover(connection, documents, daemon);
    registerCodeActions(connection, documents);
    registerCommands(connection, daemon);
    registerWatch(connection, daemon);
    registerCounterfactual(connection, daemon);
    registerTools(connection, daemon);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: COMMAND_IDS },
      },
      serverInfo: { name: 'glassbox' },
    };
  });

  // Settings changed in the editor: applied at once (protocol/settings.ts).
  connection.onDidChangeConfiguration((change) => {
    const settings = (change as GlassboxSettingsChange).settings;
    if (settings && typeof settings === 'object') daemon?.applySettings(readSettings(settings.glassbox));
  });

  connection.onInitialized(() => {
    if (dynamicWatch) registerClientWatchers(connection);
    void daemon!.setFolders(folders).catch((e: Error) => connection.console.error(`Glassbox: ${e.stack ?? e.message}`));
  });

  // Unsaved edits of glassbox.json: diagnostics as you type (the saved file stays the one analysed).
  const isConfig = (uri: string) => uri.startsWith('file:') && uri.endsWith(`/${CONFIG_FILE}`);
  documents.onDidChangeContent(({ document }) => {
    if (isConfig(document.uri)) daemon?.configEdited(toPath(document.uri), document.getText());
  });
  documents.onDidClose(({ document }) => {
    if (isConfig(document.uri)) daemon?.configEdited(toPath(document.uri), undefined);
  });

  connection.onShutdown(async () => {
    await daemon?.dispose();
  });

  documents.listen(connection);
  connection.listen();
  return { daemon: () => daemon };
}
