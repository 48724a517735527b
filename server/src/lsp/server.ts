/**
 * The Glassbox daemon's entry point: a language server over IPC (the extension) or stdio (any LSP
 * client). This file only wires the connection; the analysis lives in ../core.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { initEngine } from '../core/engine/backend';
import { ServerStatusNotification } from '../protocol';

const connection = createConnection(ProposedFeatures.all);

connection.onInitialize(() => ({
  capabilities: {},
  serverInfo: { name: 'glassbox' },
}));

connection.onInitialized(async () => {
  try {
    const engine = await initEngine();
    void connection.sendNotification(ServerStatusNotification.type, {
      health: 'ok',
      busy: false,
      message: `Glassbox ready (${engine.backend})`,
      backend: engine.backend,
      backendNotes: engine.attempts.filter((a) => !a.ok).map((a) => `${a.candidate}: ${a.detail}`),
    });
  } catch (e) {
    void connection.sendNotification(ServerStatusNotification.type, { health: 'error', busy: false, message: `Glassbox engine failed: ${(e as Error).message}` });
  }
});

connection.listen();
