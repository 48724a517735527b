/**
 * Hovers never starve the analysis: a burst of hovers over many different data rows while a
 * checkpoint is being analysed leaves at most one hover row explanation to run beyond the last
 * hover's (each new hover supersedes the queued ones), and every step of the checkpoint still runs.
 * Over an in-process LSP connection with the bundled worker (`npm run build` first); every wait is on
 * a recorded event, nothing sleeps.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, changed, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';

const idle = (checkpoint: string) => (s: any) => s.checkpoint === checkpoint && !s.busy && s.health === 'ok';
const STEPS = ['Predictions', 'Global importance', 'Drift and drift impact', 'Influence and suspect rows', 'Model checks'];
const begins = (client: TestClient, after = 0) =>
  client.seen.slice(after).filter((r) => r.method === '$/progress' && r.params.value.kind === 'begin').map((r) => r.params.value.message as string);

describe('a burst of row hovers while a checkpoint is analysed', () => {
  let root: string;
  let client: TestClient;
  let train: string;
  const hover = (line: number) => client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line, character: 2 } });

  beforeAll(async () => {
    root = makeWorkspace(300);
    train = path.join(root, 'data/train.csv');
    addCheckpoint(root, 1);
    client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', idle('epoch-1'));
  });
  afterAll(async () => {
    await client.shutdown();
  });

  it('runs every step of the checkpoint and at most one superseded hover explanation', async () => {
    const mark = client.seen.length;
    addCheckpoint(root, 2);
    await changed(client, [path.join(root, 'checkpoints/epoch-2/model.json')]);
    await client.waitFor('$/progress', (p) => p.value.kind === 'begin' && p.value.message === 'Predictions (epoch-2)', mark);
    // 40 different rows hovered at once while the worker runs the first step.
    const burst = client.seen.length;
    const lines = Array.from({ length: 40 }, (_, i) => 10 + i);
    const answers = await Promise.all(lines.map(hover));
    // Each answers with what is known (the previous checkpoint's prediction), attributions pending.
    for (const a of answers) {
      expect(a.contents.value).toMatch(/Prediction: \*\*[01]\*\*/);
      expect(a.contents.value).not.toMatch(/hover again/i);
    }
    await client.waitFor('glassbox/serverStatus', idle('epoch-2'), burst);
    const after = begins(client, burst);
    // Every remaining step of the checkpoint ran after the burst.
    expect(after.filter((m) => m.endsWith('(epoch-2)') && !m.startsWith('Explain row'))).toEqual(STEPS.slice(1).map((s) => `${s} (epoch-2)`));
    // The last hover's explanation, and at most one other the burst started.
    const explained = after.filter((m) => m.startsWith('Explain row'));
    expect(explained.length).toBeGreaterThanOrEqual(1);
    expect(explained.length).toBeLessThanOrEqual(2);
    const dashboard = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(dashboard.checkpoints.map((c: any) => [c.name, c.analysis])).toEqual([
      ['epoch-1', 'done'],
      ['epoch-2', 'done'],
    ]);
    // The last row hovered: its explanation ran, so the next hover shows it.
    expect((await hover(lines[lines.length - 1]!)).contents.value).toContain('Top attributions (kernel-shap, predicted class):');
  });
});
