import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StreamEndpoint, STREAM_FILE } from './stream';
import { STORE_DIR } from './store';
import { REPO, tmpDir } from '../../test/helpers';
import { dashboard, dashboardEarly } from '../../../webviews/test/fixtures';
import type { DashboardPageMessage } from '../protocol/dashboard-page';
import type { DashboardState } from '../protocol/panels';

let endpoint: StreamEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function start(root = tmpDir('dashboard')) {
  endpoint = await StreamEndpoint.start(root, () => {});
  const base = endpoint.info.url.replace(/^ws:/, 'http:').replace(/\/$/, '');
  return { endpoint, base, token: endpoint.info.token, socketUrl: `${endpoint.info.url}dashboard/socket?token=${endpoint.info.token}` };
}

/** A page's socket: `next()` resolves with the next message not yet taken. */
async function pageSocket(url: string) {
  const socket = new WebSocket(url);
  const inbox: DashboardPageMessage[] = [];
  const waiters: ((m: DashboardPageMessage) => void)[] = [];
  socket.on('message', (data) => {
    const m = JSON.parse(String(data)) as DashboardPageMessage;
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  await once(socket, 'open');
  const next = () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise<DashboardPageMessage>((resolve) => waiters.push(resolve)));
  const send = (m: unknown) => socket.send(typeof m === 'string' ? m : JSON.stringify(m));
  return { socket, next, send, ask: () => send({ type: 'getDashboard' }) };
}

function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const s = new WebSocket(url);
    s.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    s.on('open', () => {
      s.close();
      resolve(101);
    });
  });
}

