/**
 * The streaming endpoint under abuse: malformed frames over a raw TCP socket, oversize messages,
 * a metrics message with a huge number of values, foreign Host and Origin headers (DNS rebinding).
 * Each must cost the peer its connection, never the daemon its life; well-formed clients go on.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_METRIC_VALUES, MAX_MESSAGE_BYTES, STREAM_FILE, StreamEndpoint, type StreamMessage } from './stream';
import { connectGlassbox } from '../stream/client';
import { tmpDir } from '../../test/helpers';
import { frame, handshake, MALFORMED, nextMessage, text, untilClosed } from '../../test/raw-ws';
import { DASHBOARD_SOCKET_PATH } from '../protocol/dashboard-page';

describe('streaming endpoint hardening', () => {
  let root: string;
  let endpoint: StreamEndpoint;
  let port: number;
  const got: StreamMessage[] = [];

  beforeAll(async () => {
    root = tmpDir('stream-abuse');
    endpoint = await StreamEndpoint.start(root, (m) => got.push(m));
    port = Number(new URL(endpoint.info.url).port);
  });
  afterAll(async () => {
    await endpoint.close();
  });

  const q = () => `?token=${endpoint.info.token}`;

  for (const where of ['/', DASHBOARD_SOCKET_PATH]) {
    for (const bad of MALFORMED) {
      it(`closes the connection on ${bad.name} (${where})`, async () => {
        const { socket, status } = await handshake(port, `${where}${q()}`);
        expect(status).toBe(101);
        const closed = untilClosed(socket);
        socket.write(bad.bytes());
        const { closeCode } = await closed;
        // 1002 protocol error, 1007 invalid payload data, 1009 message too big.
        expect([1002, 1007, 1009]).toContain(closeCode);
      });
    }
  }

  it('refuses a message over the size cap with 1009, on both sockets', async () => {
    expect(MAX_MESSAGE_BYTES).toBe(256 * 1024);
    for (const where of ['/', DASHBOARD_SOCKET_PATH]) {
      const { socket } = await handshake(port, `${where}${q()}`);
      const closed = untilClosed(socket);
      socket.write(text(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20)));
      expect((await closed).closeCode).toBe(1009);
    }
  });

  it('keeps serving well-formed clients after all of that', async () => {
    const before = got.length;
    const g = await connectGlassbox(root);
    g.metrics(7, { loss: 0.125 });
    await g.close();
    expect(got.slice(before)).toEqual([{ type: 'metrics', step: 7, values: { loss: 0.125 } }]);
  });

  it('caps a metrics message with a huge number of values without blocking the event loop', async () => {
    const values: Record<string, number> = {};
    // As many values as fit under the size cap (about 19,000), counted as JSON.stringify writes them.
    for (let i = 0, bytes = 50; bytes < MAX_MESSAGE_BYTES - 100; i++) {
      values[`m${i}`] = i;
      bytes += `"m${i}":${i},`.length;
    }
    const n = Object.keys(values).length;
    expect(n).toBeGreaterThan(15_000);
    expect(JSON.stringify({ type: 'metrics', step: 1, values }).length).toBeLessThan(MAX_MESSAGE_BYTES);
    const { socket } = await handshake(port, `/${q()}`);
    const before = got.length;
    const bytes = text(JSON.stringify({ type: 'metrics', step: 1, values }));
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const reply = nextMessage(socket);
    socket.write(bytes);
    const r = await reply;
    delay.disable();
    socket.destroy();
    expect(r.type).toBe('ack');
    expect(r.warning).toBe(`metrics: kept the first ${MAX_METRIC_VALUES} of ${n} values`);
    const m = got[before] as Extract<StreamMessage, { type: 'metrics' }>;
    expect(Object.keys(m.values)).toHaveLength(MAX_METRIC_VALUES);
    expect(m.values.m3).toBe(3);
    expect(m.values[`m${MAX_METRIC_VALUES - 1}`]).toBe(MAX_METRIC_VALUES - 1);
    // Parsing 256 KiB of JSON takes tens of milliseconds (more on a loaded machine).
    console.log(`metrics message of ${n} values: longest event-loop stall ${(delay.max / 1e6).toFixed(1)} ms`);
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('accepts only its own Host (127.0.0.1 or localhost with its port) and Origin', async () => {
    const status = async (headers: Record<string, string>, where = '/') => {
      const { socket, status } = await handshake(port, `${where}${q()}`, headers);
      socket.destroy();
      return status;
    };
    expect(await status({ Host: `localhost:${port}` })).toBe(101);
    expect(await status({ Host: `evil.example:${port}` })).toBe(403);
    expect(await status({ Host: `127.0.0.1:${port + 1}` })).toBe(403);
    expect(await status({ Host: '127.0.0.1' })).toBe(403);
    expect(await status({ Origin: `http://127.0.0.1:${port}` }, DASHBOARD_SOCKET_PATH)).toBe(101);
    expect(await status({ Origin: `http://localhost:${port}` }, DASHBOARD_SOCKET_PATH)).toBe(101);
    expect(await status({ Origin: 'http://evil.example' }, DASHBOARD_SOCKET_PATH)).toBe(403);
    expect(await status({ Origin: 'null' })).toBe(403);
    const page = (host: string) =>
      new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: `/dashboard${q()}`, headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).once('error', reject);
      });
    expect(await page(`evil.example:${port}`)).toBe(403);
    expect([200, 503]).toContain(await page(`127.0.0.1:${port}`));
  });

  it('a ws library client on the dashboard socket still gets its answer', async () => {
    const s = new WebSocket(`ws://127.0.0.1:${port}${DASHBOARD_SOCKET_PATH}${q()}`);
    await new Promise((resolve) => s.once('open', resolve));
    const answer = new Promise<any>((resolve) => s.once('message', (d) => resolve(JSON.parse(String(d)))));
    s.send(JSON.stringify({ type: 'getDashboard' }));
    expect((await answer).type).toBe('loading');
    s.close();
    // A frame split across writes is fine: only malformed ones close the connection.
    const { socket } = await handshake(port, `/${q()}`);
    const reply = nextMessage(socket);
    const bytes = frame({ opcode: 1, payload: Buffer.from(JSON.stringify({ type: 'checkpoint' })) });
    socket.write(bytes.subarray(0, 3));
    socket.write(bytes.subarray(3));
    expect(await reply).toEqual({ type: 'ack' });
    socket.destroy();
  });

  it('writes stream.json 0600 in a 0700 .glassbox through a rename, replacing a symlink without following it', async () => {
    const root = tmpDir('stream-link');
    const victim = path.join(tmpDir('stream-victim'), 'authorized_keys');
    fs.writeFileSync(victim, 'keep me', { mode: 0o644 });
    fs.mkdirSync(path.join(root, '.glassbox'), { mode: 0o755 });
    fs.symlinkSync(victim, path.join(root, '.glassbox', STREAM_FILE));
    const e = await StreamEndpoint.start(root, () => {});
    const file = path.join(root, '.glassbox', STREAM_FILE);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(root, '.glassbox')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe(e.info.token);
    expect(fs.readdirSync(path.join(root, '.glassbox'))).toEqual([STREAM_FILE]);
    await e.close();
  });

  it('refuses a .glassbox that is a symlink or a file, with an error naming it', async () => {
    const linked = tmpDir('stream-link');
    const elsewhere = tmpDir('stream-elsewhere');
    fs.symlinkSync(elsewhere, path.join(linked, '.glassbox'));
    await expect(StreamEndpoint.start(linked, () => {})).rejects.toMatchObject({ name: 'GlassboxError', location: { file: path.join(linked, '.glassbox') } });
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    const file = tmpDir('stream-file');
    fs.writeFileSync(path.join(file, '.glassbox'), '');
    await expect(StreamEndpoint.start(file, () => {})).rejects.toThrow(/\.glassbox is not a folder/);
  });
});
