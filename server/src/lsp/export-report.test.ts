/**
 * "Export report" from the editor and the browser dashboard: the daemon's `glassbox/exportReport`
 * answers with the report `glassbox report` writes (the same core), over an in-process LSP
 * connection on a small workspace (600 training rows, two checkpoints).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';
import { initEngine } from '../core/engine/backend';
import { runCli } from '../cli/main';
import type { ExportReportResult } from '../protocol';

describe('glassbox/exportReport', () => {
  let root: string;
  let client: TestClient;

  beforeAll(async () => {
    root = makeWorkspace(600);
    addCheckpoint(root, 1);
    addCheckpoint(root, 3);
    client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-3' && !s.busy);
    await initEngine({ prefer: 'wasm' });
  }, 120_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  it('answers with the Markdown and HTML the CLI writes', async () => {
    const md = await client.connection.sendRequest<ExportReportResult>('glassbox/exportReport', { format: 'md' });
    expect(md).toMatchObject({ format: 'md', checkpoint: 'epoch-3', previous: 'epoch-1' });
    const out = path.join(root, 'cli.md');
    let stderr = '';
    const code = await runCli(['report', '--format', 'md', '--out', out, '--backend', 'wasm'], { cwd: root, stdout: () => undefined, stderr: (s) => (stderr += s) });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(md.text).toBe(fs.readFileSync(out, 'utf8'));
    const html = await client.connection.sendRequest<ExportReportResult>('glassbox/exportReport', {});
    expect(html.format).toBe('html');
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    expect(html.text).toContain(`content="default-src 'none'`);
    expect(html.text).toContain('Changes since epoch-1');
  });
});
