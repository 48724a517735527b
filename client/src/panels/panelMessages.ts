/** Pure helpers for the panels' messages (no VS Code API, so unit tests run them directly). */
import type { FromWebview, ToWebview } from '../../../server/src/protocol/webview';

type ExportMessage = Extract<FromWebview, { type: 'export' }>;

/** The bytes to write: the text as UTF-8, or the PNG decoded from its base64 data URL. */
export function exportBytes(m: Pick<ExportMessage, 'format' | 'content'>): Uint8Array {
  if (m.format === 'png') return Buffer.from(m.content.slice(m.content.indexOf(',') + 1), 'base64');
  return Buffer.from(m.content, 'utf8');
}

/** `vscode.ColorThemeKind` (1 light, 2 dark, 3 high contrast, 4 high contrast light) as the webview message. */
export function themeMessage(kind: number): Extract<ToWebview, { type: 'theme' }> {
  return { type: 'theme', kind: kind === 1 ? 'light' : kind === 3 ? 'highContrast' : kind === 4 ? 'highContrastLight' : 'dark' };
}

/** Where the cursor is, in the editor's terms (0-based line). */
export interface CursorPlace {
  uri: string;
  line: number;
  /** The document's language id (`csv` with a CSV extension installed) and file path. */
  languageId: string;
  path: string;
}

/**
 * The row an unpinned Explain panel should move to, or undefined to stay: the cursor is on a data
 * line (not the header, line 0) of a CSV file and not on the row already shown.
 */
export function followTarget(current: { uri: string; line: number } | undefined, cursor: CursorPlace): { uri: string; line: number } | undefined {
  const csv = cursor.languageId === 'csv' || /\.csv$/i.test(cursor.path);
  if (!csv || cursor.line < 1) return undefined;
  if (current && current.uri === cursor.uri && current.line === cursor.line) return undefined;
  return { uri: cursor.uri, line: cursor.line };
}
