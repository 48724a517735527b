/**
 * `glassbox/tool`: the agent tools (server/src/mcp/tools.ts) answered through the daemon, for the
 * editor's language-model tools. Each project gets one `glassbox mcp --config <its glassbox.json>`
 * child process, spoken to with the official MCP client: the call runs the very tool function an
 * MCP client of `glassbox mcp` runs, so both get the same JSON for the same arguments. A child
 * process and not the daemon's worker because only the worker may load TensorFlow.js in this
 * process and the worker's jobs are the scheduled analyses; the child loads the project once and
 * serves every later call warm. It is closed after `idleMs` without calls and when the daemon exits.
 *
 * Contract: the request never fails as JSON-RPC for a bad call. Unknown tools, arguments the
 * tool's schema refuses, commands exiting with an error, a child that does not start or dies:
 * all become `{ isError: true, text: <one line> }`. Cancelling the request cancels the tool call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Connection } from 'vscode-languageserver/node';
import type { Daemon } from '../../daemon/daemon';
import { signalOf } from './request';
import { LM_TOOL_PREFIX, ToolRequest, type ToolParams, type ToolResult } from '../../protocol/tools';
import { toPath } from '../uri';

export interface ToolsOptions {
  /** bin/glassbox.js (the `glassbox` binary) that runs `glassbox mcp`. */
  cliScript?: string;
  /** Close a project's tool process after this long without calls (default 10 minutes). */
  idleMs?: number;
  /** Longest a tool call may take before it is reported as failed (default 15 minutes). */
  timeoutMs?: number;
}

/** bin/glassbox.js of the extension that runs this (dist/server/server.js), else the working directory's. */
export function defaultCliScript(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [path.join(here, '..', '..', 'bin', 'glassbox.js'), path.join(process.cwd(), 'bin', 'glassbox.js')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}

interface Session {
  client: Client;
  transport: StdioClientTransport;
  /** The child's last stderr lines: why it died, when it did. */
  stderr: string[];
  idle?: NodeJS.Timeout;
}

const fail = (text: string): ToolResult => ({ isError: true, text });

export class ToolSessions {
  private readonly sessions = new Map<string, Promise<Session>>();
  /** Started sessions, for the synchronous kill when the daemon's process exits. */
  private readonly live = new Set<Session>();
  private readonly cliScript: string;
  private readonly idleMs: number;
  private readonly timeoutMs: number;

  constructor(options: ToolsOptions = {}) {
    this.cliScript = options.cliScript ?? defaultCliScript();
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 15 * 60_000;
  }

  /** Runs tool `name` with `args` on the project whose glassbox.json is `configFile`. */
  async call(configFile: string, name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult> {
    let session: Session;
    try {
      session = await this.session(configFile);
    } catch (e) {
      return fail(`the Glassbox tool process did not start: ${(e as Error).message}`);
    }
    clearTimeout(session.idle);
    try {
      const r = await session.client.callTool({ name, arguments: args }, undefined, { timeout: this.timeoutMs, ...(signal ? { signal } : {}) });
      const content = Array.isArray(r.content) ? (r.content as Array<{ type: string; text?: string }>) : [];
      const text = content.filter((c) => c.type === 'text').map((c) => c.text ?? '').join('\n');
      return { isError: Boolean(r.isError), text };
    } catch (e) {
      // The SDK throws for protocol-level refusals (e.g. an unknown tool) and for a dead child.
      const why = (e as Error).message ?? String(e);
      const died = !this.sessions.has(configFile);
      return fail(died && session.stderr.length ? `${why} (${session.stderr.at(-1)})` : why.replace(/^MCP error -?\d+: /, ''));
    } finally {
      if (this.sessions.has(configFile)) {
        session.idle = setTimeout(() => void this.close(configFile), this.idleMs);
        session.idle.unref();
      }
    }
  }

  private session(configFile: string): Promise<Session> {
    let s = this.sessions.get(configFile);
    if (!s) {
      s = this.start(configFile);
      this.sessions.set(configFile, s);
      s.catch(() => this.sessions.delete(configFile));
    }
    return s;
  }

  /** Not `async`: the promise returned is the one kept in `sessions`, which `onclose` compares. */
  private start(configFile: string): Promise<Session> {
    if (!fs.existsSync(this.cliScript)) return Promise.reject(new Error(`${this.cliScript} is missing`));
    const transport = new StdioClientTransport({
      // The daemon's own runtime: under VS Code that is Electron run as Node (the env says so).
      command: process.execPath,
      args: [this.cliScript, 'mcp', '--config', configFile],
      cwd: path.dirname(configFile),
      env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string')),
      stderr: 'pipe',
    });
    const stderr: string[] = [];
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(...String(chunk).split('\n').filter((l) => l.trim()));
      stderr.splice(0, Math.max(0, stderr.length - 20));
    });
    const client = new Client({ name: 'glassbox-daemon', version: '1' });
    const session: Session = { client, transport, stderr };
    // The client's hook, not the transport's: connect() wires the transport's own to the client.
    client.onclose = () => {
      this.live.delete(session);
      clearTimeout(session.idle);
      // A child that exits is started again on the next call.
      if (this.sessions.get(configFile) === current) this.sessions.delete(configFile);
    };
    const current = (async () => {
      await client.connect(transport);
      this.live.add(session);
      return session;
    })();
    return current;
  }

  private async close(configFile: string): Promise<void> {
    const s = this.sessions.get(configFile);
    this.sessions.delete(configFile);
    const session = await s?.catch(() => undefined);
    if (!session) return;
    clearTimeout(session.idle);
    await session.client.close().catch(() => undefined);
  }

  /** Closes every tool process (stdin closed: `glassbox mcp` exits). */
  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((k) => this.close(k)));
  }

  /** Stops every child at once (from a process 'exit' handler, where nothing async runs). */
  killAll(): void {
    for (const s of this.live) {
      const pid = s.transport.pid;
      if (pid) {
        try {
          process.kill(pid);
        } catch {
          /* already gone */
        }
      }
    }
  }

  /** Projects with a running tool process (tests). */
  get open(): string[] {
    return [...this.sessions.keys()];
  }
}

