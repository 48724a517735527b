import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StreamEndpoint, type StreamMessage } from './stream';
import { connectGlassbox } from '../stream/client';
import { REPO, tmpDir } from '../../test/helpers';

describe('streaming endpoint', () => {
  it('takes checkpoints and metrics from the TypeScript and Python helpers, and refuses a wrong token', async () => {
    const root = tmpDir('stream');
    const got: StreamMessage[] = [];
    const endpoint = await StreamEndpoint.start(root, (m) => got.push(m));
    expect(endpoint.info.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);

    const ts = await connectGlassbox(root);
    ts.checkpoint(path.join(root, 'checkpoints/epoch-1'));
    ts.metrics(1, { loss: 0.5 });
    await ts.close();
    expect(got).toEqual([
      { type: 'checkpoint', path: path.join(root, 'checkpoints/epoch-1') },
      { type: 'metrics', step: 1, values: { loss: 0.5 } },
    ]);

    const script = `import sys; sys.path.insert(0, ${JSON.stringify(path.join(REPO, 'python'))})
from glassbox_stream import connect
g = connect(${JSON.stringify(root)})
print(g.metrics(2, {"loss": 0.25, "accuracy": 0.9}))
print(g.metrics("x", {}))
g.close()`;
    // Asynchronously: the endpoint lives in this process's event loop.
    const { stdout: out } = await promisify(execFile)('python3', ['-c', script], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(["{'type': 'ack'}", "{'type': 'error', 'message': \"'metrics' needs a numeric 'step'\"}"]);
    expect(got[2]).toEqual({ type: 'metrics', step: 2, values: { loss: 0.25, accuracy: 0.9 } });

    const refused = await new Promise<number>((resolve) => {
      const s = new WebSocket(`${endpoint.info.url}?token=wrong`);
      s.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      s.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    await endpoint.close();
    expect((await connectGlassbox(root)).checkpoint).toBeTypeOf('function');
  });
});
