/**
 * Code actions on Glassbox's own diagnostics (those the client sends back in the request's
 * context): "Explain this row" on a suspect training row, "Open in panel" on a model-check
 * finding, and a quick fix replacing a mistyped key of glassbox.json with the key the config
 * error suggests. The commands named here are the extension's (client/src/commandIds.ts); other
 * LSP clients show the edit-only fixes and may ignore the rest.
 */
import { CodeActionKind, type CodeAction, type Connection, type Diagnostic, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import * as fs from 'node:fs';
import { toPath } from '../uri';

/** The extension's commands these actions run (kept equal to client/src/commandIds.ts by a test). */
export const ACTION_COMMANDS = { explainRow: 'glassbox.explainRow', openDashboard: 'glassbox.openDashboard' } as const;

const TYPO = /^unknown key '([^']+)' .*\(did you mean '([^']+)'\?\)/;

/** The actions for the Glassbox diagnostics of one document; `lineText(n)` reads its 0-based line n. */
export function codeActionsFor(uri: string, diagnostics: readonly Diagnostic[], lineText: (line: number) => string): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== 'glassbox') continue;
    const code = String(d.code ?? '');
    if (code === 'suspect-row') {
      out.push({ title: `Explain this row (line ${d.range.start.line + 1})`, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title: 'Explain this row', command: ACTION_COMMANDS.explainRow, arguments: [uri, d.range.start.line] } });
    } else if (code.startsWith('check:')) {
      out.push({ title: 'Open in the Glassbox panel', kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title: 'Open in the Glassbox panel', command: ACTION_COMMANDS.openDashboard } });
    } else if (code === 'config') {
      const m = TYPO.exec(d.message);
      if (!m) continue;
      const [, wrong, right] = m as unknown as [string, string, string];
      const line = d.range.start.line;
      const text = lineText(line);
      const at = text.indexOf(`"${wrong}"`, Math.max(0, d.range.start.character - 1));
      const col = at >= 0 ? at : text.indexOf(`"${wrong}"`);
      if (col < 0) continue;
      out.push({
        title: `Change '${wrong}' to '${right}'`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [uri]: [{ range: { start: { line, character: col }, end: { line, character: col + wrong.length + 2 } }, newText: `"${right}"` }] } },
      });
    }
  }
  return out;
}

export function registerCodeActions(connection: Connection, documents: TextDocuments<TextDocument>): void {
  connection.onCodeAction(({ textDocument, context }) => {
    if (!textDocument.uri.startsWith('file:')) return [];
    const doc = documents.get(textDocument.uri);
    let lines: string[] | undefined;
    const lineText = (line: number): string => {
      if (doc) return doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      // Only glassbox.json needs its text (typo fixes); a file that is not open is small and regular.
      if (!lines) {
        const file = toPath(textDocument.uri);
        const st = fs.statSync(file, { throwIfNoEntry: false });
        lines = st?.isFile() && st.size < 1 << 20 ? fs.readFileSync(file, 'utf8').split('\n') : [];
      }
      return lines[line]?.replace(/\r$/, '') ?? '';
    };
    return codeActionsFor(textDocument.uri, context.diagnostics, lineText);
  });
}
