/**
 * File changes from the client (`workspace/didChangeWatchedFiles`, registered dynamically when the
 * client allows it). Without that capability the daemon watches by itself (daemon/watcher.ts).
 */
import { DidChangeWatchedFilesNotification, type Connection } from 'vscode-languageserver/node';
import type { Daemon } from '../../daemon/daemon';
import { toPath } from '../uri';

/**
 * What the client watches: configs, data, every checkpoint format (TF.js model.json + shards, ONNX,
 * XGBoost .json/.ubj, LightGBM .txt, glassbox-meta.json) and training code (feature literals).
 * Folder events (a checkpoint folder created or deleted whole) come with their files' events.
 */
export const WATCH_GLOBS = ['**/glassbox.json', '**/*.{csv,tsv}', '**/*.{json,bin,onnx,ubj,txt}', '**/*.{py,ts,js,mjs,cjs}'];

export function registerWatch(connection: Connection, daemon: Daemon): void {
  connection.onDidChangeWatchedFiles(({ changes }) => daemon.filesChanged(changes.map((c) => toPath(c.uri))));
}

/** Asks the client to watch; only valid after `initialized`. */
export function registerClientWatchers(connection: Connection): void {
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_GLOBS.map((globPattern) => ({ globPattern })) });
}