describe('browser dashboard page', () => {
  it('is refused without the token and serves nothing but the page and its bundle', async () => {
    const { base, token } = await start();
    for (const p of ['/dashboard', '/dashboard?token=wrong', `/dashboard?token=${token.slice(0, -1)}x`, '/dashboard/sidebar.js', '/dashboard/sidebar.css?token=']) {
      const res = await fetch(base + p);
      expect(res.status, p).toBe(401);
      expect(await res.text(), p).not.toContain('<script');
    }
    expect((await fetch(`${base}/elsewhere?token=${token}`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/%2e%2e%2fcli.js?token=${token}`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/sidebar.js.map?token=${token}`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard/toString?token=${token}`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard?token=${token}`, { method: 'POST' })).status).toBe(405);
  });

  it('with the token serves a page whose CSP allows only its nonce script, which is the sidebar bundle', async () => {
    const root = tmpDir('dashboard');
    const { base, token } = await start(root);
    const info = JSON.parse(fs.readFileSync(path.join(root, STORE_DIR, STREAM_FILE), 'utf8')) as { dashboard: string };
    expect(info.dashboard).toBe(`${base}/dashboard?token=${token}`);

    const res = await fetch(info.dashboard);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]{16,})'(;|$)/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(csp).toContain(`connect-src 'self' ${base.replace('http:', 'ws:')}`);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual([`<script nonce="${nonce}" src="/dashboard/sidebar.js?token=${token}">`]);
    expect(html).toContain(`<link rel="stylesheet" href="/dashboard/sidebar.css?token=${token}">`);
    expect(html).toContain('<meta name="glassbox-socket" content="/dashboard/socket">');
    expect(html).toContain('<html lang="en" class="glassbox-browser">');
    expect(html).toContain(`<title>Glassbox · ${path.basename(root)}</title>`);
    // A fresh nonce per load.
    const again = (await fetch(info.dashboard)).headers.get('content-security-policy')!;
    expect(again).not.toBe(csp);

    const js = await fetch(`${base}/dashboard/sidebar.js?token=${token}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(Buffer.from(await js.arrayBuffer()).equals(fs.readFileSync(path.join(REPO, 'dist/webviews/sidebar.js')))).toBe(true);
    const css = await (await fetch(`${base}/dashboard/sidebar.css?token=${token}`)).text();
    expect(css).toContain('html.glassbox-browser');
  });

  it('answers the socket from the daemon callback and pushes published updates; nothing else is accepted', async () => {
    const { endpoint, socketUrl } = await start();
    expect(await handshakeStatus(socketUrl.replace(/token=.*/, 'token=wrong'))).toBe(401);
    expect(await handshakeStatus(socketUrl.replace(/\?token=.*/, ''))).toBe(401);

    const page = await pageSocket(socketUrl);
    page.ask();
    expect(await page.next()).toMatchObject({ type: 'loading' }); // no source yet, nothing published

    let calls = 0;
    endpoint.dashboard.setSource({ getDashboard: async () => (calls++, dashboardEarly) });
    page.ask();
    expect(await page.next()).toEqual({ type: 'dashboard', state: dashboardEarly });
    expect(calls).toBe(1);

    endpoint.dashboard.publish(dashboard);
    expect(await page.next()).toEqual({ type: 'dashboard', state: dashboard });

    for (const m of [{ type: 'runChecks' }, { type: 'compare', a: 'epoch-001', b: 'epoch-002' }, 'not json']) {
      page.send(m);
      expect(await page.next()).toEqual({ type: 'error', message: expect.stringContaining('read-only') });
    }
    expect(calls).toBe(1);

    endpoint.dashboard.setSource({ getDashboard: async () => { throw new Error('store unavailable'); } });
    page.ask();
    expect(await page.next()).toEqual({ type: 'error', message: 'Glassbox could not read the dashboard: store unavailable' });

    // Training processes still talk to the same port.
    const trainer = new WebSocket(`${endpoint.info.url}?token=${endpoint.info.token}`);
    await once(trainer, 'open');
    trainer.send(JSON.stringify({ type: 'metrics', step: 1, values: { loss: 0.5 } }));
    expect(JSON.parse(String((await once(trainer, 'message'))[0]))).toEqual({ type: 'ack' });
    trainer.close();
    page.socket.close();
  });

  it('never shows an answer over a newer published state', async () => {
    const { endpoint, socketUrl } = await start();
    const answers: ((s: DashboardState) => void)[] = [];
    let called: (() => void) | undefined;
    endpoint.dashboard.setSource({ getDashboard: () => new Promise((resolve) => { answers.push(resolve); called?.(); }) });
    const page = await pageSocket(socketUrl);
    const asked = () => new Promise<void>((resolve) => { called = resolve; page.ask(); });
    await asked();
    endpoint.dashboard.publish(dashboard);
    answers[0]!(dashboardEarly); // computed before the publish: must be dropped
    expect(await page.next()).toEqual({ type: 'dashboard', state: dashboard });
    const later = { ...dashboard, project: '/ws/other/glassbox.json' };
    await asked();
    answers[1]!(later);
    expect(await page.next()).toEqual({ type: 'dashboard', state: later });
    page.socket.close();
  });

  it('answers a page for the checkpoint its picker shows, on request and on every published update', async () => {
    const { endpoint, socketUrl } = await start();
    const asked: (string | undefined)[] = [];
    const forCheckpoint = (c: string | undefined): DashboardState => ({ ...dashboard, project: `shown for ${c ?? 'the newest'}` });
    endpoint.dashboard.setSource({ getDashboard: async (p) => (asked.push(p?.checkpoint), forCheckpoint(p?.checkpoint)) });
    const picked = await pageSocket(socketUrl);
    const newest = await pageSocket(socketUrl);
    picked.send({ type: 'getDashboard', checkpoint: 'epoch-001' });
    expect(await picked.next()).toEqual({ type: 'dashboard', state: forCheckpoint('epoch-001') });
    newest.ask();
    expect(await newest.next()).toEqual({ type: 'dashboard', state: forCheckpoint(undefined) });
    expect(asked).toEqual(['epoch-001', undefined]);

    // An update: the page following the newest gets the published state as is, the picked page its checkpoint's, recomputed.
    endpoint.dashboard.publish(dashboardEarly);
    expect(await newest.next()).toEqual({ type: 'dashboard', state: dashboardEarly });
    expect(await picked.next()).toEqual({ type: 'dashboard', state: forCheckpoint('epoch-001') });
    expect(asked).toEqual(['epoch-001', undefined, 'epoch-001']);

    // Back to following the newest.
    picked.ask();
    expect(await picked.next()).toEqual({ type: 'dashboard', state: forCheckpoint(undefined) });
    for (const checkpoint of [3, '', 'x'.repeat(513)]) {
      picked.send({ type: 'getDashboard', checkpoint });
      expect(await picked.next()).toEqual({ type: 'error', message: expect.stringContaining('by its name') });
    }
    expect(asked).toHaveLength(4);
    picked.socket.close();
    newest.socket.close();
  });
});

describe('browser dashboard report download', () => {
  it('serves the same report the editor exports, as an attachment, with the token only', async () => {
    const { endpoint, base, token } = await start();
    const formats: string[] = [];
    const html = '<!DOCTYPE html><html><body><h1>Glassbox report: epoch-005</h1></body></html>';
    const md = '# Glassbox report: epoch-005\n\n| feature | share |\n';
    endpoint.dashboard.setSource({
      getDashboard: async () => dashboard,
      getReport: async (format) => (formats.push(format), { text: format === 'md' ? md : html, checkpoint: 'epoch-005' }),
    });
    for (const p of ['/dashboard/report.html', '/dashboard/report.md?token=wrong']) expect((await fetch(base + p)).status, p).toBe(401);
    expect(formats).toEqual([]);
    expect((await fetch(`${base}/dashboard/report.pdf?token=${token}`)).status).toBe(404);

    const res = await fetch(`${base}/dashboard/report.html?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="glassbox-report-epoch-005.html"');
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    expect(await res.text()).toBe(html);
    const mdRes = await fetch(`${base}/dashboard/report.md?token=${token}`);
    expect([mdRes.headers.get('content-type'), mdRes.headers.get('content-disposition')]).toEqual(['text/markdown; charset=utf-8', 'attachment; filename="glassbox-report-epoch-005.md"']);
    expect(await mdRes.text()).toBe(md);
    expect(formats).toEqual(['html', 'md']);
    expect((await fetch(`${base}/dashboard/report.md?token=${token}`, { method: 'POST' })).status).toBe(405);

    endpoint.dashboard.setSource({ getDashboard: async () => dashboard, getReport: async () => { throw new Error('no ready checkpoint to report on yet'); } });
    const failed = await fetch(`${base}/dashboard/report.html?token=${token}`);
    expect([failed.status, await failed.text()]).toEqual([503, 'Glassbox could not build the report: no ready checkpoint to report on yet\n']);
    endpoint.dashboard.setSource({ getDashboard: async () => dashboard });
    expect((await fetch(`${base}/dashboard/report.html?token=${token}`)).status).toBe(503);
  });
});
