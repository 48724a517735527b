/**
 * `glassbox lsp --stdio` as an editor runs it: a child process (the built CLI) talking LSP over its
 * stdin/stdout, with the daemon's own file watcher (this client declares no file watching).
 */
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { addCheckpoint, clientOver, makeWorkspace } from '../../../test/lsp-client';
import { REPO } from '../../../test/helpers';

describe('glassbox lsp --stdio', () => {
  it('serves hover and diagnostics to a client over real stdio, watching files itself', async () => {
    const root = makeWorkspace(300);
    const child = spawn(process.execPath, [path.join(REPO, 'bin/glassbox.js'), 'lsp', '--stdio', '--backend', 'wasm'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const client = clientOver(child.stdout, child.stdin);
    const init = await client.initialize(root, { workspace: {} });
    expect(init.serverInfo.name).toBe('glassbox');
    await client.waitFor('glassbox/serverStatus', (s) => s.message.includes('waiting for a complete checkpoint'));
    addCheckpoint(root, 3);
    const status = await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-3' && !s.busy);
    expect(status.health, stderr).toBe('ok');
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('train.py') && p.diagnostics.length === 1);
    const hover = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${root}/data/train.csv` }, position: { line: 0, character: 40 } });
    expect(hover.contents.value).toMatch(/\*\*education_num\*\* · Glassbox\n\nGlobal importance: \*\*\d+\.\d%\*\*/);
    await client.shutdown();
    expect(await exited).toBe(0);
  });
});
