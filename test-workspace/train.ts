/**
 * Demo training script: a small MLP on the UCI Adult census data, with a checkpoint written every
 * epoch into checkpoints/epoch-<n>/ (epoch, learning rate and metrics in the checkpoint metadata,
 * written to a temporary name and renamed), the way Glassbox expects a training run to look.
 *
 * It encodes the data with the same schema Glassbox analyses it with (read from glassbox.json), so
 * the model's inputs and Glassbox's agree column for column.
 *
 *   node dist/train-demo.js [--epochs 5] [--seed 7] [--workspace test-workspace]
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { tf, tfl } from '../server/src/core/engine/tf';
import { initEngine } from '../server/src/core/engine/backend';
import { Project } from '../server/src/core/project';
import { saveCheckpoint } from '../server/src/core/model/io';
import { createRng, permutation } from '../server/src/core/util/random';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
    'learning-rate': { type: 'string', default: '0.001' },
    'batch-size': { type: 'string', default: '256' },
    workspace: { type: 'string', default: path.join(__dirname, '..', 'test-workspace') },
  },
});
const epochs = Number(values.epochs);
const seed = Number(values.seed);
const learningRate = Number(values['learning-rate']);
const batchSize = Number(values['batch-size']);

async function main(): Promise<void> {
  const engine = await initEngine();
  const project = Project.open(path.join(path.resolve(values.workspace!), 'glassbox.json'));
  const { encoding } = await project.schema();
  const train = await project.dataset('train');
  const test = await project.dataset('test');
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
  console.log(`training ${encoding.width} -> 64 -> 64 -> 2 on ${train.n} rows (${engine.backend}), ${epochs} epochs`);

  for (let epoch = 1; epoch <= epochs; epoch++) {
    // Seeded shuffle so the demo trains the same model on every machine.
    const order = tf.tensor1d(permutation(train.n, rng), 'int32');
    const xs = tf.gather(x, order);
    const ys = tf.gather(y, order);
    const started = Date.now();
    const h = await model.fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    tf.dispose([order, xs, ys]);
    const [testLoss, testAcc] = (model.evaluate(xTest, yTest, { batchSize: 4096 }) as tf.Scalar[]).map((t) => t.dataSync()[0]!);
    const metrics = { loss: h.history.loss![0] as number, accuracy: h.history.acc![0] as number, testLoss: testLoss!, testAccuracy: testAcc! };
    await saveCheckpoint(model, path.join(outDir, `epoch-${epoch}`), { epoch, learningRate, optimizer: 'adam', batchSize, metrics });
    console.log(`epoch ${epoch}: loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)}  test acc ${metrics.testAccuracy.toFixed(4)}  (${Date.now() - started} ms) -> ${project.relative(outDir)}/epoch-${epoch}`);
  }
  tf.dispose([x, y, xTest, yTest]);
  model.dispose();
}

main().catch((e) => {
  console.error(e?.format?.() ?? e?.stack ?? String(e));
  process.exitCode = 2;
});
