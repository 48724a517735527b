/**
 * Forward-pass throughput on the reference Adult MLP: the dense-stack path Glassbox uses against
 * tfjs-layers' own `predict`, and batched against one row at a time.
 */
import * as path from 'node:path';
import { initEngine } from '../src/core/engine/backend';
import { tf } from '../src/core/engine/tf';
import { Project } from '../src/core/project';
import { predict } from '../src/core/model/model';
import { time, printTable } from './util';

async function main(): Promise<void> {
  const engine = await initEngine();
  const project = Project.open(path.join(__dirname, '../../server/test/anchors/glassbox.json'));
  const model = await project.model(project.latestCheckpoint());
  const train = await project.dataset('train');
  const n = train.n;
  const ours = await time(() => predict(model, train.X, n));
  const layers = await time(() => {
    const x = tf.tensor2d(train.X, [n, train.width]);
    const y = model.layersModel!.predict(x, { batchSize: 4096 }) as tf.Tensor;
    y.dataSync();
    tf.dispose([x, y]);
  });
  const rows = 200;
  const perRow = await time(() => {
    for (let i = 0; i < rows; i++) predict(model, train.X.subarray(i * train.width, (i + 1) * train.width), 1);
  }, 3);
  const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
  printTable(`forward pass, ${n} Adult rows, backend ${engine.backend}`, ['path', 'median ms', 'rows/s', 'vs ours'], [
    ['Glassbox predict (dense stack, batches of 4096)', ours.medianMs, rate(n, ours.medianMs), 1],
    ['tfjs-layers model.predict', layers.medianMs, rate(n, layers.medianMs), layers.medianMs / ours.medianMs],
    [`one row at a time (${rows} rows)`, perRow.medianMs, rate(rows, perRow.medianMs), rate(n, ours.medianMs) / rate(rows, perRow.medianMs)],
  ]);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
