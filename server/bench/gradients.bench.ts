/**
 * Gradient attribution methods on the reference Adult MLP: rows/second batched (rows x steps or
 * samples in one forward/backward pass per chunk) against a naive per-row implementation of the
 * same computation (one forward/backward pass per row over that row's steps or samples, with the
 * target classes, baselines and noise scales computed once beforehand; timed on a subset and
 * extrapolated), measured in the same run; Captum's figures from anchors/timings.json where they
 * exist. Then the chunk size of Integrated Gradients.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { initEngine } from '../src/core/engine/backend';
import { Project } from '../src/core/project';
import { tf } from '../src/core/engine/tf';
import { getMethod } from '../src/core/methods/registry';
import { columnMeans, columnRanges } from '../src/core/methods/batching';
import { quadrature } from '../src/core/methods/quadrature';
import { inputGradients, resolveTargetClasses } from '../src/core/methods/target';
import { createRng } from '../src/core/util/random';
import type { ModelHandle } from '../src/core/model/model';
import { resolveParams } from '../src/core/methods/params';
import type { AttributionInput } from '../src/core/methods/types';
import { time, printTable, peakRssMiB } from './util';

const ANCHORS = path.join(__dirname, '../../server/test/anchors');

/** Captum task prefix in timings.json and the rows it covered, per method configuration. */
const CAPTUM: Record<string, [string, number]> = {
  saliency: ['captum Saliency 200 rows', 200],
  'integrated-gradients': ['captum IG 200 rows n_steps=50 mean baseline gausslegendre', 200],
  smoothgrad: ['captum NoiseTunnel(Saliency) smoothgrad 200 rows nt_samples=50', 200],
};

async function main(): Promise<void> {
  const engine = await initEngine();
  const project = Project.open(path.join(ANCHORS, 'glassbox.json'));
  const model = await project.model(project.latestCheckpoint());
  const { encoding } = await project.schema();
  const test = await project.dataset('test');
  const train = await project.dataset('train');
  const w = encoding.width;
  const timings = JSON.parse(fs.readFileSync(path.join(ANCHORS, 'timings.json'), 'utf8')).timings as Array<{ task: string; median_s: number }>;
  const rows = 1000;
  const naiveRows = 10;
  const input = (n: number): AttributionInput => ({
    model,
    encoding,
    X: test.X.subarray(0, n * w),
    n,
    target: { kind: 'predicted' },
    background: train.X,
    backgroundN: train.n,
    seed: 1,
  });
  const configs: Array<[string, Record<string, unknown>, string]> = [
    ['saliency', {}, ''],
    ['input-x-gradient', {}, ''],
    ['integrated-gradients', {}, '50 steps, Gauss–Legendre, mean baseline'],
    ['integrated-gradients', { baseline: 'zero', steps: 64 }, '64 steps, zero baseline'],
    ['smoothgrad', {}, '50 samples'],
    ['smoothgrad-sq', {}, '50 samples'],
    ['vargrad', {}, '50 samples'],
    ['expected-gradients', {}, '200 samples'],
  ];
  const rate = (count: number, ms: number) => (count / ms) * 1000;
  const out: Array<Array<string | number>> = [];
  for (const [id, given, note] of configs) {
    const method = getMethod(id);
    const params = resolveParams(id, method.params, given);
    const batched = await time(() => method.attribute(input(rows), params), 3, 1);
    const perRow = naiveRow(model, id, params, test.X.subarray(0, naiveRows * w), naiveRows, train.X, train.n);
    const naive = await time(() => {
      for (let i = 0; i < naiveRows; i++) perRow(i);
    }, 3, 1);
    const captum = CAPTUM[id] && Object.keys(given).length === 0 ? timings.find((t) => t.task.startsWith(CAPTUM[id]![0])) : undefined;
    out.push([
      `${id}${note ? ` (${note})` : ''}`,
      Math.round(batched.medianMs),
      Math.round(rate(rows, batched.medianMs)),
      Math.round(rate(naiveRows, naive.medianMs)),
      `${(rate(rows, batched.medianMs) / rate(naiveRows, naive.medianMs)).toFixed(1)}x`,
      captum ? Math.round(CAPTUM[id]![1] / captum.median_s) : '',
    ]);
  }
  printTable(`gradient attributions, ${rows} Adult test rows, backend ${engine.backend} (naive: one forward/backward pass per row, ${naiveRows} rows, extrapolated)`, [
    'method',
    'batched ms',
    'rows/s',
    'naive rows/s',
    'batched / naive',
    'Captum rows/s (timings.json)',
  ], out);

  const ig = getMethod('integrated-gradients');
  const sweep: Array<Array<string | number>> = [];
  for (const batchSize of [512, 2048, 8192, 32768]) {
    const t = await time(() => ig.attribute(input(rows), resolveParams(ig.id, ig.params, { batchSize })), 3, 1);
    sweep.push([batchSize, Math.round(t.medianMs), Math.round(rate(rows, t.medianMs))]);
  }
  printTable('integrated-gradients (50 steps): evaluation points per forward/backward pass', ['batchSize', 'median ms', 'rows/s'], sweep);
  console.log(`\npeak RSS ${Math.round(peakRssMiB())} MiB`);
  await project.dispose();
}

