/**
 * The streaming endpoint: a WebSocket server (ws) on 127.0.0.1, a random port and a random token,
 * both written to `<project>/.glassbox/stream.json` (mode 0600) for training processes of the same
 * user to find. A training loop announces checkpoints (the daemon re-scans at once instead of
 * waiting for file events) and metrics (stored for the timeline). Connections without the token
 * are refused during the handshake.
 *
 * Messages (JSON text frames, training process -> daemon):
 * - `{"type": "checkpoint", "path": "<dir>"}`
 * - `{"type": "metrics", "step": <number>, "values": {"loss": 0.31, ...}}`
 * Each gets `{"type": "ack"}` or `{"type": "error", "message": "..."}` back; an ack may carry a
 * `warning` (a metrics message over `MAX_METRIC_VALUES` values keeps only the first ones).
 *
 * Hardening (any peer may be hostile; none may stop the daemon): every socket and the servers have
 * an `'error'` listener, so a malformed frame costs only that connection (ws closes it with 1002,
 * 1007 or 1009); messages are capped at `MAX_MESSAGE_BYTES` (256 KiB: parsing the largest takes tens of
 * milliseconds, a metrics message needs a few kilobytes) and the work per message is bounded; the `Host` header must name this endpoint (127.0.0.1 or localhost with its port) and an
 * `Origin`, when present, must be the dashboard's own, so a web page reached through DNS rebinding
 * is refused (403) even though it runs on this machine.
 *
 * The same port serves the read-only browser dashboard (`dashboard`, see dashboard-server.ts) under
 * `/dashboard`, with the same token; its address is `dashboard` in stream.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { privateDir, writePrivateFile } from './private-files';
import { DashboardServer } from './dashboard-server';
import { DASHBOARD_PATH, DASHBOARD_SOCKET_PATH } from '../protocol/dashboard-page';

export const STREAM_FILE = 'stream.json';
/** Largest message accepted, in bytes (256 KiB): a metrics message needs a few kilobytes. */
export const MAX_MESSAGE_BYTES = 2 ** 18;
/** Values kept from one metrics message (the first ones, in the message's order). */
export const MAX_METRIC_VALUES = 256;
/** Longest metric name kept; longer names are dropped. */
export const MAX_METRIC_NAME = 200;

export type StreamMessage = { type: 'checkpoint'; path?: string } | { type: 'metrics'; step: number; values: Record<string, number> };

export interface StreamInfo {
  url: string;
  token: string;
  pid: number;
  /** The browser dashboard's page, token included. */
  dashboard: string;
}

export interface StreamOptions {
  host?: string;
  /** One line about a peer's fault or a server error (default: nowhere). */
  log?: (message: string) => void;
}

export class StreamEndpoint {
  private constructor(
    private readonly server: WebSocketServer,
    private readonly http: Server,
    readonly info: StreamInfo,
    private readonly file: string,
    /** The browser dashboard on this port: the daemon gives it a source and publishes to it. */
    readonly dashboard: DashboardServer,
  ) {}

