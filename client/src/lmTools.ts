/**
 * The agent tools of `glassbox mcp` as VS Code language-model tools, so the editor's agent mode can
 * ask why the model does what it does. package.json `contributes.languageModelTools` declares them
 * (names `glassbox_<tool>`, the MCP tools' own JSON schemas: `languageModelToolsManifest` in
 * server/src/lsp/handlers/tools.ts builds the entries from the MCP server's tool list and its test
 * keeps package.json equal to it); this module registers an implementation for each declared one. A call goes to the daemon's
 * `glassbox/tool`, which runs the same tool function as the MCP server, so the agent gets the JSON
 * an MCP client would.
 *
 * Contract: a refused call (bad arguments, unknown checkpoint, daemon not running) throws an Error
 * with one line an agent can act on, which VS Code hands to the model as the tool's error; nothing
 * else fails. The VS Code API arrives as a parameter (`LmApi`), so unit tests pass a fake.
 */
import type * as vscode from 'vscode';
import { LM_TOOL_PREFIX as TOOL_PREFIX, ToolRequest } from '../../server/src/protocol/tools';
import type { Daemon } from './daemon';

/** The parts of the `vscode` module used here (the module itself satisfies it). */
export interface LmApi {
  /** Absent before VS Code 1.95 (the tools API); `registerTool` is then never called. */
  lm?: { registerTool?<T>(name: string, tool: vscode.LanguageModelTool<T>): vscode.Disposable };
  LanguageModelToolResult: new (content: vscode.LanguageModelTextPart[]) => vscode.LanguageModelToolResult;
  LanguageModelTextPart: new (value: string) => vscode.LanguageModelTextPart;
}

/** The tools' names declared in the extension's package.json. */
export function declaredTools(packageJson: unknown): string[] {
  const list = (packageJson as { contributes?: { languageModelTools?: Array<{ name?: unknown }> } } | undefined)?.contributes?.languageModelTools ?? [];
  return list.map((t) => t.name).filter((n): n is string => typeof n === 'string' && n.startsWith(TOOL_PREFIX));
}

export interface LmToolDeps {
  daemon: Daemon;
  /** The active editor's file (a URI): its project answers when the workspace has several. */
  activeUri?(): string | undefined;
}

/** Runs MCP tool `tool` through the daemon: the JSON text, or an Error with the tool's one line. */
export async function invokeTool(deps: LmToolDeps, tool: string, input: unknown, signal?: AbortSignal): Promise<string> {
  if (!deps.daemon.running) throw new Error(`Glassbox tool '${tool}': the Glassbox daemon is not running (run the command "Glassbox: Restart Daemon")`);
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new Error(`Glassbox tool '${tool}': the input must be a JSON object`);
  }
  const uri = deps.activeUri?.();
  let result;
  try {
    result = await deps.daemon.request(ToolRequest.type, { name: tool, arguments: (input ?? {}) as Record<string, unknown>, ...(uri ? { uri } : {}) }, signal);
  } catch (e) {
    throw new Error(`Glassbox tool '${tool}': ${(e as Error).message ?? String(e)}`);
  }
  if (result.isError) throw new Error(`Glassbox tool '${tool}': ${result.text}`);
  return result.text;
}

/**
 * Registers every tool package.json declares; none when the editor has no language-model tools
 * API. Returns the registrations to dispose with the extension.
 */
export function registerLanguageModelTools(api: LmApi, deps: LmToolDeps, packageJson: unknown): vscode.Disposable[] {
  const registerTool = api.lm?.registerTool;
  if (typeof registerTool !== 'function') return [];
  return declaredTools(packageJson).map((name) => {
    const tool = name.slice(TOOL_PREFIX.length);
    return registerTool.call(api.lm, name, {
      prepareInvocation: () => ({ invocationMessage: `Asking Glassbox (${tool})…` }),
      async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>, token: vscode.CancellationToken) {
        const controller = new AbortController();
        const listener = token.onCancellationRequested(() => controller.abort());
        try {
          const text = await invokeTool(deps, tool, options.input, controller.signal);
          return new api.LanguageModelToolResult([new api.LanguageModelTextPart(text)]);
        } finally {
          listener.dispose();
        }
      },
    } satisfies vscode.LanguageModelTool<unknown>);
  });
}
