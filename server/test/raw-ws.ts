/**
 * A WebSocket client written against the raw TCP socket, for sending the frames a well-behaved
 * library never sends (RFC 6455 section 5): unmasked client frames, reserved opcodes and bits,
 * control frames over 125 bytes, impossible lengths, invalid UTF-8. Each function waits on socket
 * events, never on timers.
 */
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface FrameSpec {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv1?: boolean;
  /** Client frames must be masked; false sends an unmasked one. */
  mask?: boolean;
  /** Announce this payload length instead of the real one (e.g. 2^63 - 1). */
  announcedLength?: bigint;
}

/** Encodes one frame exactly as specified (masking with a random key when `mask` is not false). */
export function frame({ opcode, payload = Buffer.alloc(0), fin = true, rsv1 = false, mask = true, announcedLength }: FrameSpec): Buffer {
  const length = announcedLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

export const text = (s: string | Buffer): Buffer => frame({ opcode: 1, payload: Buffer.isBuffer(s) ? s : Buffer.from(s) });

export interface RawSocket {
  socket: net.Socket;
  /** Status line and headers of the handshake answer. */
  response: string;
  status: number;
}

/**
 * Opens a TCP connection and sends an upgrade request to `path` with the given extra headers
 * (`Host` defaults to the address connected to). Resolves once the answer's headers arrived.
 */
export function handshake(port: number, path: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    const all: Record<string, string> = {
      Host: `127.0.0.1:${port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...headers,
    };
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    const onData = (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const response = buffered.subarray(0, end).toString('latin1');
      const rest = buffered.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve({ socket, response, status: Number(response.split(' ')[1]) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Server frames (unmasked) read from a socket until it closes. */
export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Collects every frame the server sends until the TCP connection ends; resolves with them and the
 * close code of the close frame, if any.
 */
export function untilClosed(socket: net.Socket): Promise<{ frames: ServerFrame[]; closeCode: number | undefined }> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const frames: ServerFrame[] = [];
    socket.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      for (;;) {
        const f = parseServerFrame(buffered);
        if (!f) break;
        frames.push(f.frame);
        buffered = buffered.subarray(f.used);
      }
    });
    socket.on('error', () => {
      /* a reset is a way of closing too */
    });
    socket.once('close', () => {
      const close = frames.find((f) => f.opcode === 8);
      resolve({ frames, closeCode: close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined });
    });
  });
}

/** The next server frame from a buffer, or undefined when it is not complete yet. */
export function parseServerFrame(b: Buffer): { frame: ServerFrame; used: number } | undefined {
  if (b.length < 2) return undefined;
  let len = b[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (b.length < 4) return undefined;
    len = b.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (b.length < 10) return undefined;
    len = Number(b.readBigUInt64BE(2));
    off = 10;
  }
  if (b.length < off + len) return undefined;
  return { frame: { opcode: b[0]! & 0x0f, payload: b.subarray(off, off + len) }, used: off + len };
}

/** Resolves with the first text frame the server sends (parsed as JSON). */
export function nextMessage(socket: net.Socket): Promise<any> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      for (;;) {
        const f = parseServerFrame(buffered);
        if (!f) return;
        buffered = buffered.subarray(f.used);
        if (f.frame.opcode === 1) {
          socket.off('data', onData);
          resolve(JSON.parse(f.frame.payload.toString('utf8')));
          return;
        }
      }
    };
    socket.on('data', onData);
  });
}

/** The malformed inputs of RFC 6455 a server must reject by closing, with the close code ws sends. */
export const MALFORMED: Array<{ name: string; bytes: () => Buffer }> = [
  { name: 'invalid UTF-8 in a text frame', bytes: () => text(Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d])) },
  { name: 'an unmasked client frame', bytes: () => frame({ opcode: 1, payload: Buffer.from('{}'), mask: false }) },
  { name: 'a reserved opcode (0x3)', bytes: () => frame({ opcode: 3, payload: Buffer.from('x') }) },
  { name: 'RSV1 without a negotiated extension', bytes: () => frame({ opcode: 1, payload: Buffer.from('{}'), rsv1: true }) },
  { name: 'a 200-byte ping', bytes: () => frame({ opcode: 9, payload: Buffer.alloc(200, 0x61) }) },
  { name: 'a stray continuation frame', bytes: () => frame({ opcode: 0, payload: Buffer.from('abc') }) },
  { name: 'close code 999', bytes: () => frame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) }) },
  { name: 'a 2^63 - 1 length header', bytes: () => frame({ opcode: 2, announcedLength: 2n ** 63n - 1n }) },
];
