/**
 * `glassbox/tool` over an in-process LSP connection against `glassbox mcp`'s own tool function in
 * this process (an MCP client over an in-memory transport): the same arguments give the same JSON;
 * bad calls give tool errors and the daemon keeps answering. Runs bin/glassbox.js (`npm run build` first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { addCheckpoint, inProcess, makeWorkspace, type TestClient } from '../../../test/lsp-client';
import { REPO, tmpDir } from '../../../test/helpers';
import { createMcpServer } from '../../mcp/server';
import { initEngine } from '../../core/engine/backend';
import { ToolRequest, type ToolResult } from '../../protocol/tools';
import { languageModelToolsManifest, ToolSessions, type McpToolInfo } from './tools';

/** The JSON without wall-clock fields (`seconds`, `ms`): two runs of one computation differ only there. */
function numbers(text: string): unknown {
  return JSON.parse(text, (key, value) => (key === 'seconds' || key === 'ms' ? undefined : value));
}

describe('glassbox/tool', () => {
  let root: string;
  let client: TestClient;
  let mcp: Client;
  let closeMcp: () => Promise<void>;

  const viaDaemon = (name: string, args?: Record<string, unknown>, uri?: string): Promise<ToolResult> =>
    client.connection.sendRequest(ToolRequest.type, { name, ...(args ? { arguments: args } : {}), ...(uri ? { uri } : {}) });
  const viaMcp = async (name: string, args: Record<string, unknown>) => {
    const r = (await mcp.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }> };
    return { isError: Boolean(r.isError), text: r.content[0]!.text };
  };

  beforeAll(async () => {
    root = makeWorkspace(600);
    addCheckpoint(root, 1);
    addCheckpoint(root, 3);
    client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-3');
    await initEngine();
    const server = createMcpServer({ configFile: path.join(root, 'glassbox.json'), cwd: root, version: 'test' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    mcp = new Client({ name: 'test', version: '0' });
    await Promise.all([server.connect(a), mcp.connect(b)]);
    closeMcp = async () => {
      await mcp.close();
      await server.close();
    };
  }, 180_000);
  afterAll(async () => {
    await closeMcp?.();
    await client?.shutdown();
  });

  it('answers with the JSON the MCP tool gives for the same arguments', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['importance', { limit: 200, checkpoint: 'epoch-3' }],
      ['explain', { rows: [0, 7], checkpoint: 'epoch-1' }],
      ['check', { only: ['calibration'] }],
      ['compare', { a: 'epoch-1', b: 'epoch-3', checks: false, drift: false }],
    ];
    for (const [name, args] of calls) {
      const daemon = await viaDaemon(name, args, `file://${path.join(root, 'data/test.csv')}`);
      const direct = await viaMcp(name, args);
      expect(daemon.isError, `${name}: ${daemon.text}`).toBe(false);
      expect(direct.isError).toBe(false);
      expect(numbers(daemon.text)).toEqual(numbers(direct.text));
    }
    // The numbers are real: shares of the requested checkpoint sum to 1, two rows explained.
    const importance = JSON.parse((await viaDaemon('importance', { limit: 200, checkpoint: 'epoch-3' })).text);
    expect(importance.features).toHaveLength(14);
    expect(importance.shares.reduce((s: number, x: number) => s + x, 0)).toBeCloseTo(1, 9);
    expect(JSON.parse((await viaDaemon('explain', { rows: [0, 7] })).text).rows).toHaveLength(2);
  }, 300_000);

  it('turns bad calls into tool errors and keeps answering', async () => {
    const negative = await viaDaemon('explain', { rows: [-1] });
    expect(negative.isError).toBe(true);
    expect(negative.text).toMatch(/rows/);
    const wrongType = await viaDaemon('suspects', { top: 'many' });
    expect(wrongType.isError).toBe(true);
    const beyond = await viaDaemon('explain', { rows: [10_000_000] });
    expect(beyond).toEqual(await viaMcp('explain', { rows: [10_000_000] }));
    expect(beyond.isError).toBe(true);
    const unknownCheckpoint = await viaDaemon('compare', { a: 'epoch-1', b: 'epoch-99' });
    expect(unknownCheckpoint.isError).toBe(true);
    expect(unknownCheckpoint.text).toMatch(/no checkpoint 'epoch-99'/);
    const unknownTool = await viaDaemon('retrain', {});
    expect(unknownTool.isError).toBe(true);
    expect(unknownTool.text).toMatch(/retrain/);
    const noName = await client.connection.sendRequest(ToolRequest.type, { name: '' });
    expect(noName).toEqual({ isError: true, text: "glassbox/tool needs a tool 'name'" });
    const notObject = await client.connection.sendRequest(ToolRequest.method, { name: 'explain', arguments: [1, 2] });
    expect(notObject).toMatchObject({ isError: true });
    const otherProject = await client.connection.sendRequest(ToolRequest.type, { name: 'check', project: '/nowhere/glassbox.json' });
    expect(otherProject.isError).toBe(true);
    expect(otherProject.text).toMatch(/no Glassbox project '\/nowhere\/glassbox.json'/);
    // Still alive, the same tool process answering.
    const ok = await viaDaemon('check', { only: ['calibration'] });
    expect(ok.isError).toBe(false);
    expect(JSON.parse(ok.text).results[0].id).toBe('calibration');
  }, 300_000);

  it('reports a tool process that cannot start as a tool error, and starts a dead one again', async () => {
    const missing = new ToolSessions({ cliScript: path.join(tmpDir('no-cli'), 'glassbox.js') });
    const r = await missing.call(path.join(root, 'glassbox.json'), 'check', {});
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/did not start: .*glassbox\.js is missing/);
    const sessions = new ToolSessions({ cliScript: path.join(REPO, 'bin/glassbox.js') });
    try {
      const config = path.join(root, 'glassbox.json');
      const first = await sessions.call(config, 'check', { only: ['calibration'] });
      expect(first.isError).toBe(false);
      sessions.killAll();
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (sessions.open.length === 0) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      });
      const again = await sessions.call(config, 'check', { only: ['calibration'] });
      expect(again.isError).toBe(false);
      expect(numbers(again.text)).toEqual(numbers(first.text));
    } finally {
      await sessions.dispose();
    }
  }, 300_000);
});

