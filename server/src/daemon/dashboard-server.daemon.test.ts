/**
 * The browser dashboard wired to a real daemon (in-process LSP, the bundled worker of `npm run
 * build`): a page that picks an older checkpoint gets the same state as the editor's
 * `glassbox/dashboard` for it, and the report download is the editor's `glassbox/exportReport`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';
import type { DashboardState, ExportReportResult } from '../protocol/panels';

describe('browser dashboard on a real daemon', () => {
  let root: string;
  let client: TestClient;
  let info: { url: string; token: string };
  let base: string;

  beforeAll(async () => {
    root = makeWorkspace(400);
    addCheckpoint(root, 1);
    addCheckpoint(root, 3);
    client = inProcess();
    await client.initialize(root);
    // Every checkpoint of the run analysed (the older one in the background after the newest).
    await client.waitFor('glassbox/dashboardChanged', (st: DashboardState) => st.checkpoints.length === 2 && st.checkpoints.every((c) => c.analysis === 'done'));
    info = JSON.parse(fs.readFileSync(path.join(root, '.glassbox/stream.json'), 'utf8')) as { url: string; token: string };
    base = info.url.replace(/^ws:/, 'http:').replace(/\/$/, '');
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  it('answers a page that picked the older checkpoint with the editor\'s state for it', async () => {
    const expected = await client.connection.sendRequest<DashboardState>('glassbox/dashboard', { checkpoint: 'epoch-1' });
    expect(expected.checkpoint).toBe('epoch-1');
    expect(expected.importance?.checkpoint).toBe('epoch-1');
    const socket = new WebSocket(`${info.url}dashboard/socket?token=${info.token}`);
    const answered = new Promise<DashboardState>((resolve) => socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; state?: DashboardState };
      if (m.type === 'dashboard') resolve(m.state!);
    }));
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'getDashboard', checkpoint: 'epoch-1' }));
    const state = await answered;
    expect(state).toEqual(expected);
    expect(state.importance?.checkpoint).not.toBe((await client.connection.sendRequest<DashboardState>('glassbox/dashboard', {})).importance?.checkpoint);
    socket.close();
  }, 60_000);

  // One format: each report is built on demand (tens of seconds here); the HTML path is the same code (dashboard-server.test.ts).
  it('serves the report the editor exports, as a download', async () => {
    const md = await client.connection.sendRequest<ExportReportResult>('glassbox/exportReport', { format: 'md' });
    const res = await fetch(`${base}/dashboard/report.md?token=${info.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="glassbox-report-${md.checkpoint}.md"`);
    expect(await res.text()).toBe(md.text);
    expect((await fetch(`${base}/dashboard/report.md`)).status).toBe(401);
  }, 120_000);
});
