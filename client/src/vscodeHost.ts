/** `Host` on the real VS Code API: the only place the commands' logic touches `vscode`. */
import * as vscode from 'vscode';
import { CancelledError, type Host } from './host';

export function vscodeHost(): Host {
  return {
    info: (message, ...actions) => Promise.resolve(vscode.window.showInformationMessage(message, ...actions)),
    error: (message) => void vscode.window.showErrorMessage(message),
    pick: (items, placeHolder) => Promise.resolve(vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true })),
    async openFile(file, line) {
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      if (line !== undefined) {
        const pos = new vscode.Position(Math.max(0, line - 1), 0);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
    },
    activeCsvLine() {
      const editor = vscode.window.activeTextEditor;
      if (!editor || (editor.document.languageId !== 'csv' && !editor.document.fileName.toLowerCase().endsWith('.csv'))) return undefined;
      return { uri: editor.document.uri.toString(), file: editor.document.uri.fsPath, line: editor.selection.active.line };
    },
    executeCommand: (id, ...args) => Promise.resolve(vscode.commands.executeCommand(id, ...args)),
    workspaceRoot: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    findFiles: async (include, exclude, max) => (await vscode.workspace.findFiles(include, exclude, max)).map((u) => u.fsPath),
    async readText(file, maxBytes) {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
      return new TextDecoder().decode(bytes.subarray(0, maxBytes));
    },
    writeText: async (file, text) => vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode(text)),
    exists: (file) => Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file(file)).then(() => true, () => false)),
    withProgress: (title, task) =>
      Promise.resolve(
        vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          return Promise.race([
            task(controller.signal),
            new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new CancelledError(title.replace(/…$/, ''))), { once: true })),
          ]);
        }),
      ),
  };
}
