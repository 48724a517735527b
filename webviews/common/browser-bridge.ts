/**
 * The bridge outside VS Code: the same React apps in a plain browser page served by the daemon
 * (the read-only dashboard, server/src/daemon/dashboard-server.ts). It stands in for VS Code's
 * webview API: states arrive over the page's WebSocket and are delivered as the window `message`
 * events the apps already listen to; what the apps post is answered locally (the checkpoint picker
 * re-asks the socket, Export Report downloads the daemon's report). Nothing here can edit
 * a file or start an analysis: "open this line" shows the place, analysis buttons say where to run
 * them, and the socket is only ever asked for the current state.
 */
import './browser-theme.css';
import { DASHBOARD_SOCKET_META, dashboardReportHref, type DashboardPageRequest, type ReportFormat } from '../../server/src/protocol/dashboard-page';
import { isToWebview, type FromWebview } from '../../server/src/protocol/webview';

/** The part of VS Code's webview API the apps use. */
export interface WebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** The part of the DOM WebSocket used here (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  /** `open`, `close`, `error`; `message` with the frame in `data`. */
  addEventListener(type: string, listener: (e: { data?: unknown }) => void): void;
}

export interface BrowserBridgeOptions {
  /** ws:// URL of the page's socket, token included (see `dashboardSocketUrl`). */
  socketUrl: string;
  openSocket?: (url: string) => SocketLike;
  /** Receives the messages for the app (default: the window the app listens on). */
  target?: EventTarget;
  /** Shows one line to the reader (default: a status line at the bottom of the page). */
  notify?: (text: string) => void;
  /** Keeps UI state across reloads (default: sessionStorage when available). */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Downloads a page-relative address (default: a clicked `<a download>`). */
  download?: (href: string) => void;
}

const OPEN = 1;
const STATE_KEY = 'glassbox.webviewState';

/** The socket the page declares (`<meta name="glassbox-socket">`) with the page's token, or undefined outside the dashboard page. */
export function dashboardSocketUrl(doc: Document = document, loc: Location = location): string | undefined {
  const declared = doc.querySelector(`meta[name="${DASHBOARD_SOCKET_META}"]`)?.getAttribute('content');
  if (!declared) return undefined;
  const url = new URL(declared, loc.href);
  url.protocol = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', new URLSearchParams(loc.search).get('token') ?? '');
  return url.href;
}

/** What the read-only page says instead of doing `m`; undefined for messages it handles itself. */
export function readOnlyNotice(m: FromWebview): string | undefined {
  const place = (file: string, line: number) => `${file.split(/[\\/]/).pop()} line ${line} (${file}:${line})`;
  switch (m.type) {
    case 'openLocation':
      return `${place(m.file, m.line)}: open it in your editor; this dashboard is read-only.`;
    case 'explainRow':
      return `${place(m.file, m.line)}: explain it in the editor (Glassbox: Explain This Row) or with glassbox explain --line ${m.line}.`;
    case 'compare':
      return `Comparing ${m.a} with ${m.b} runs an analysis: use the editor (Glassbox: Compare Checkpoints). This dashboard is read-only.`;
    case 'runChecks':
      return 'Checks run in the editor (Glassbox: Run Checks) or with glassbox check. This dashboard is read-only.';
    case 'selectMethod':
      return `The ${m.method} method is chosen in the editor. This dashboard is read-only.`;
    case 'pin':
      return 'Following the cursor works in the editor. This dashboard is read-only.';
    case 'selectProject':
      return 'This page shows one project; each project\'s dashboard has its own address (stream.json in its .glassbox folder).';
    case 'explainMethods':
      return 'Explaining with several methods runs an analysis: use the editor (Glassbox: Explain This Row). This dashboard is read-only.';
    default:
      return undefined;
  }
}

