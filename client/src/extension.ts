/** Activation only: everything else lives in the context. */
import * as vscode from 'vscode';
import { GlassboxContext } from './context';
import { registerLanguageModelTools } from './lmTools';
import { startWhenTrusted } from './trust';

let context: GlassboxContext | undefined;

/** The context is returned as the extension's API so integration tests can observe it. */
export async function activate(extensionContext: vscode.ExtensionContext): Promise<GlassboxContext> {
  const ctx = new GlassboxContext(extensionContext);
  context = ctx;
  // Agent mode's tools (VS Code >= 1.95): the MCP tools, answered by the daemon; the active file picks the project.
  extensionContext.subscriptions.push(...registerLanguageModelTools(vscode, { daemon: ctx, activeUri: () => vscode.window.activeTextEditor?.document.uri.toString() }, extensionContext.extension.packageJSON));
  const start = async () => {
    try {
      await ctx.start();
    } catch (e) {
      // The commands and the side panel stay usable (they offer a restart); the status item shows the failure.
      console.error('Glassbox daemon failed to start', e);
    }
  };
  // In Restricted Mode the daemon (which loads model files) starts only once the user trusts the workspace.
  if (vscode.workspace.isTrusted) await start();
  else extensionContext.subscriptions.push(startWhenTrusted(vscode.workspace, start));
  return ctx;
}

export async function deactivate(): Promise<void> {
  await context?.dispose();
  context = undefined;
}
