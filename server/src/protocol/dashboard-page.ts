/**
 * The read-only browser dashboard the daemon serves on its streaming endpoint (see
 * server/src/daemon/dashboard-server.ts and docs/protocol.md, "Browser dashboard"): the side panel's
 * React app as a plain page, fed over a WebSocket. Types only, so the browser bundle can import them.
 */
import type { DashboardState } from './panels';

/** The page; `?token=<token of stream.json>` is required on every path below. */
export const DASHBOARD_PATH = '/dashboard';
/** The page's WebSocket. */
export const DASHBOARD_SOCKET_PATH = '/dashboard/socket';
/** The page tells the browser bridge where its socket is with `<meta name="glassbox-socket" content="/dashboard/socket">`. */
export const DASHBOARD_SOCKET_META = 'glassbox-socket';

/**
 * The shareable report (what `glassbox report` writes), downloaded: `${DASHBOARD_REPORT_PATH}.html`
 * or `.md`, token required like every path here. Served as an attachment, never rendered on the
 * dashboard's origin.
 */
export const DASHBOARD_REPORT_PATH = '/dashboard/report';

export type ReportFormat = 'html' | 'md';

/** The page-relative address of the report download (token included). */
export function dashboardReportHref(format: ReportFormat, token: string): string {
  return `${DASHBOARD_REPORT_PATH}.${format}?token=${encodeURIComponent(token)}`;
}

/**
 * page -> daemon. The only request: the socket is read-only. `checkpoint`: the page's checkpoint
 * picker (absent: the newest); the socket keeps answering updates for it until the next request.
 */
export type DashboardPageRequest = { type: 'getDashboard'; checkpoint?: string };

/**
 * daemon -> page: the same shapes the editor posts to the side panel (`ToWebview`), so the app
 * runs unchanged. `dashboard` answers `getDashboard` and is pushed on every update.
 */
export type DashboardPageMessage =
  | { type: 'dashboard'; state: DashboardState }
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string };