export function createBrowserApi(options: BrowserBridgeOptions): WebviewApi {
  const target = options.target ?? window;
  const notify = options.notify ?? showNotice;
  const storage = options.storage ?? sessionStorageOrUndefined();
  let memory: unknown;
  let opened = false;
  let lost = false;
  let wanted = false;
  /** The page's checkpoint picker (undefined: the newest); every request carries it. */
  let checkpoint: string | undefined;

  const deliver = (data: unknown) => target.dispatchEvent(new MessageEvent('message', { data }));
  const request = () => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify({ type: 'getDashboard', ...(checkpoint === undefined ? {} : { checkpoint }) } satisfies DashboardPageRequest));
    else wanted = true;
  };
  const onLost = () => {
    if (lost) return;
    lost = true;
    deliver({
      type: 'error',
      message: opened
        ? 'Lost the connection to the Glassbox daemon. If it restarted, its new address is "dashboard" in .glassbox/stream.json.'
        : 'Could not connect to the Glassbox daemon: it is not running, or this address is stale (the current one is "dashboard" in .glassbox/stream.json).',
    });
  };

  const socket = (options.openSocket ?? ((url) => new WebSocket(url)))(options.socketUrl);
  socket.addEventListener('open', () => {
    opened = true;
    if (wanted) request();
  });
  socket.addEventListener('message', (e) => {
    let data: unknown;
    try {
      data = JSON.parse(String(e.data));
    } catch {
      return;
    }
    if (isToWebview(data) && (data.type === 'dashboard' || data.type === 'loading' || data.type === 'error')) deliver(data);
  });
  socket.addEventListener('close', onLost);
  socket.addEventListener('error', onLost);

  return {
    postMessage(message: unknown) {
      const m = message as FromWebview;
      if (m.type === 'ready' || m.type === 'refresh') return request();
      if (m.type === 'selectCheckpoint') {
        checkpoint = m.checkpoint ?? undefined;
        return request();
      }
      if (m.type === 'export') return exportInBrowser(m, notify);
      if (m.type === 'exportReport') return (options.download ?? downloadLink)(reportHref(m.format, options.socketUrl));
      const notice = readOnlyNotice(m);
      if (notice) notify(notice);
    },
    getState() {
      if (!storage) return memory;
      try {
        const text = storage.getItem(STATE_KEY);
        return text === null ? undefined : (JSON.parse(text) as unknown);
      } catch {
        return memory;
      }
    },
    setState(state: unknown) {
      memory = state;
      try {
        storage?.setItem(STATE_KEY, JSON.stringify(state));
      } catch {
        /* storage full or disabled: memory only */
      }
    },
  };
}

/** The report download beside the page, with the page's token (taken from its socket URL). */
export function reportHref(format: ReportFormat, socketUrl: string): string {
  return dashboardReportHref(format, new URL(socketUrl).searchParams.get('token') ?? '');
}

function downloadLink(href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = '';
  a.click();
}

/** Exports on the dashboard page: the browser downloads the file or writes the clipboard (nothing goes to the daemon). */
export function exportInBrowser(m: Extract<FromWebview, { type: 'export' }>, notify: (text: string) => void): void {
  if (m.action === 'copy') {
    if (typeof navigator === 'undefined' || !navigator.clipboard) return notify('This browser does not let the page write the clipboard; use Save instead.');
    navigator.clipboard.writeText(m.content).then(() => notify(`Copied ${m.filename}.`), () => notify('The browser refused the clipboard; use Save instead.'));
    return;
  }
  const a = document.createElement('a');
  a.download = m.filename;
  a.href = m.format === 'png' ? m.content : URL.createObjectURL(new Blob([m.content], { type: m.format === 'csv' ? 'text/csv' : 'application/json' }));
  a.click();
  if (m.format !== 'png') setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function sessionStorageOrUndefined(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined; // access denied (storage disabled)
  }
}

/** A polite status line at the bottom of the page (text only: nothing from a message becomes markup). */
function showNotice(text: string): void {
  let el = document.getElementById('glassbox-notice');
  if (!el) {
    el = document.createElement('div');
    el.id = 'glassbox-notice';
    el.setAttribute('role', 'status');
    document.body.appendChild(el);
  }
  el.textContent = text;
}
