/**
 * `glassbox/tool`: the agent tools of `glassbox mcp` (server/src/mcp/tools.ts) asked through the
 * daemon, so the editor's language-model tools (client/src/lmTools.ts) answer with exactly the JSON
 * an MCP client gets for the same arguments. Documented in docs/protocol.md.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { ProjectParams } from './panels';

/** package.json `contributes.languageModelTools` names: this prefix and the MCP tool's name. */
export const LM_TOOL_PREFIX = 'glassbox_';

/** `project` (its glassbox.json, its folder or the folder's name) as every request takes it. */
export interface ToolParams extends ProjectParams {
  /** An MCP tool name: explain, importance, suspects, influence, drift, check, compare, counterfactual. */
  name: string;
  /** The tool's arguments, as its JSON schema states them (validated by the tool, not here). */
  arguments?: Record<string, unknown>;
  /** A file of the project (a CSV, its glassbox.json) as a URI, when `project` names none. */
  uri?: string;
}

export interface ToolResult {
  /** True when the tool refused the call (bad arguments, no such checkpoint or row) or failed. */
  isError: boolean;
  /** The tool's JSON text when `isError` is false; a one-line message otherwise. */
  text: string;
}

/** client -> daemon: runs one agent tool on a project. Never a JSON-RPC error for a bad call: `isError`. */
export namespace ToolRequest {
  export const method = 'glassbox/tool';
  export const type = new RequestType<ToolParams, ToolResult, void>(method);
}
