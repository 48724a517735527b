// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { createBrowserApi, dashboardSocketUrl, type SocketLike } from '../common/browser-bridge';
import { posted } from '../common/bridge';
import { App } from '../sidebar/App';
import { dashboard, dashboardEarly } from './fixtures';
import './setup';

/** A WebSocket the test drives: `open()`, `receive(m)`, `drop()`. */
class FakeSocket implements SocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  readonly sent: unknown[] = [];
  private readonly listeners = new Map<string, ((e: { data?: unknown }) => void)[]>();
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('send before open');
    this.sent.push(JSON.parse(data));
  }
  addEventListener(type: string, listener: (e: { data?: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  private emit(type: string, data?: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
  open() {
    this.readyState = 1;
    this.emit('open');
  }
  receive(m: unknown) {
    this.emit('message', typeof m === 'string' ? m : JSON.stringify(m));
  }
  drop() {
    this.readyState = 3;
    this.emit('error');
    this.emit('close');
  }
}

function setUp() {
  const delivered: unknown[] = [];
  const target = new EventTarget();
  target.addEventListener('message', (e) => delivered.push((e as MessageEvent).data));
  const notes: string[] = [];
  const stored = new Map<string, string>();
  const api = createBrowserApi({
    socketUrl: 'ws://127.0.0.1:5000/dashboard/socket?token=t0k',
    openSocket: (url) => new FakeSocket(url),
    target,
    notify: (t) => notes.push(t),
    storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) },
  });
  return { api, socket: FakeSocket.last!, delivered, notes, stored };
}

afterEach(() => {
  document.head.querySelector('meta[name="glassbox-socket"]')?.remove();
  document.getElementById('glassbox-notice')?.remove();
  window.history.replaceState(null, '', '/');
  vi.unstubAllGlobals();
});

describe('browser bridge', () => {
  it('finds its socket from the page: the declared path with the page token, only on the dashboard page', () => {
    const at = (href: string) => new URL(href) as unknown as Location;
    expect(dashboardSocketUrl(document, at('http://127.0.0.1:5000/dashboard?token=abc'))).toBeUndefined();
    const meta = Object.assign(document.createElement('meta'), { name: 'glassbox-socket', content: '/dashboard/socket' });
    document.head.appendChild(meta);
    expect(dashboardSocketUrl(document, at('http://127.0.0.1:5000/dashboard?token=abc'))).toBe('ws://127.0.0.1:5000/dashboard/socket?token=abc');
    expect(dashboardSocketUrl(document, at('https://tunnel.example/dashboard?token=a%26b'))).toBe('wss://tunnel.example/dashboard/socket?token=a%26b');
  });

  it('asks for the state once the socket opens and delivers states as window messages', () => {
    const { api, socket, delivered } = setUp();
    expect(socket.url).toBe('ws://127.0.0.1:5000/dashboard/socket?token=t0k');
    api.postMessage({ type: 'ready' });
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual([{ type: 'getDashboard' }]);
    api.postMessage({ type: 'refresh' });
    expect(socket.sent).toEqual([{ type: 'getDashboard' }, { type: 'getDashboard' }]);

    socket.receive({ type: 'dashboard', state: dashboardEarly });
    socket.receive({ type: 'loading', message: 'analysing' });
    socket.receive({ type: 'explain', state: {} }); // not a page message
    socket.receive({ type: 'nonsense' });
    socket.receive('{not json');
    expect(delivered).toEqual([{ type: 'dashboard', state: dashboardEarly }, { type: 'loading', message: 'analysing' }]);
  });

  it('shows places and read-only notes instead of acting; the socket only ever carries getDashboard', () => {
    const { api, socket, notes } = setUp();
    socket.open();
    api.postMessage({ type: 'openLocation', file: '/ws/data/adult_train.csv', line: 42 });
    api.postMessage({ type: 'explainRow', file: '/ws/data/adult_test.csv', line: 7 });
    api.postMessage({ type: 'runChecks' });
    api.postMessage({ type: 'compare', a: 'epoch-001', b: 'epoch-002' });
    api.postMessage({ type: 'selectMethod', method: 'saliency' });
    expect(notes).toEqual([
      'adult_train.csv line 42 (/ws/data/adult_train.csv:42): open it in your editor; this dashboard is read-only.',
      'adult_test.csv line 7 (/ws/data/adult_test.csv:7): explain it in the editor (Glassbox: Explain This Row) or with glassbox explain --line 7.',
      'Checks run in the editor (Glassbox: Run Checks) or with glassbox check. This dashboard is read-only.',
      'Comparing epoch-001 with epoch-002 runs an analysis: use the editor (Glassbox: Compare Checkpoints). This dashboard is read-only.',
      'The saliency method is chosen in the editor. This dashboard is read-only.',
    ]);
    expect(socket.sent).toEqual([]);
  });

  it('says once when the daemon goes away, and differently when it was never reached', () => {
    const first = setUp();
    first.socket.open();
    first.socket.drop();
    expect(first.delivered).toEqual([{ type: 'error', message: expect.stringContaining('Lost the connection') }]);
    const never = setUp();
    never.socket.drop();
    expect(never.delivered).toEqual([{ type: 'error', message: expect.stringContaining('Could not connect') }]);
  });

  it('keeps UI state in session storage', () => {
    const { api, stored } = setUp();
    expect(api.getState()).toBeUndefined();
    api.setState({ importanceClass: 1 });
    expect(JSON.parse(stored.get('glassbox.webviewState')!)).toEqual({ importanceClass: 1 });
    expect(api.getState()).toEqual({ importanceClass: 1 });
  });

  it('exports on the page itself: a download or the clipboard, nothing over the socket', async () => {
    const { api, socket, notes } = setUp();
    socket.open();
    const clicked: { download: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { clicked.push({ download: this.download, href: this.href }); });
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:glassbox/1', revokeObjectURL: () => undefined }));
    api.postMessage({ type: 'export', action: 'save', format: 'csv', filename: 'checks.csv', content: 'a\r\n' });
    api.postMessage({ type: 'export', action: 'save', format: 'png', filename: 'chart.png', content: 'data:image/png;base64,AAAA' });
    expect(clicked).toEqual([{ download: 'checks.csv', href: 'blob:glassbox/1' }, { download: 'chart.png', href: 'data:image/png;base64,AAAA' }]);
    const written: string[] = [];
    vi.stubGlobal('navigator', { clipboard: { writeText: async (t: string) => { written.push(t); } } });
    api.postMessage({ type: 'export', action: 'copy', format: 'json', filename: 'suspect-rows.json', content: '[]' });
    await new Promise((r) => setTimeout(r, 0));
    expect(written).toEqual(['[]']);
    expect(notes).toEqual(['Copied suspect-rows.json.']);
    expect(socket.sent).toEqual([]);
    vi.restoreAllMocks();
  });

  it('runs the side panel app unchanged on the dashboard page', () => {
    document.head.appendChild(Object.assign(document.createElement('meta'), { name: 'glassbox-socket', content: '/dashboard/socket' }));
    window.history.replaceState(null, '', '/dashboard?token=t0k');
    vi.stubGlobal('WebSocket', FakeSocket);
    render(<App />);
    const socket = FakeSocket.last!;
    expect(socket.url).toBe(`ws://${location.host}/dashboard/socket?token=t0k`);
    act(() => socket.open());
    expect(socket.sent).toEqual([{ type: 'getDashboard' }]);
    act(() => socket.receive({ type: 'dashboard', state: dashboard }));
    expect(within(screen.getByRole('table', { name: 'Checkpoint timeline' })).getAllByRole('row')).toHaveLength(5);

    const suspect = within(screen.getByRole('table', { name: 'Suspect rows' })).getAllByRole('row')[1]!;
    fireEvent.click(suspect);
    expect(document.getElementById('glassbox-notice')!.textContent).toContain('/ws/data/adult_train.csv:42');
    fireEvent.click(screen.getByText('Run again'));
    expect(document.getElementById('glassbox-notice')!.textContent).toContain('glassbox check');
    expect(socket.sent).toEqual([{ type: 'getDashboard' }]);
    expect(posted).toEqual([]); // nothing went to the component-test recorder either

    act(() => socket.receive({ type: 'dashboard', state: dashboardEarly }));
    expect(screen.getByText('not analysed')).toBeTruthy();
  });

  it('asks the socket for the picked checkpoint, on every later refresh too, and back to the newest', () => {
    const { api, socket } = setUp();
    socket.open();
    api.postMessage({ type: 'selectCheckpoint', checkpoint: 'epoch-002' });
    api.postMessage({ type: 'refresh' });
    api.postMessage({ type: 'selectCheckpoint', checkpoint: null });
    expect(socket.sent).toEqual([{ type: 'getDashboard', checkpoint: 'epoch-002' }, { type: 'getDashboard', checkpoint: 'epoch-002' }, { type: 'getDashboard' }]);
  });

  it('says that a page shows one project instead of switching', () => {
    const { api, socket, notes } = setUp();
    socket.open();
    api.postMessage({ type: 'selectProject', project: '/ws/churn/glassbox.json' });
    expect(notes).toEqual(["This page shows one project; each project's dashboard has its own address (stream.json in its .glassbox folder)."]);
    expect(socket.sent).toEqual([]);
  });

  it('downloads the daemon\'s report with the page token from Export report', () => {
    document.head.appendChild(Object.assign(document.createElement('meta'), { name: 'glassbox-socket', content: '/dashboard/socket' }));
    window.history.replaceState(null, '', '/dashboard?token=t%260k');
    vi.stubGlobal('WebSocket', FakeSocket);
    const clicked: { download: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { clicked.push({ download: this.download, href: this.getAttribute('href')! }); });
    render(<App />);
    const socket = FakeSocket.last!;
    act(() => socket.open());
    act(() => socket.receive({ type: 'dashboard', state: dashboard }));
    fireEvent.click(screen.getByText(/^HTML/));
    fireEvent.click(screen.getByText(/^Markdown/));
    expect(clicked).toEqual([{ download: '', href: '/dashboard/report.html?token=t%260k' }, { download: '', href: '/dashboard/report.md?token=t%260k' }]);
    expect(socket.sent).toEqual([{ type: 'getDashboard' }]);
    vi.restoreAllMocks();
  });
});
