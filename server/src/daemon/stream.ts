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
 * Each gets `{"type": "ack"}` or `{"type": "error", "message": "..."}` back.
 *
 * The same port serves the read-only browser dashboard (`dashboard`, see dashboard-server.ts) under
 * `/dashboard`, with the same token; its address is `dashboard` in stream.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { STORE_DIR } from './store';
import { DashboardServer } from './dashboard-server';
import { DASHBOARD_PATH, DASHBOARD_SOCKET_PATH } from '../protocol/dashboard-page';

export const STREAM_FILE = 'stream.json';

export type StreamMessage = { type: 'checkpoint'; path?: string } | { type: 'metrics'; step: number; values: Record<string, number> };

export interface StreamInfo {
  url: string;
  token: string;
  pid: number;
  /** The browser dashboard's page, token included. */
  dashboard: string;
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

  static start(root: string, onMessage: (m: StreamMessage) => void, host = '127.0.0.1'): Promise<StreamEndpoint> {
    const token = randomBytes(24).toString('hex');
    const expected = Buffer.from(token);
    const authorized = (req: IncomingMessage) => {
      const given = Buffer.from(new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? String(req.headers['x-glassbox-token'] ?? ''));
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    const dashboard = new DashboardServer({ title: `Glassbox · ${path.basename(path.resolve(root))}` });
    const http = createServer((req, res) => dashboard.handleHttp(req, res, authorized(req)));
    const server = new WebSocketServer({ server: http, verifyClient: ({ req }: { req: IncomingMessage }) => authorized(req) });
    server.on('connection', (socket, req) => {
      if (new URL(req.url ?? '/', 'http://x').pathname === DASHBOARD_SOCKET_PATH) return dashboard.handleSocket(socket);
      socket.on('message', (data) => {
        let reply: object = { type: 'ack' };
        try {
          onMessage(parseMessage(JSON.parse(String(data))));
        } catch (e) {
          reply = { type: 'error', message: (e as Error).message };
        }
        socket.send(JSON.stringify(reply));
      });
    });
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, host, () => {
        const { port } = http.address() as { port: number };
        const info = { url: `ws://${host}:${port}/`, token, pid: process.pid, dashboard: `http://${host}:${port}${DASHBOARD_PATH}?token=${token}` };
        const file = path.join(root, STORE_DIR, STREAM_FILE);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
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

function parseMessage(m: unknown): StreamMessage {
  const o = m as Record<string, unknown>;
  if (o?.type === 'checkpoint') return { type: 'checkpoint', ...(typeof o.path === 'string' ? { path: o.path } : {}) };
  if (o?.type === 'metrics') {
    if (typeof o.step !== 'number') throw new Error("'metrics' needs a numeric 'step'");
    const values = Object.fromEntries(Object.entries((o.values ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    return { type: 'metrics', step: o.step, values };
  }
  throw new Error(`unknown message type '${String(o?.type)}' (expected 'checkpoint' or 'metrics')`);
}
