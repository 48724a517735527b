/**
 * For a TensorFlow.js training loop: tells a running Glassbox daemon about checkpoints and metrics
 * as they happen. Finds the daemon through `<project>/.glassbox/stream.json`; when no daemon runs,
 * every call is a no-op, so training never depends on the editor.
 *
 *   const glassbox = await connectGlassbox('.');           // the folder holding glassbox.json
 *   await model.save(`file://checkpoints/epoch-${epoch}`);
 *   glassbox.checkpoint(`checkpoints/epoch-${epoch}`);
 *   glassbox.metrics(epoch, { loss: logs.loss, accuracy: logs.acc });
 *   await glassbox.close();
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';

export interface GlassboxStream {
  checkpoint(dir: string): void;
  metrics(step: number, values: Record<string, number>): void;
  close(): Promise<void>;
}

const NOOP: GlassboxStream = { checkpoint() {}, metrics() {}, close: async () => {} };

export async function connectGlassbox(projectRoot: string): Promise<GlassboxStream> {
  let info: { url: string; token: string };
  try {
    info = JSON.parse(fs.readFileSync(path.join(projectRoot, '.glassbox', 'stream.json'), 'utf8'));
  } catch {
    return NOOP;
  }
  const socket = new WebSocket(`${info.url}?token=${info.token}`);
  const opened = await new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (!opened) return NOOP;
  let pending = 0;
  let drained: (() => void) | undefined;
  socket.on('message', () => {
    if (--pending === 0) drained?.();
  });
  const send = (m: object) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    pending++;
    socket.send(JSON.stringify(m));
  };
  return {
    checkpoint: (dir) => send({ type: 'checkpoint', path: path.resolve(dir) }),
    metrics: (step, values) => send({ type: 'metrics', step, values }),
    async close() {
      if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
      socket.close();
    },
  };
}
