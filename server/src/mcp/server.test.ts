import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer } from './server';
import { TOOLS } from './tools';
import { runCli } from '../cli/main';
import { initEngine } from '../core/engine/backend';
import { REPO } from '../../test/helpers';

const PROJECT = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
const CONFIG = path.join(PROJECT, 'glassbox.json');

let client: Client;
let close: () => Promise<void>;

async function cliJson(args: string[]) {
  let out = '';
  const code = await runCli([...args, '--json', '--config', CONFIG], { cwd: PROJECT, stdout: (s) => (out += s), stderr: () => undefined });
  expect(code).toBe(0);
  return JSON.parse(out);
}

async function call(name: string, args: Record<string, unknown>) {
  const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ type: string; text: string }> };
  return { isError: Boolean(r.isError), text: r.content[0]?.text ?? '', json: () => JSON.parse(r.content[0]!.text) };
}

beforeAll(async () => {
  await initEngine();
  const server = createMcpServer({ configFile: CONFIG, cwd: PROJECT, version: 'test' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'test', version: '0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  close = async () => {
    await client.close();
    await server.close();
  };
});

afterAll(async () => close?.());

describe('glassbox mcp', () => {
  it('lists every analysis tool with a JSON schema of its arguments', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
    const explain = tools.find((t) => t.name === 'explain')!;
    expect(explain.inputSchema.type).toBe('object');
    expect(Object.keys(explain.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['rows', 'lines', 'data', 'method', 'checkpoint']));
    const compare = tools.find((t) => t.name === 'compare')!;
    expect(compare.inputSchema.required).toEqual(['a', 'b']);
  });

  it('answers with the numbers the CLI prints', async () => {
    const viaTool = (await call('importance', { limit: 200, checkpoint: 'round-20' })).json();
    const viaCli = await cliJson(['importance', '--limit', '200', '--checkpoint', 'round-20']);
    expect(viaTool.features).toEqual(viaCli.features);
    expect(viaTool.shares).toEqual(viaCli.shares);
    expect(viaTool.sample).toBeUndefined(); // the beeswarm sample is trimmed for agents
    const explained = (await call('explain', { rows: [0, 7] })).json();
    const cli = await cliJson(['explain', '--row', '0,7']);
    expect(explained.rows.map((r: { attributions: unknown }) => r.attributions)).toEqual(cli.rows.map((r: { attributions: unknown }) => r.attributions));
    const cmp = (await call('compare', { a: 'round-30', b: 'round-30', checks: false, drift: false })).json();
    expect(cmp.changed).toBe(false);
  });

  it('turns bad arguments into tool errors and keeps serving', async () => {
    const negative = await call('explain', { rows: [-1] });
    expect(negative.isError).toBe(true);
    const wrongType = await call('suspects', { top: 'many' });
    expect(wrongType.isError).toBe(true);
    const beyond = await call('explain', { rows: [10_000_000] });
    expect(beyond.isError).toBe(true);
    expect(beyond.text).toMatch(/row/i);
    const unknown = await call('compare', { a: 'round-30', b: 'round-99' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/no checkpoint 'round-99'/);
    const missing = await call('compare', { a: 'round-30' });
    expect(missing.isError).toBe(true);
    // Still alive: a good call after the bad ones.
    const ok = await call('check', { only: ['calibration'] });
    expect(ok.isError).toBe(false);
    expect(ok.json().results[0].id).toBe('calibration');
  });
});