describe("the editor's language-model tools", () => {
  it("package.json declares one per MCP tool, with the MCP server's own schemas", async () => {
    const server = createMcpServer({ cwd: REPO, version: 'test' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '0' });
    await Promise.all([server.connect(a), client.connect(b)]);
    const { tools } = await client.listTools();
    await client.close();
    await server.close();
    const expected = languageModelToolsManifest(tools as McpToolInfo[]);
    const file = path.join(REPO, 'package.json');
    if (process.env.GLASSBOX_UPDATE_MANIFEST === '1') {
      // Regenerates the entries; package.json is in JSON.stringify's format, so nothing else moves.
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      pkg.contributes.languageModelTools = expected;
      fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    }
    const declared = JSON.parse(fs.readFileSync(file, 'utf8')).contributes.languageModelTools;
    expect(declared, 'out of date: GLASSBOX_UPDATE_MANIFEST=1 npx vitest run server/src/lsp/handlers/tools.test.ts -t "language-model tools"').toEqual(expected);
    expect(declared.map((t: { name: string }) => t.name).sort()).toEqual(
      ['check', 'compare', 'counterfactual', 'drift', 'explain', 'importance', 'influence', 'suspects'].map((n) => `glassbox_${n}`),
    );
    const compare = declared.find((t: { name: string }) => t.name === 'glassbox_compare');
    expect(compare.inputSchema.required).toEqual(['a', 'b']);
    expect(compare.inputSchema.$schema).toBeUndefined();
  });
});