/**
 * The same attributions computed one row at a time: for row i, its points (1 for saliency and
 * input x gradient, steps or samples otherwise) in one forward/backward pass, reduced, read back.
 */
function naiveRow(model: ModelHandle, id: string, params: Record<string, unknown>, X: Float32Array, n: number, bg: Float32Array, bgN: number): (i: number) => Float32Array {
  const w = model.inputWidth;
  const classes = resolveTargetClasses(model, X, n, { kind: 'predicted' });
  const target = { kind: 'predicted' } as const;
  const zero = new Float32Array(w);
  const mean = columnMeans(bg, bgN, w);
  const sigma = columnRanges(bg, bgN, w).map((r) => r * (params.noiseLevel as number));
  const rng = createRng(1);
  return (i) => {
    const x = X.subarray(i * w, (i + 1) * w);
    let S = 1;
    let points: Float32Array = x;
    let coef: Float32Array | undefined;
    if (id === 'integrated-gradients' || id === 'expected-gradients') {
      S = (id === 'integrated-gradients' ? params.steps : params.samples) as number;
      const q = id === 'integrated-gradients' ? quadrature(params.rule as 'gausslegendre', S) : undefined;
      points = new Float32Array(S * w);
      coef = new Float32Array(S * w);
      for (let k = 0; k < S; k++) {
        const r = q ? 0 : rng.int(bgN);
        const b = q ? (params.baseline === 'zero' ? zero : mean) : bg.subarray(r * w, (r + 1) * w);
        const a = q ? q.alphas[k]! : rng.next();
        for (let j = 0; j < w; j++) {
          points[k * w + j] = b[j]! + a * (x[j]! - b[j]!);
          coef[k * w + j] = (x[j]! - b[j]!) * (q ? q.weights[k]! : 1 / S);
        }
      }
    } else if (id !== 'saliency' && id !== 'input-x-gradient') {
      S = params.samples as number;
      points = new Float32Array(S * w);
      for (let k = 0; k < S; k++) for (let j = 0; j < w; j++) points[k * w + j] = x[j]! + sigma[j]! * rng.normal();
    }
    const t = tf.tidy(() => {
      const g = inputGradients(model, tf.tensor2d(points, [S, w]), tf.fill([S], classes[i]!, 'int32') as tf.Tensor1D, target);
      if (coef) return tf.sum(tf.mul(g, tf.tensor2d(coef, [S, w])), 0);
      if (id === 'input-x-gradient') return tf.mul(g, tf.tensor2d(x, [1, w]));
      if (id === 'saliency' || id === 'smoothgrad') return tf.mean(g, 0);
      if (id === 'smoothgrad-sq') return tf.mean(tf.square(g), 0);
      return tf.moments(g, 0).variance;
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  };
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
