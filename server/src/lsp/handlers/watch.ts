/**
 * File changes from the client (`workspace/didChangeWatchedFiles`, registered dynamically when the
 * client allows it). Without that capability the daemon watches by itself (daemon/watcher.ts).
 */
import { DidChangeWatchedFilesNotification, type Connection } from 'vscode-languageserver/node';
import type { Daemon } from '../../daemon/daemon';
import { toPath } from '../uri';

export const WATCH_GLOBS = ['**/glassbox.json', '**/*.csv', '**/model.json', '**/*.bin', '**/*.{py,ts,js,mjs,cjs}'];

export function registerWatch(connection: Connection, daemon: Daemon): void {
  connection.onDidChangeWatchedFiles(({ changes }) => daemon.filesChanged(changes.map((c) => toPath(c.uri))));
}

/** Asks the client to watch; only valid after `initialized`. */
export function registerClientWatchers(connection: Connection): void {
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_GLOBS.map((globPattern) => ({ globPattern })) });
}
