/** Activation only: everything else lives in the context. */
import type * as vscode from 'vscode';
import { GlassboxContext } from './context';

let context: GlassboxContext | undefined;

/** The context is returned as the extension's API so integration tests can observe it. */
export async function activate(extensionContext: vscode.ExtensionContext): Promise<GlassboxContext> {
  context = new GlassboxContext(extensionContext);
  try {
    await context.start();
  } catch (e) {
    // The commands and the side panel stay usable (they offer a restart); the status item shows the failure.
    console.error('Glassbox daemon failed to start', e);
  }
  return context;
}

export async function deactivate(): Promise<void> {
  await context?.dispose();
  context = undefined;
}
