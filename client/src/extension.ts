/** Activation only: everything else lives in the context. */
import type * as vscode from 'vscode';
import { GlassboxContext } from './context';

let context: GlassboxContext | undefined;

export async function activate(extensionContext: vscode.ExtensionContext): Promise<void> {
  context = new GlassboxContext(extensionContext);
  await context.start();
}

export async function deactivate(): Promise<void> {
  await context?.dispose();
  context = undefined;
}