/** One tool as `glassbox mcp` lists it (MCP `tools/list`). */
export interface McpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** One package.json `contributes.languageModelTools` entry. */
export interface LanguageModelToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: boolean;
  userDescription: string;
  modelDescription: string;
  tags: string[];
  when: string;
  inputSchema: Record<string, unknown>;
}

/**
 * The editor's declaration of the tools this request serves (package.json, kept equal to this by
 * tools.test.ts): the schema as the MCP server publishes it (minus its `$schema` marker), the
 * description plus what the answer is. Offered only where a Glassbox project is open
 * (`glassbox.hasConfig`, a context key the extension sets).
 */
export function languageModelToolsManifest(tools: readonly McpToolInfo[]): LanguageModelToolContribution[] {
  return tools.map((t) => {
    const { $schema: _marker, ...inputSchema } = t.inputSchema;
    return {
      name: `${LM_TOOL_PREFIX}${t.name}`,
      displayName: `Glassbox: ${t.title ?? t.name}`,
      toolReferenceName: `${LM_TOOL_PREFIX}${t.name}`,
      canBeReferencedInPrompt: true,
      userDescription: t.title ?? t.name,
      modelDescription: `${t.description ?? ''} Answers with JSON (the output of \`glassbox ${t.name} --json\`) about the Glassbox project open in the workspace: its glassbox.json, data files and checkpoint series.`.trim(),
      tags: ['glassbox', 'machine-learning', 'explainability'],
      when: 'glassbox.hasConfig',
      inputSchema,
    };
  });
}

export function registerTools(connection: Connection, daemon: Daemon, options: ToolsOptions = {}): ToolSessions {
  const sessions = new ToolSessions(options);
  connection.onRequest(ToolRequest.type, async (params: ToolParams | undefined, token) => {
    if (!params || typeof params.name !== 'string' || !params.name) return fail("glassbox/tool needs a tool 'name'");
    const args = params.arguments ?? {};
    if (typeof args !== 'object' || Array.isArray(args)) return fail(`the arguments of tool '${params.name}' must be an object`);
    let config: string;
    try {
      config = daemon.project(params.project, typeof params.uri === 'string' && params.uri ? toPath(params.uri) : undefined).configFile;
    } catch (e) {
      // No project, or several and none named: the daemon's one line lists them.
      return fail((e as Error).message);
    }
    return sessions.call(config, params.name, args, signalOf(token));
  });
  // The children also exit on their own when this process dies (their stdin closes).
  process.once('exit', () => sessions.killAll());
  return sessions;
}
