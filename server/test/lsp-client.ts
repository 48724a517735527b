/**
 * Test side of an LSP conversation: a JSON-RPC client over any pair of streams (in-process pipes or
 * a child's stdio) that records every notification from the start, so a test can wait on an event
 * that may already have happened (listeners are attached before anything is sent; no sleeps).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver-protocol/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from '../src/lsp/start';
import { ANCHORS, DATA, REPO, tmpDir } from './helpers';

export const WORKER_SCRIPT = path.join(REPO, 'dist/server/worker.js');

export interface Recorded {
  method: string;
  params: any;
}

export class TestClient {
  readonly seen: Recorded[] = [];
  private waiters: Array<{ test: (r: Recorded) => boolean; resolve: (r: Recorded) => void }> = [];

  constructor(readonly connection: MessageConnection) {
    connection.onNotification((method: string, params: unknown) => this.record({ method, params }));
    // `$/progress` bypasses the catch-all handler: JSON-RPC routes it by token.
    connection.onUnhandledProgress((params) => this.record({ method: '$/progress', params }));
    connection.onRequest('window/workDoneProgress/create', (params: unknown) => {
      this.record({ method: 'window/workDoneProgress/create', params });
      return null;
    });
    connection.onRequest('client/registerCapability', (params: unknown) => {
      this.record({ method: 'client/registerCapability', params });
      return null;
    });
    connection.onRequest('workspace/configuration', () => []);
    connection.listen();
  }

  private record(r: Recorded): void {
    this.seen.push(r);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(r)) return true;
      w.resolve(r);
      return false;
    });
  }

  /** The first notification (already seen or future) of `method` that satisfies `test`. */
  waitFor(method: string, test: (params: any) => boolean = () => true, after = 0): Promise<any> {
    const match = (r: Recorded) => r.method === method && test(r.params);
    const hit = this.seen.slice(after).find(match);
    if (hit) return Promise.resolve(hit.params);
    return new Promise((resolve) => this.waiters.push({ test: match, resolve: (r) => resolve(r.params) }));
  }

  /** Latest diagnostics published for a file (or undefined). */
  diagnosticsFor(file: string): any[] | undefined {
    const uri = `file://${file}`;
    const last = [...this.seen].reverse().find((r) => r.method === 'textDocument/publishDiagnostics' && r.params.uri === uri);
    return last?.params.diagnostics;
  }

  async initialize(root: string, capabilities: Record<string, unknown> = {}): Promise<any> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: `file://${root}`,
      workspaceFolders: [{ uri: `file://${root}`, name: path.basename(root) }],
      capabilities: { window: { workDoneProgress: true }, workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, ...capabilities },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    this.connection.dispose();
  }
}

export function clientOver(input: Readable, output: Writable): TestClient {
  return new TestClient(createMessageConnection(new StreamMessageReader(input), new StreamMessageWriter(output)));
}

/** A server in this process, talking over in-memory pipes. */
export function inProcess(options: ServerOptions = {}): TestClient & { server: ReturnType<typeof startServer> } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const server = startServer(connection, { workerScript: WORKER_SCRIPT, backend: 'wasm', stableDelayMs: 50, flushMs: 20, ...options });
  return Object.assign(clientOver(toClient, toServer), { server });
}

export const CHECKPOINTS = path.join(ANCHORS, 'adult-mlp/checkpoints');

/**
 * A project on disk: the first `rows` rows of the Adult data (all with rows = Infinity), the
 * reference encoding, an empty checkpoint folder, a training script naming features, and an
 * expectation that makes the importance step report a finding on `age`.
 */
export function makeWorkspace(rows = 1500): string {
  const root = tmpDir('lsp');
  fs.mkdirSync(path.join(root, 'data'));
  fs.mkdirSync(path.join(root, 'checkpoints'));
  const head = (src: string, n: number) => fs.readFileSync(src, 'utf8').split('\n').slice(0, n + 1).join('\n') + '\n';
  fs.writeFileSync(path.join(root, 'data/train.csv'), head(path.join(DATA, 'adult_train.csv'), rows));
  fs.writeFileSync(path.join(root, 'data/test.csv'), head(path.join(DATA, 'adult_test.csv'), Math.min(rows, 500)));
  fs.copyFileSync(path.join(ANCHORS, 'encoding.json'), path.join(root, 'encoding.json'));
  fs.writeFileSync(
    path.join(root, 'glassbox.json'),
    JSON.stringify(
      {
        data: { train: 'data/train.csv', test: 'data/test.csv' },
        label: 'income',
        encoding: 'encoding.json',
        checkpoints: { path: 'checkpoints' },
        model: { output: 'logits' },
        expectations: { irrelevant: [{ feature: 'age', maxShare: 0.001 }] },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(root, 'train.py'), 'import pandas as pd\n\nFEATURES = ["age", "hours_per_week"]\ndf = pd.read_csv("data/train.csv")\n');
  return root;
}

/** Copies a reference checkpoint (epoch-1..5) into the workspace, weights first, model.json last. */
export function addCheckpoint(root: string, epoch: number): string {
  const dir = path.join(root, 'checkpoints', `epoch-${epoch}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(CHECKPOINTS, `epoch-${epoch}`, 'weights.bin'), path.join(dir, 'weights.bin'));
  fs.copyFileSync(path.join(CHECKPOINTS, `epoch-${epoch}`, 'model.json'), path.join(dir, 'model.json'));
  return dir;
}

export function changed(client: TestClient, files: string[]): Promise<void> {
  return client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: files.map((f) => ({ uri: `file://${f}`, type: 1 })) });
}
