/**
 * The read-only browser dashboard, for people who do not use the editor: the side panel's React app
 * (dist/webviews/sidebar.js) served as a plain page from the streaming endpoint (stream.ts), at
 * `/dashboard?token=<token>`, fed over a WebSocket at `/dashboard/socket?token=<token>`. The token
 * check is the endpoint's; this class sees only whether a request passed it.
 *
 * Read-only by construction: the socket understands one request, `{"type": "getDashboard"}` (with
 * the page's picked checkpoint), and nothing the page can send reaches a file, the scheduler or the
 * worker. `/dashboard/report.html` and `.md` download the shareable report (`glassbox report`), the
 * same the editor's Export Report saves.
 *
 * Wiring (the daemon's side, two calls on `StreamEndpoint.dashboard`):
 *   endpoint.dashboard.setSource({ getDashboard: (p) => <the glassbox/dashboard answer for p>,
 *                                  getReport: (format) => <the glassbox/exportReport answer> });
 *   endpoint.dashboard.publish(state);   // wherever glassbox/dashboardChanged is sent
 * Without a source the page shows the last published state, or says it is waiting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import WebSocket from 'ws';
import type { DashboardState } from '../protocol/panels';
import { DASHBOARD_PATH, DASHBOARD_REPORT_PATH, DASHBOARD_SOCKET_META, DASHBOARD_SOCKET_PATH, type DashboardPageMessage, type ReportFormat } from '../protocol/dashboard-page';

/** What the daemon provides. */
export interface DashboardSource {
  /** The side panel's state, for `checkpoint` when given (null: no project / nothing yet). */
  getDashboard(params?: { checkpoint?: string }): Promise<DashboardState | null>;
  /** The shareable report of the newest ready checkpoint (the `glassbox/exportReport` answer). */
  getReport?(format: ReportFormat): Promise<{ text: string; checkpoint: string }>;
}

const REPORTS: Record<string, ReportFormat> = { [`${DASHBOARD_REPORT_PATH.slice(DASHBOARD_PATH.length + 1)}.html`]: 'html', [`${DASHBOARD_REPORT_PATH.slice(DASHBOARD_PATH.length + 1)}.md`]: 'md' };
const REPORT_TYPES: Record<ReportFormat, string> = { html: 'text/html; charset=utf-8', md: 'text/markdown; charset=utf-8' };
/** A checkpoint name as the page may send it (the daemon looks it up; this only bounds it). */
const MAX_CHECKPOINT_CHARS = 512;

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
  /** Each open page and the checkpoint its picker shows (undefined: the newest). */
  private readonly sockets = new Map<WebSocket, string | undefined>();

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
    for (const [s, checkpoint] of this.sockets) {
      if (s.readyState !== WebSocket.OPEN) continue;
      // A page showing a picked checkpoint hears that checkpoint's state, recomputed, not the newest.
      if (checkpoint !== undefined && this.source) this.answer(s, checkpoint);
      else s.send(text);
    }
  }

  /** Whether a path belongs to the dashboard (the page, its assets, its socket). */
  static owns(pathname: string): boolean {
    return pathname === DASHBOARD_PATH || pathname.startsWith(`${DASHBOARD_PATH}/`);
  }

  /** Answers an HTTP request; `authorized`: it carried the endpoint's token. */
  handleHttp(req: IncomingMessage, res: ServerResponse, authorized: boolean): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = url.pathname === DASHBOARD_PATH || url.pathname === `${DASHBOARD_PATH}/` ? '' : url.pathname.slice(DASHBOARD_PATH.length + 1);
    if (!DashboardServer.owns(url.pathname) || (name !== '' && !Object.hasOwn(ASSETS, name) && !Object.hasOwn(REPORTS, name))) return plain(res, 404, 'Not found.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'The dashboard is read-only.', { Allow: 'GET, HEAD' });
    if (!authorized) return plain(res, 401, 'Glassbox: open the dashboard address written in .glassbox/stream.json ("dashboard"); it carries the token.');
    const token = url.searchParams.get('token') ?? '';
    if (name === '') {
      const nonce = randomBytes(18).toString('base64url');
      const csp = dashboardCsp(nonce, req.headers.host);
      const body = dashboardHtml(nonce, token, this.title);
      return send(res, 200, body, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY' }, req.method === 'HEAD');
    }
    if (Object.hasOwn(REPORTS, name)) return void this.sendReport(res, REPORTS[name]!, req.method === 'HEAD');
    fs.readFile(path.join(this.assetsDir, name), (err, data) => {
      if (err) return plain(res, 503, `The dashboard bundle ${name} is missing from ${this.assetsDir} (build with npm run build).`);
      send(res, 200, data, { 'Content-Type': ASSETS[name]! }, req.method === 'HEAD');
    });
  }

  /** Serves one page's socket (already past the token check). */
  handleSocket(socket: WebSocket): void {
    this.sockets.set(socket, undefined);
    // The endpoint listens for 'error' too; this one keeps the page's socket safe wherever it is served from.
    socket.on('error', () => this.sockets.delete(socket));
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (data) => {
      let request: { type?: unknown; checkpoint?: unknown } | undefined;
      try {
        request = JSON.parse(String(data)) as { type?: unknown; checkpoint?: unknown };
      } catch {
        /* answered below */
      }
      if (request?.type !== 'getDashboard') {
        reply(socket, { type: 'error', message: 'The browser dashboard is read-only: its only request is {"type": "getDashboard"}.' });
        return;
      }
      const checkpoint = request.checkpoint;
      if (checkpoint !== undefined && (typeof checkpoint !== 'string' || checkpoint.length === 0 || checkpoint.length > MAX_CHECKPOINT_CHARS)) {
        reply(socket, { type: 'error', message: `A checkpoint is asked for by its name (a string of 1 to ${MAX_CHECKPOINT_CHARS} characters).` });
        return;
      }
      if (this.sockets.has(socket)) this.sockets.set(socket, checkpoint);
      this.answer(socket, checkpoint);
    });
  }

  /** Sends the page its state, unless a newer state was pushed meanwhile or the page picked another checkpoint. */
  private answer(socket: WebSocket, checkpoint: string | undefined): void {
    const version = this.version;
    void this.current(checkpoint).then((m) => {
      if (m.type === 'dashboard' && (this.version !== version || this.sockets.get(socket) !== checkpoint)) return;
      reply(socket, m);
    });
  }

  /** The report as a download: an attachment with a sandboxing CSP, so it never runs on this origin. */
  private async sendReport(res: ServerResponse, format: ReportFormat, headOnly: boolean): Promise<void> {
    if (!this.source?.getReport) return plain(res, 503, 'Glassbox: this daemon does not serve reports; run glassbox report --out report.html, or Export Report in the editor.');
    let report: { text: string; checkpoint: string };
    try {
      report = await this.source.getReport(format);
    } catch (e) {
      return plain(res, 503, `Glassbox could not build the report: ${(e as Error).message}`);
    }
    const filename = `glassbox-report-${report.checkpoint.replace(/[^A-Za-z0-9._-]+/g, '_')}.${format}`;
    send(res, 200, report.text, {
      'Content-Type': REPORT_TYPES[format],
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Content-Security-Policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
    }, headOnly);
  }

  close(): void {
    for (const s of this.sockets.keys()) s.terminate();
    this.sockets.clear();
  }

  private async current(checkpoint?: string): Promise<DashboardPageMessage> {
    try {
      const state = this.source ? await this.source.getDashboard(checkpoint === undefined ? undefined : { checkpoint }) : (this.last ?? null);
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
