/**
 * The daemon as an editor sees it, on the full Adult data (32,561 training rows): time from a new
 * checkpoint to its analysed results, and hover latency over LSP (in-process connection, the
 * analysis in the worker thread) for header cells and data rows, cold (row explanation computed on
 * demand) and warm (from cache). The editor's hover delay is 300 ms.
 */
import * as path from 'node:path';
import { addCheckpoint, changed, inProcess, makeWorkspace } from '../test/lsp-client';
import { printTable, time } from './util';

async function main(): Promise<void> {
  const root = makeWorkspace(Infinity);
  const train = `file://${path.join(root, 'data/train.csv')}`;
  const client = inProcess({ stableDelayMs: 50 });
  await client.initialize(root);
  await client.waitFor('glassbox/serverStatus', (s) => s.message.includes('waiting'));
  const t0 = performance.now();
  addCheckpoint(root, 5);
  await changed(client, [path.join(root, 'checkpoints/epoch-5/model.json')]);
  const status = await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-5' && !s.busy);
  const analysedMs = performance.now() - t0;
  const hover = (line: number, character: number) => client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: train }, position: { line, character } });
  const header = await time(() => hover(0, 1), 20, 2);
  let next = 100;
  const cold = await time(() => hover(next++, 3), 20, 1);
  const warm = await time(() => hover(100, 3), 20, 1);
  printTable(`daemon on 32,561 Adult rows, backend ${status.backend}`, ['what', 'median ms', 'max ms'], [
    ['new checkpoint -> predictions (33,061 rows) + importance (1,000 rows) done, incl. 50 ms stability wait', analysedMs, analysedMs],
    ['hover on a header cell (importance share + trend)', header.medianMs, Math.max(...header.runsMs)],
    ['hover on a data row, cold (explanation computed on demand)', cold.medianMs, Math.max(...cold.runsMs)],
    ['hover on a data row, warm (explanation cached)', warm.medianMs, Math.max(...warm.runsMs)],
  ]);
  await client.shutdown();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
