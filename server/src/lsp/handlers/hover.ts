/** Hover on CSV data files: header cells and data rows (see daemon/hover.ts for the content). */
import * as fs from 'node:fs';
import { MarkupKind, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Daemon } from '../../daemon/daemon';
import { toPath } from '../uri';

/** Largest CSV file read from disk for a hover (open documents have no limit). */
export const MAX_HOVER_FILE_BYTES = 256 * 2 ** 20;

export function registerHover(connection: Connection, documents: TextDocuments<TextDocument>, daemon: Daemon): void {
  connection.onHover(async ({ textDocument, position }) => {
    if (!textDocument.uri.startsWith('file:') || !/\.(csv|tsv)$/i.test(textDocument.uri)) return null;
    const file = toPath(textDocument.uri);
    const doc = documents.get(textDocument.uri);
    // A file that is not open is read from disk: only a regular file of bounded size (a FIFO or a
    // device named *.csv would block the daemon's main thread).
    if (!doc) {
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile() || st.size > MAX_HOVER_FILE_BYTES) return null;
    }
    const lineOf = (line: number): string => {
      if (doc) return doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      const text = fs.readFileSync(file, 'utf8');
      return text.split('\n')[line]?.replace(/\r$/, '') ?? '';
    };
    const markdown = await daemon.hoverCsv(file, position.line, position.character, lineOf(position.line), lineOf(0));
    return markdown ? { contents: { kind: MarkupKind.Markdown, value: markdown } } : null;
  });
}
