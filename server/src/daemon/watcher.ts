/**
 * The daemon's own file watcher (chokidar, pure JS), used when the editor does not send
 * `workspace/didChangeWatchedFiles`: a project's folder (code, config, data) and its checkpoint
 * location, without dependency, cache and build folders. Errors (a symlink loop, a folder it may
 * not read) go to `onError` and watching goes on: without that listener chokidar's 'error' event
 * would be an uncaught exception in the daemon.
 */
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

const IGNORED = /(^|[\\/])(node_modules|\.git|\.glassbox|dist|out|__pycache__|\.venv|venv)([\\/]|$)/;

export class OwnWatcher {
  private readonly watcher: FSWatcher;

  constructor(paths: string[], onChange: (file: string) => void, onError: (e: Error) => void = () => {}) {
    this.watcher = watch(paths, { ignoreInitial: true, ignored: (p: string) => IGNORED.test(p), depth: 4 });
    this.watcher.on('error', (e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
    for (const event of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) this.watcher.on(event, (p: string) => onChange(path.resolve(p)));
  }

  /** Resolves once the initial scan is done, so no change after it is missed. */
  ready(): Promise<void> {
    return new Promise((resolve) => this.watcher.once('ready', () => resolve()));
  }

  close(): Promise<void> {
    return this.watcher.close();
  }
}
