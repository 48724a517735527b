/**
 * The read-only browser dashboard, for people who do not use the editor: the side panel's React app
 * (dist/webviews/sidebar.js) served as a plain page from the streaming endpoint (stream.ts), at
 * `/dashboard?token=<token>`, fed over a WebSocket at `/dashboard/socket?token=<token>`. The token
 * check is the endpoint's; this class sees only whether a request passed it.
 *
 * Read-only by construction: the socket understands one request, `{"type": "getDashboard"}`, and
 * nothing the page can send reaches a file, the scheduler or the worker.
 *
 * Wiring (the daemon's side, two calls on `StreamEndpoint.dashboard`):
 *   endpoint.dashboard.setSource({ getDashboard: () => <the glassbox/dashboard answer> });
 *   endpoint.dashboard.publish(state);   // wherever glassbox/dashboardChanged is sent
 * Without a source the page shows the last published state, or says it is waiting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import WebSocket from 'ws';
import type { DashboardState } from '../protocol/panels';
import { DASHBOARD_PATH, DASHBOARD_SOCKET_META, DASHBOARD_SOCKET_PATH, type DashboardPageMessage } from '../protocol/dashboard-page';

/** What the daemon provides: the side panel's current state (null: no project / nothing yet). */
export interface DashboardSource {
  getDashboard(): Promise<DashboardState | null>;
}

const ASSETS: Record<string, string> = {
  'sidebar.js': 'text/javascript; charset=utf-8',
  'sidebar.css': 'text/css; charset=utf-8',
};

const WAITING = 'Nothing to show yet: the dashboard fills in once the daemon has read the project.';

/** dist/webviews beside the bundle that runs the daemon (dist/server/server.js or dist/cli.js), or the built tree when run from source. */
export function defaultAssetsDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.join(here, '..', 'webviews'), path.join(here, 'webviews'), path.join(here, '..', '..', '..', 'dist', 'webviews')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'sidebar.js'))) ?? candidates[0]!;
}

export class DashboardServer {
  private source: DashboardSource | undefined;
  private last: DashboardState | undefined;
  /** Bumped by `publish`: an answer computed before a newer publish is dropped, never shown over it. */
  private version = 0;
  private readonly sockets = new Set<WebSocket>();

  private readonly assetsDir: string;
  private readonly title: string;

  /** `title`: the page's title (the project's folder name helps tell several apart). */
  constructor(options: { title?: string; assetsDir?: string } = {}) {
    this.assetsDir = options.assetsDir ?? defaultAssetsDir();
    this.title = options.title ?? 'Glassbox';
  }

  /** The daemon's wiring point: where the page's `getDashboard` requests are answered from. */
  setSource(source: DashboardSource | undefined): void {
    this.source = source;
  }

  /** Pushes a new state to every open page (and keeps it for pages opened later when there is no source). */
  private lastText: string | undefined;

  publish(state: DashboardState): void {
    const text = JSON.stringify({ type: 'dashboard', state } satisfies DashboardPageMessage);
    // The daemon publishes on every change of anything; pages only hear about their state changing.
    if (text === this.lastText) return;
    this.lastText = text;
    this.last = state;
    this.version++;
    for (const s of this.sockets) if (s.readyState === WebSocket.OPEN) s.send(text);
  }

  /** Whether a path belongs to the dashboard (the page, its assets, its socket). */
  static owns(pathname: string): boolean {
    return pathname === DASHBOARD_PATH || pathname.startsWith(`${DASHBOARD_PATH}/`);
  }

  /** Answers an HTTP request; `authorized`: it carried the endpoint's token. */
  handleHttp(req: IncomingMessage, res: ServerResponse, authorized: boolean): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = url.pathname === DASHBOARD_PATH || url.pathname === `${DASHBOARD_PATH}/` ? '' : url.pathname.slice(DASHBOARD_PATH.length + 1);
    if (!DashboardServer.owns(url.pathname) || (name !== '' && !Object.hasOwn(ASSETS, name))) return plain(res, 404, 'Not found.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'The dashboard is read-only.', { Allow: 'GET, HEAD' });
    if (!authorized) return plain(res, 401, 'Glassbox: open the dashboard address written in .glassbox/stream.json ("dashboard"); it carries the token.');
    const token = url.searchParams.get('token') ?? '';
    if (name === '') {
      const nonce = randomBytes(18).toString('base64url');
      const csp = dashboardCsp(nonce, req.headers.host);
      const body = dashboardHtml(nonce, token, this.title);
      return send(res, 200, body, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY' }, req.method === 'HEAD');
    }
    fs.readFile(path.join(this.assetsDir, name), (err, data) => {
      if (err) return plain(res, 503, `The dashboard bundle ${name} is missing from ${this.assetsDir} (build with npm run build).`);
      send(res, 200, data, { 'Content-Type': ASSETS[name]! }, req.method === 'HEAD');
    });
  }

  /** Serves one page's socket (already past the token check). */
  handleSocket(socket: WebSocket): void {
    this.sockets.add(socket);
    // The endpoint listens for 'error' too; this one keeps the page's socket safe wherever it is served from.
    socket.on('error', () => this.sockets.delete(socket));
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (data) => {
      let request: { type?: unknown } | undefined;
      try {
        request = JSON.parse(String(data)) as { type?: unknown };
      } catch {
        /* answered below */
      }
      if (request?.type !== 'getDashboard') {
        reply(socket, { type: 'error', message: 'The browser dashboard is read-only: its only request is {"type": "getDashboard"}.' });
        return;
      }
      const version = this.version;
      void this.current().then((m) => {
        if (m.type === 'dashboard' && this.version !== version) return; // a newer state was already pushed
        reply(socket, m);
      });
    });
  }

  close(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
  }

  private async current(): Promise<DashboardPageMessage> {
    try {
      const state = this.source ? await this.source.getDashboard() : (this.last ?? null);
      return state ? { type: 'dashboard', state } : { type: 'loading', message: WAITING };
    } catch (e) {
      return { type: 'error', message: `Glassbox could not read the dashboard: ${(e as Error).message}` };
    }
  }
}

/** No inline code or style; scripts only with this load's nonce; the socket on this host only. */
export function dashboardCsp(nonce: string, host: string | undefined): string {
  // 'self' covers ws: on the same host only in CSP level 3 browsers; name it for the others.
  const socket = host && /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host) ? ` ws://${host}` : '';
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${socket}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The CSP travels as a header only (frame-ancestors has no effect in a meta element). */
function dashboardHtml(nonce: string, token: string, title: string): string {
  const q = `?token=${encodeURIComponent(token)}`;
  return `<!DOCTYPE html>
<html lang="en" class="glassbox-browser">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<meta name="${DASHBOARD_SOCKET_META}" content="${DASHBOARD_SOCKET_PATH}">
<link rel="stylesheet" href="${escapeHtml(`${DASHBOARD_PATH}/sidebar.css${q}`)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${escapeHtml(`${DASHBOARD_PATH}/sidebar.js${q}`)}"></script>
</body>
</html>`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function reply(socket: WebSocket, m: DashboardPageMessage): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(m));
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>, headOnly = false): void {
  res.writeHead(status, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(headOnly ? undefined : body);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(res, status, `${text}\n`, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
}
