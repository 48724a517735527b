/** The language-model tools on fakes: package.json's declarations (checked against the MCP server's
 * tool list in server/src/lsp/handlers/tools.test.ts) registered and answered through glassbox/tool. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolRequest } from '../../../server/src/protocol/tools';
import { declaredTools, registerLanguageModelTools, type LmApi } from '../lmTools';
import { fakeDeps } from './fakes';

const PACKAGE_JSON = path.resolve(__dirname, '../../../package.json');
const pkg = () => JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8'));

/** A fake `vscode` API recording registrations; results are plain objects. */
function fakeApi(withLm = true) {
  const registered = new Map<string, { invoke: (o: { input: unknown }, t: unknown) => Promise<{ content: Array<{ value: string }> }>; prepareInvocation?: () => unknown }>();
  const api = {
    ...(withLm ? { lm: { registerTool: (name: string, tool: never) => { registered.set(name, tool); return { dispose: () => registered.delete(name) }; } } } : {}),
    LanguageModelToolResult: class { constructor(readonly content: unknown[]) {} },
    LanguageModelTextPart: class { constructor(readonly value: string) {} },
  } as unknown as LmApi;
  return { api, registered };
}

const token = (cancelled = false) => {
  const listeners: Array<() => void> = [];
  return {
    isCancellationRequested: cancelled,
    onCancellationRequested: (l: () => void) => { listeners.push(l); return { dispose: () => undefined }; },
    cancel: () => listeners.forEach((l) => l()),
  };
};

describe('language-model tools', () => {
  it('registers every declared tool and answers with the JSON text of glassbox/tool', async () => {
    const json = JSON.stringify({ features: ['age'], shares: [1] });
    const { deps, rec } = fakeDeps({ responses: { [ToolRequest.method]: { isError: false, text: json } } });
    const { api, registered } = fakeApi();
    const disposables = registerLanguageModelTools(api, { daemon: deps.daemon, activeUri: () => 'file:///ws/data/test.csv' }, pkg());
    expect([...registered.keys()].sort()).toEqual(declaredTools(pkg()).sort());
    expect(registered.size).toBe(8);
    const result = await registered.get('glassbox_importance')!.invoke({ input: { limit: 200 } }, token());
    expect(result.content.map((p) => p.value)).toEqual([json]);
    expect(rec.requests).toHaveLength(1);
    expect(rec.requests[0]).toMatchObject({ method: 'glassbox/tool', params: { name: 'importance', arguments: { limit: 200 }, uri: 'file:///ws/data/test.csv' } });
    for (const d of disposables) d.dispose();
    expect(registered.size).toBe(0);
  });

  it("turns the tool's refusal, a non-object input, a stopped or old daemon into one-line errors", async () => {
    const refused = fakeDeps({ responses: { [ToolRequest.method]: { isError: true, text: "no checkpoint 'epoch-99'" } } });
    const a = fakeApi();
    registerLanguageModelTools(a.api, { daemon: refused.deps.daemon }, pkg());
    await expect(a.registered.get('glassbox_compare')!.invoke({ input: { a: 'epoch-1', b: 'epoch-99' } }, token())).rejects.toThrow("Glassbox tool 'compare': no checkpoint 'epoch-99'");
    await expect(a.registered.get('glassbox_explain')!.invoke({ input: [1, 2] }, token())).rejects.toThrow(/input must be a JSON object/);
    expect(refused.rec.requests).toHaveLength(1);

    const stopped = fakeDeps({ running: false });
    const b = fakeApi();
    registerLanguageModelTools(b.api, { daemon: stopped.deps.daemon }, pkg());
    await expect(b.registered.get('glassbox_check')!.invoke({ input: {} }, token())).rejects.toThrow(/daemon is not running.*Restart Daemon/);
    expect(stopped.rec.requests).toEqual([]);

    const old = fakeDeps({ responses: {} }); // a daemon without glassbox/tool
    const c = fakeApi();
    registerLanguageModelTools(c.api, { daemon: old.deps.daemon }, pkg());
    await expect(c.registered.get('glassbox_drift')!.invoke({ input: {} }, token())).rejects.toThrow("Glassbox tool 'drift': Unhandled method");
  });

  it('passes cancellation on to the daemon request', async () => {
    const { deps, rec } = fakeDeps({ responses: { [ToolRequest.method]: { isError: false, text: '{}' } } });
    const { api, registered } = fakeApi();
    registerLanguageModelTools(api, { daemon: deps.daemon }, pkg());
    const t = token();
    await registered.get('glassbox_suspects')!.invoke({ input: undefined }, t);
    expect(rec.requests[0]!.params).toEqual({ name: 'suspects', arguments: {} });
    const signal = rec.requests[0]!.signal!;
    expect(signal.aborted).toBe(false);
    t.cancel();
    expect(signal.aborted).toBe(true);
  });

  it('registers nothing where the editor has no language-model tools API (before VS Code 1.95)', () => {
    const { deps } = fakeDeps();
    const { api, registered } = fakeApi(false);
    expect(registerLanguageModelTools(api, { daemon: deps.daemon }, pkg())).toEqual([]);
    expect(registered.size).toBe(0);
  });
});
