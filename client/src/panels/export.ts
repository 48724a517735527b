/**
 * Saving what the panels and commands export. A panel's export request carried out: CSV/JSON text to the clipboard, or any format to a file the
 * user picks (a PNG arrives as a base64 data URL and is written as bytes). The message has passed
 * `isFromWebview` (format, file name and size checked); nothing is written without the save dialog.
 */
import * as vscode from 'vscode';
import type { FromWebview } from '../../../server/src/protocol/webview';
import { exportBytes } from './panelMessages';
import type { ReportFormat } from './report';

type ExportMessage = Extract<FromWebview, { type: 'export' }>;

const FILTERS: Record<ExportMessage['format'], Record<string, string[]>> = {
  csv: { 'CSV': ['csv'] },
  json: { 'JSON': ['json'] },
  png: { 'PNG image': ['png'] },
};


export async function runExport(m: ExportMessage): Promise<void> {
  if (m.action === 'copy') {
    await vscode.env.clipboard.writeText(m.content);
    void vscode.window.setStatusBarMessage(`Glassbox: copied ${m.filename.replace(/\.[a-z]+$/, '')} as ${m.format.toUpperCase()}`, 3000);
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, m.filename) : undefined,
    filters: FILTERS[m.format],
    title: `Save ${m.filename}`,
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, exportBytes(m));
}

/** Export Report's save dialog: the asked format's filter first, the workspace folder as the place. */
export async function pickReportTarget(suggested: string, format: ReportFormat): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const html = { 'HTML (one self-contained file)': ['html'] };
  const md = { 'Markdown': ['md'] };
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggested) : undefined,
    filters: format === 'md' ? { ...md, ...html } : { ...html, ...md },
    title: 'Export Glassbox report',
    saveLabel: 'Export',
  });
  return target?.fsPath;
}
