/**
 * `glassbox mcp`: the analyses as Model Context Protocol tools over stdio, for coding agents.
 */
import * as path from 'node:path';
import type { Command } from '../context';
import { GlassboxError } from '../../core/errors';
import { findConfig } from '../../core/config/config';

declare const GLASSBOX_VERSION: string | undefined;

/** Serves the analysis tools to coding agents over the Model Context Protocol (stdio). */
export const mcp: Command = {
  name: 'mcp',
  summary: 'serve explain, importance, suspects, influence, drift, check, compare (and counterfactual) to agents over MCP on stdio',
  options: {},
  async run(ctx) {
    const file = typeof ctx.options.config === 'string' ? path.resolve(ctx.cwd, ctx.options.config) : findConfig(ctx.cwd);
    if (!file) throw new GlassboxError('config', `no glassbox.json in ${ctx.cwd} or any parent directory (pass --config FILE)`);
    // stdout carries only protocol messages: anything a library logs goes to stderr.
    console.log = console.error;
    console.info = console.error;
    const { createMcpServer } = await import('../../mcp/server');
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    const server = createMcpServer({ configFile: file, cwd: ctx.cwd, version: typeof GLASSBOX_VERSION === 'string' ? GLASSBOX_VERSION : 'dev' });
    const transport = new StdioServerTransport();
    await server.connect(transport);
    // Serve until the client closes stdin.
    await new Promise<void>((resolve) => {
      transport.onclose = resolve;
      process.stdin.once('end', resolve);
    });
    await server.close();
    return 0;
  },
};
