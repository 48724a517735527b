/**
 * Export Report (`glassbox.exportReport`): the shareable report of `glassbox report` (one
 * self-contained HTML file, or Markdown for a pull request or a CI summary) asked of the daemon
 * (`glassbox/exportReport`) and saved where the user says. The save dialog comes first, so
 * cancelling it costs no analysis; the format follows the extension the user chose. No VS Code
 * import: the dialog is passed in (export.ts `pickReportTarget`), so unit tests run this directly.
 */
import { ExportReportRequest, type ExportReportParams } from '../../../server/src/protocol/panels';
import type { Daemon } from '../daemon';
import type { Host } from '../host';

export type ReportFormat = NonNullable<ExportReportParams['format']>;

export interface ReportDeps {
  daemon: Daemon;
  host: Host;
  /**
   * Asks where to save (absolute path, undefined: cancelled). `suggested`: a file name;
   * `format`: the filter to offer first.
   */
  pickTarget(suggested: string, format: ReportFormat): Promise<string | undefined>;
}

/** `.md`/`.markdown` → Markdown, `.html`/`.htm` → HTML; any other name gets the asked format's extension. */
export function reportTarget(path: string, asked: ReportFormat): { path: string; format: ReportFormat } {
  if (/\.(md|markdown)$/i.test(path)) return { path, format: 'md' };
  if (/\.html?$/i.test(path)) return { path, format: 'html' };
  return { path: `${path}.${asked}`, format: asked };
}

/** Saves the report; resolves with the path written, or undefined when the user cancelled the dialog. */
export async function exportReport(deps: ReportDeps, asked: ReportFormat = 'html', project?: string): Promise<string | undefined> {
  const picked = await deps.pickTarget(`glassbox-report.${asked}`, asked);
  if (!picked) return undefined;
  const target = reportTarget(picked, asked);
  const params: ExportReportParams = { format: target.format, ...(project ? { project } : {}) };
  const report = await deps.host.withProgress(`Building the Glassbox report (${target.format === 'md' ? 'Markdown' : 'HTML'})…`, (signal) => deps.daemon.request(ExportReportRequest.type, params, signal));
  await deps.host.writeText(target.path, report.text);
  const name = target.path.split(/[\\/]/).pop();
  const what = `Glassbox report of ${report.checkpoint}${report.previous ? ` (compared with ${report.previous})` : ''}`;
  if ((await deps.host.info(`${what} saved to ${name}.`, 'Open')) === 'Open') await deps.host.openFile(target.path);
  return target.path;
}
