/**
 * `glassbox lsp --stdio`: the analysis daemon as a language server for any LSP client.
 */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import type { Command } from '../context';
import { GlassboxError } from '../../core/errors';
import { startServer } from '../../lsp/start';

/**
 * The analysis daemon as a language server on stdin/stdout, for any LSP client (Neovim, Helix,
 * Emacs...). Runs until the client disconnects. Nothing else may write to stdout meanwhile, so
 * console output goes to stderr.
 */
export const lsp: Command = {
  name: 'lsp',
  summary: 'run the analysis daemon as a language server (--stdio) for any LSP client',
  options: {
    stdio: { type: 'boolean', description: 'talk LSP over stdin/stdout (the only transport of this command)' },
  },
  async run(ctx) {
    if (!ctx.options.stdio) throw new GlassboxError('usage', "pass --stdio: 'glassbox lsp --stdio'");
    console.log = console.info = (...args: unknown[]) => console.error(...args);
    const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
    const backend = typeof ctx.options.backend === 'string' ? ctx.options.backend : undefined;
    startServer(connection, backend ? { backend } : {});
    await new Promise<void>((resolve) => connection.onExit(() => resolve()));
    return 0;
  },
};
