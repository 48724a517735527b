/** Pure helpers for the panels' messages (no VS Code API, so unit tests run them directly). */
import type { FromWebview, ToWebview } from '../../../webviews/common/messages';

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
