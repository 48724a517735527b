/**
 * The Glassbox daemon's entry point for the extension (IPC; `--stdio` also works). The analysis
 * runs in dist/server/worker.js; this file only wires the connection (see start.ts).
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './start';

startServer(createConnection(ProposedFeatures.all));
