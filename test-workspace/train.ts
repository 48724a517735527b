/**
 * Demo training script: a small MLP on the UCI Adult census data, with a checkpoint written every
 * epoch into checkpoints/epoch-<n>/ (epoch, learning rate, metrics and the run id in the checkpoint
 * metadata, written to a temporary name and renamed), the way Glassbox expects a training run to
 * look. While the editor is open it streams to the Glassbox daemon: the training loss every few
 * batches and each checkpoint as it lands (server/src/stream/client.ts; nothing happens when no
 * daemon runs). Every run has its own run id, so training again is a new run in the editor, shown
 * beside the previous one and never mixed into its trends.
 *
 * It encodes the data with the same schema Glassbox analyses it with (read from glassbox.json), so
 * the model's inputs and Glassbox's agree column for column. Feature names appear as string
 * literals (`GROUPS`): Glassbox shows its findings about those features right here.
 *
 *   node dist/train-demo.js [--epochs 5] [--seed 7] [--workspace test-workspace] [--run-id name] [--epoch-delay-ms 0]
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { tf, tfl } from '../server/src/core/engine/tf';
import { initEngine } from '../server/src/core/engine/backend';
import { Project } from '../server/src/core/project';
import { saveCheckpoint } from '../server/src/core/model/io';
import { createRng, permutation } from '../server/src/core/util/random';
import { connectGlassbox } from '../server/src/stream/client';

/** Test accuracy is also reported per value of these features (the groups glassbox.json protects). */
const GROUPS = ['sex', 'race'] as const;
/** Training loss is streamed every this many batches. */
const STREAM_EVERY = 10;

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
    'learning-rate': { type: 'string', default: '0.001' },
    'batch-size': { type: 'string', default: '256' },
    workspace: { type: 'string', default: path.join(__dirname, '..', 'test-workspace') },
    'run-id': { type: 'string' },
    // Slows the demo down so checkpoints land one by one while you watch the editor.
    'epoch-delay-ms': { type: 'string', default: '0' },
  },
});
const runId = values['run-id'] ?? `adult-mlp-${new Date().toISOString().replace(/[:.]/g, '-')}`;
const epochDelayMs = Number(values['epoch-delay-ms']);
const epochs = Number(values.epochs);
const seed = Number(values.seed);
const learningRate = Number(values['learning-rate']);
const batchSize = Number(values['batch-size']);

async function main(): Promise<void> {
  const engine = await initEngine();
  const project = Project.open(path.join(path.resolve(values.workspace!), 'glassbox.json'));
  const { encoding } = await project.schema();
  const train = await project.dataset('train');
  const test = await project.dataset('test', { keepRaw: true });
  const groups = GROUPS.map((feature) => ({ feature, column: test.header.indexOf(feature) })).filter((g) => g.column >= 0);
  const glassbox = await connectGlassbox(project.root);
  const outDir = project.config.checkpoints;
  fs.rmSync(outDir, { recursive: true, force: true });

  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed * 100 + s });
  const model = tfl.sequential({
    name: 'adult_mlp',
    layers: [
      tfl.layers.dense({ inputShape: [encoding.width], units: 64, activation: 'relu', kernelInitializer: init(1), name: 'dense_1' }),
      tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(2), name: 'dense_2' }),
      tfl.layers.dense({ units: 2, activation: 'linear', kernelInitializer: init(3), name: 'logits' }),
    ],
  });
  const loss = (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tf.train.adam(learningRate), loss, metrics: ['accuracy'] });

  const x = tf.tensor2d(train.X, [train.n, encoding.width]);
  const y = tf.oneHot(tf.tensor1d(train.y!, 'int32'), 2);
  const xTest = tf.tensor2d(test.X, [test.n, encoding.width]);
  const yTest = tf.oneHot(tf.tensor1d(test.y!, 'int32'), 2);
  const rng = createRng(seed);
  console.log(`training ${encoding.width} -> 64 -> 64 -> 2 on ${train.n} rows (${engine.backend}), ${epochs} epochs, run ${runId}`);
  const batchesPerEpoch = Math.ceil(train.n / batchSize);

  for (let epoch = 1; epoch <= epochs; epoch++) {
    // Seeded shuffle so the demo trains the same model on every machine.
    const order = tf.tensor1d(permutation(train.n, rng), 'int32');
    const xs = tf.gather(x, order);
    const ys = tf.gather(y, order);
    const started = Date.now();
    const h = await model.fit(xs, ys, {
      epochs: 1,
      batchSize,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchEnd: async (batch, logs) => {
          if (logs && batch % STREAM_EVERY === 0) glassbox.metrics((epoch - 1) * batchesPerEpoch + batch, { batchLoss: logs.loss as number });
        },
      },
    });
    tf.dispose([order, xs, ys]);
    const [testLoss, testAcc] = (model.evaluate(xTest, yTest, { batchSize: 4096 }) as tf.Scalar[]).map((t) => t.dataSync()[0]!);
    const metrics = { loss: h.history.loss![0] as number, accuracy: h.history.acc![0] as number, testLoss: testLoss!, testAccuracy: testAcc!, ...groupAccuracy(model, xTest, test.raw!, test.y!, groups) };
    const dir = path.join(outDir, `epoch-${epoch}`);
    await saveCheckpoint(model, dir, { epoch, learningRate, optimizer: 'adam', batchSize, metrics, runId });
    glassbox.checkpoint(dir);
    glassbox.metrics(epoch * batchesPerEpoch, metrics);
    console.log(`epoch ${epoch}: loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)}  test acc ${metrics.testAccuracy.toFixed(4)}  (${Date.now() - started} ms) -> ${project.relative(outDir)}/epoch-${epoch}`);
    if (epochDelayMs > 0 && epoch < epochs) await new Promise((resolve) => setTimeout(resolve, epochDelayMs));
  }
  await glassbox.close();
  tf.dispose([x, y, xTest, yTest]);
  model.dispose();
}

/** Test accuracy within each value of each group feature, as `testAccuracy[sex=Female]` metrics. */
function groupAccuracy(model: tfl.Sequential, xTest: tf.Tensor2D, raw: string[][], labels: Float32Array, groups: Array<{ feature: string; column: number }>): Record<string, number> {
  const predicted = tf.tidy(() => tf.argMax(model.predict(xTest) as tf.Tensor, 1).dataSync());
  const out: Record<string, number> = {};
  for (const { feature, column } of groups) {
    const tally = new Map<string, { right: number; n: number }>();
    raw.forEach((row, i) => {
      const t = tally.get(row[column]!) ?? { right: 0, n: 0 };
      t.n++;
      if (predicted[i] === labels[i]) t.right++;
      tally.set(row[column]!, t);
    });
    for (const [value, t] of tally) out[`testAccuracy[${feature}=${value}]`] = t.right / t.n;
  }
  return out;
}

main().catch((e) => {
  console.error(e?.format?.() ?? e?.stack ?? String(e));
  process.exitCode = 2;
});