  /**
   * Listens and writes stream.json. Throws a `GlassboxError` when `.glassbox` is not a private
   * folder (see private-files.ts).
   */
  static start(root: string, onMessage: (m: StreamMessage) => void, options: StreamOptions = {}): Promise<StreamEndpoint> {
    const host = options.host ?? '127.0.0.1';
    const log = options.log ?? (() => {});
    let dir: string;
    try {
      dir = privateDir(root);
    } catch (e) {
      return Promise.reject(e);
    }
    const token = randomBytes(24).toString('hex');
    const expected = Buffer.from(token);
    const authorized = (req: IncomingMessage) => {
      const given = Buffer.from(new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? String(req.headers['x-glassbox-token'] ?? ''));
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    let port = 0;
    const dashboard = new DashboardServer({ title: `Glassbox · ${path.basename(path.resolve(root))}` });
    const http = createServer((req, res) => {
      if (!sameSite(req, port)) {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Glassbox: this endpoint answers only requests addressed to 127.0.0.1 or localhost on its own port.\n');
        return;
      }
      dashboard.handleHttp(req, res, authorized(req));
    });
    const server = new WebSocketServer({
      server: http,
      maxPayload: MAX_MESSAGE_BYTES,
      verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
        if (!sameSite(req, port)) return done(false, 403, 'Forbidden');
        if (!authorized(req)) return done(false, 401, 'Unauthorized');
        done(true);
      },
    });
    const peerFault = (e: Error) => log(`Glassbox stream: closed a connection: ${e.message}`);
    http.on('error', (e) => log(`Glassbox stream: ${e.message}`));
    server.on('error', (e) => log(`Glassbox stream: ${e.message}`));
    server.on('connection', (socket: WebSocket, req: IncomingMessage) => {
      // Without this listener a malformed frame would be an uncaught exception in the daemon.
      socket.on('error', peerFault);
      if (new URL(req.url ?? '/', 'http://x').pathname === DASHBOARD_SOCKET_PATH) return dashboard.handleSocket(socket);
      socket.on('message', (data, isBinary) => {
        let reply: object;
        try {
          const { message, warning } = parseMessage(JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data)));
          onMessage(message);
          reply = { type: 'ack', ...(warning ? { warning } : {}) };
        } catch (e) {
          reply = { type: 'error', message: (e as Error).message };
        }
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      });
    });
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, host, () => {
        http.off('error', reject);
        port = (http.address() as { port: number }).port;
        const info = { url: `ws://${host}:${port}/`, token, pid: process.pid, dashboard: `http://${host}:${port}${DASHBOARD_PATH}?token=${token}` };
        const file = path.join(dir, STREAM_FILE);
        try {
          writePrivateFile(file, JSON.stringify(info, null, 2));
        } catch (e) {
          server.close();
          http.close();
          return reject(e);
        }
        resolve(new StreamEndpoint(server, http, info, file, dashboard));
      });
    });
  }

  close(): Promise<void> {
    try {
      if (JSON.parse(fs.readFileSync(this.file, 'utf8')).token === this.info.token) fs.unlinkSync(this.file);
    } catch {
      /* already gone */
    }
    this.dashboard.close();
    for (const c of this.server.clients) c.terminate();
    this.http.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => this.http.close(() => resolve())));
  }
}

/**
 * Whether a request is addressed to this endpoint (`Host` 127.0.0.1 or localhost with our port)
 * and, when it names an `Origin`, comes from the dashboard page of this endpoint. Browsers always
 * send `Origin` on WebSocket handshakes, so a foreign page cannot reach the sockets.
 */
function sameSite(req: IncomingMessage, port: number): boolean {
  const own = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!own.has(host)) return false;
  const origin = req.headers.origin;
  return origin === undefined || (/^http:\/\//i.test(origin) && own.has(origin.slice('http://'.length).toLowerCase()));
}

/** Validates one message; bounded work whatever its size (it is under MAX_MESSAGE_BYTES). */
function parseMessage(m: unknown): { message: StreamMessage; warning?: string } {
  const o = m as Record<string, unknown>;
  if (o?.type === 'checkpoint') return { message: { type: 'checkpoint', ...(typeof o.path === 'string' ? { path: o.path } : {}) } };
  if (o?.type === 'metrics') {
    if (typeof o.step !== 'number' || !Number.isFinite(o.step)) throw new Error("'metrics' needs a numeric 'step'");
    const given = o.values && typeof o.values === 'object' ? (o.values as Record<string, unknown>) : {};
    const values: Record<string, number> = {};
    let kept = 0;
    let offered = 0;
    for (const name in given) {
      if (!Object.hasOwn(given, name)) continue;
      const v = given[name];
      if (typeof v !== 'number' || name.length > MAX_METRIC_NAME) continue;
      offered++;
      if (kept < MAX_METRIC_VALUES) {
        values[name] = v;
        kept++;
      }
    }
    const warning = offered > kept ? `metrics: kept the first ${kept} of ${offered} values` : undefined;
    return { message: { type: 'metrics', step: o.step, values }, ...(warning ? { warning } : {}) };
  }
  throw new Error(`unknown message type '${String(o?.type)}' (expected 'checkpoint' or 'metrics')`);
}
