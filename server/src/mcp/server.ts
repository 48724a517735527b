/**
 * `glassbox mcp`: a Model Context Protocol server (official TypeScript SDK) whose tools are the
 * analysis commands (tools.ts), bound to one project (its glassbox.json). Calls run one at a time:
 * they share the TensorFlow.js engine and the loaded data, and an agent waiting on one answer loses
 * nothing. Tool results are JSON text; a failing call is a tool error result (`isError`), never a
 * crashed server. The SDK validates arguments against each tool's schema first.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { COMMANDS, runCli } from '../cli/main';
import type { Command } from '../cli/context';
import { TOOLS, type ToolSpec } from './tools';

export interface McpOptions {
  /** glassbox.json of the project; undefined: found from `cwd` like every command. */
  configFile?: string;
  cwd: string;
  version: string;
  /** The CLI commands the tools run (default: the real ones). */
  commands?: readonly Command[];
}

export function createMcpServer(options: McpOptions): McpServer {
  const server = new McpServer({ name: 'glassbox', version: options.version });
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  const available = new Set((options.commands ?? COMMANDS).map((c) => c.name));
  for (const tool of TOOLS) {
    // A tool whose command this build lacks is not offered (rather than failing on every call).
    if (!available.has(tool.command)) continue;
    server.registerTool(tool.name, { title: tool.title, description: tool.description, inputSchema: tool.shape }, (args: Record<string, unknown>) => serial(() => callTool(tool, args, options)));
  }
  return server;
}

export async function callTool(tool: ToolSpec, args: Record<string, unknown>, options: McpOptions): Promise<CallToolResult> {
  let stdout = '';
  let stderr = '';
  try {
    const argv = [tool.command, ...tool.toArgv(args), '--json', ...(options.configFile ? ['--config', options.configFile] : [])];
    const code = await runCli(argv, { cwd: options.cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, options.commands);
    if (code !== 0 && code !== 1) return error(stderr.trim() || `glassbox ${tool.command} exited with ${code}`);
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      return error(`glassbox ${tool.command} printed no JSON${stderr ? `: ${stderr.trim()}` : ''}`);
    }
    const shaped = tool.shapeResult && json && typeof json === 'object' ? tool.shapeResult(json as Record<string, unknown>) : json;
    return { content: [{ type: 'text', text: JSON.stringify(shaped) }] };
  } catch (e) {
    return error(`glassbox ${tool.command}: ${(e as Error).message ?? String(e)}`);
  }
}

function error(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: text.replace(/^glassbox \S+: /, '') }] };
}
