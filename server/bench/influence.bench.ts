/**
 * Influence: precompute and query speed on the reference Adult MLP (5 checkpoints) and on 10× the
 * rows (synthetic: the training rows repeated with jittered numeric columns), side by side in the
 * same run (alternated pairs, scripts/reference/runner.py) with a closed-form torch self-influence
 * ((|a|^2 + 1) |delta|^2 per layer, all weights and biases) and Captum's TracInCP (self-influence and
 * top-10 proponents); which score to default to (raw / cosine / relatif);
 * and mislabel detection: flip 10% of the Adult training labels (seeded), train the demo MLP on them
 * with a checkpoint per epoch, and count flipped rows in the top 5% / 10% of each suspect ranking.
 * GLASSBOX_BENCH_ONLY=speed, =projection or =mislabels runs one part.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initEngine } from '../src/core/engine/backend';
import { tf, tfl } from '../src/core/engine/tf';
import { Project } from '../src/core/project';
import { saveCheckpoint } from '../src/core/model/io';
import { loadModel } from '../src/core/model/model';
import { scanCheckpoints } from '../src/core/model/checkpoints';
import { createRng, permutation, sampleWithoutReplacement } from '../src/core/util/random';
import { InfluenceIndex, INFLUENCE_METHODS } from '../src/core/influence/index';
import { FileInfluenceStore } from '../src/core/influence/store';
import { dataKey, type TrainingData } from '../src/core/influence/precompute';
import { SUSPECT_SCORES, suspectScores } from '../src/core/influence/suspects';
import { createProjection, parameterCount, projectGradients } from '../src/core/influence/projection';
import { denseStackOf, gradientFactors, layerShapes } from '../src/core/influence/gradients';
import { peakRssMiB, printLimit, printTable, rateOfLimit, time } from './util';
import { Reference, median, paired, ratioCell, type Paired } from './reference';

const ANCHORS = path.join(__dirname, '../../server/test/anchors');
const WORKSPACE = path.join(__dirname, '../../test-workspace');

async function speed(): Promise<void> {
  const project = Project.open(path.join(ANCHORS, 'glassbox.json'));
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-bench-influence-'));
  const train = await project.dataset('train');
  const test = await project.dataset('test');
  const pairs = Number(process.env.GLASSBOX_BENCH_PAIRS ?? 3);
  const engine = await initEngine();
  const ref = await Reference.start(engine.threads ? 2 : 1);
  const t0 = performance.now();
  const index = await InfluenceIndex.open(project, { learningRate: 1, store: new FileInfluenceStore(storeDir) });
  const precomputeMs = performance.now() - t0;
  const checkpoints = index.entries.map((e) => e.info.dir);
  const data = ref ? { checkpoints, x: ref.matrix(train.X), width: train.width, labels: Array.from(train.y!) } : {};
  // Every measured precompute starts from an empty store.
  const precompute = async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-bench-influence-'));
    (await InfluenceIndex.open(project, { learningRate: 1, store: new FileInfluenceStore(dir) })).close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const reuse = await time(async () => (await InfluenceIndex.open(project, { learningRate: 1, store: new FileInfluenceStore(storeDir) })).close(), 3);
  // First call: reads every stored factor and computes the norms (later calls are cached).
  const siMs = (await time(() => index.selfInfluence(), 1, 0)).medianMs;
  // FLOPs: precompute per row and checkpoint, a forward pass and the δ backward products
  // (2·in·out each, layer 0 has no backward product); a query per row, checkpoint and layer
  // 2·(in + out) for the two factor products, layer 0's input product once for all checkpoints.
  const shapes = index.layout.shapes;
  const C = index.entries.length;
  const precomputeFlops = train.n * C * shapes.reduce((a, sh, l) => a + 2 * sh.in * sh.out * (l === 0 ? 1 : 2), 0);
  const queryFlops = (nq: number) => nq * train.n * (2 * shapes[0]!.in + C * shapes.reduce((a, sh, l) => a + 2 * ((l === 0 ? 0 : sh.in) + sh.out), 0));
  const side = async (label: string, ours: () => unknown, task: string, params: Record<string, unknown>, flops: number, goal?: [number, string]): Promise<Array<string | number>> => {
    if (!ref || (!ref.has('captum') && task.startsWith('captum'))) {
      const ms = (await time(ours, 1, 0)).medianMs;
      return [label, ms, rateOfLimit(flops, ms), task, '', 'no reference side'];
    }
    const p: Paired = await paired(ours, ref, task, { ...data, ...params }, pairs);
    const met = goal ? `, goal ${goal[1]} ${median(p.ratios) >= goal[0] ? 'met' : 'NOT met'}` : '';
    return [label, median(p.oursMs), rateOfLimit(flops, median(p.oursMs)), task, median(p.refMs), `${ratioCell(p)}${met}`];
  };
  const rows: Array<Array<string | number>> = [];
  rows.push(await side(`precompute ${train.n} rows × 5 checkpoints (factors to disk)`, precompute, 'torch_self_influence', {}, precomputeFlops, [1, '>= 1x']));
  rows.push(await side(`precompute ${train.n} rows × 5 checkpoints (factors to disk)`, precompute, 'captum_tracincp_self', {}, precomputeFlops, [5, '>= 5x']));
  rows.push(['reopen with every checkpoint unchanged (reuse)', reuse.medianMs, '', '', '', '']);
  rows.push([`self-influence of all rows from the store (first call; goal < 100 ms)`, siMs, '', '', '', siMs < 100 ? 'goal met' : 'goal NOT met']);
  let q = 0;
  for (const method of INFLUENCE_METHODS) {
    const one = await time(() => {
      const k = q++ % 50;
      return index.query(test.X.subarray(k * test.width, (k + 1) * test.width), [test.y![k]!], 1, 10, method);
    }, 7);
    rows.push([`top-10 ${method}, 1 query row over all ${train.n} rows (goal < 10 ms)`, one.medianMs, rateOfLimit(queryFlops(1), one.medianMs), '', '', one.medianMs < 10 ? 'goal met' : 'goal NOT met']);
  }
  // A query reads every resident factor once: its floor is that many bytes at the memory bandwidth.
  const queryBytes = 4 * train.n * (shapes[0]!.in + C * (index.layout.rowWidth));
  rows.push([`  (each all-layer query above reads ${(queryBytes / 2 ** 20).toFixed(0)} MiB of factors)`, '', '', '', '', '']);
  const last = await time(() => {
    const k = q++ % 50;
    return index.query(test.X.subarray(k * test.width, (k + 1) * test.width), [test.y![k]!], 1, 10, 'tracin', { layers: 'last', bias: false });
  }, 7);
  const lastShape = shapes[shapes.length - 1]!;
  rows.push([`top-10 tracin, last layer only (TracInCPFast), 1 query row (goal < 10 ms)`, last.medianMs, rateOfLimit(train.n * C * 2 * (lastShape.in + lastShape.out), last.medianMs), '', '', last.medianMs < 10 ? 'goal met' : 'goal NOT met']);
  const query20 = () => index.query(test.X.subarray(0, 20 * test.width), test.y!, 20, 10, 'tracin');
  rows.push(await side('top-10 tracin, 20 query rows', query20, 'captum_tracincp_proponents', ref ? { query: ref.matrix(test.X.subarray(0, 20 * test.width)), query_labels: Array.from(test.y!.subarray(0, 20)), k: 10 } : {}, queryFlops(20)));
  rows.push(['peak RSS so far (MiB)', peakRssMiB(), '', '', '', '']);
  ref?.close();
  const relatifMs = Number(rows.find((r) => String(r[0]).startsWith('top-10 relatif'))![1]);
  printTable(`influence on the Adult MLP (${train.n} train rows, 5 checkpoints), ${pairs} alternated pairs with the reference`, ['task', 'Glassbox ms', 'GFLOP/s (of limit)', 'reference', 'reference ms', 'speed-up: median (IQR) of pairs'], rows);

  // 10× rows, streamed from disk (entries above 64 MiB are not held in memory).
  const n10 = train.n * 10;
  const rng = createRng(5);
  const X10 = new Float32Array(n10 * train.width);
  const y10 = new Float32Array(n10);
  const { encoding } = await project.schema();
  const numericCols = encoding.features.filter((f) => f.type === 'numeric').map((f) => f.columns[0]);
  for (let r = 0; r < 10; r++) {
    X10.set(train.X, r * train.X.length);
    y10.set(train.y!, r * train.n);
  }
  for (let i = train.n; i < n10; i++) for (const c of numericCols) X10[i * train.width + c] += 0.05 * rng.normal();
  const data10: TrainingData = { X: X10, y: y10, n: n10, width: train.width };
  const storeDir10 = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-bench-influence10-'));
  const models = await Promise.all(index.entries.map(async (e) => ({ info: e.info, model: await project.model(e.info), weight: 1 })));
  const rss0 = peakRssMiB();
  const t1 = performance.now();
  const index10 = InfluenceIndex.fromModels(data10, dataKey(data10, 'binary'), models, new FileInfluenceStore(storeDir10, 64 * 1024 * 1024));
  const pre10 = performance.now() - t1;
  const si10 = await time(() => index10.selfInfluence(), 1, 0);
  const q10 = await time(() => index10.query(test.X.subarray(0, test.width), [test.y![0]!], 1, 10, 'relatif'), 3);
  printTable(`10× rows (${n10}, synthetic), factors streamed from disk`, ['task', 'Adult ms', '10× ms', 'ratio'], [
    ['precompute × 5 checkpoints', precomputeMs, pre10, pre10 / precomputeMs],
    ['self-influence of all rows', siMs, si10.medianMs, si10.medianMs / siMs],
    ['top-10 relatif, 1 query row (Adult: resident; 10×: streamed)', relatifMs, q10.medianMs, q10.medianMs / relatifMs],
    ['peak RSS (MiB), before → after the 10× run', rss0, peakRssMiB(), ''],
  ]);
  index10.close();
  fs.rmSync(storeDir10, { recursive: true, force: true });

  // Which score to default to: do the same rows top every query, and do proponents share the query's label?
  const nq = 200;
  const stats: Array<Array<string | number>> = [];
  for (const method of INFLUENCE_METHODS) {
    const res = index.query(test.X.subarray(0, nq * test.width), test.y!, nq, 10, method);
    const counts = new Map<number, number>();
    let sameLabel = 0;
    res.forEach((r, k) => {
      for (const p of r.proponents) {
        counts.set(p.index, (counts.get(p.index) ?? 0) + 1);
        if (train.y![p.index] === test.y![k]) sameLabel++;
      }
    });
    const most = Math.max(...counts.values());
    stats.push([method, counts.size, most / nq, sameLabel / (nq * 10)]);
  }
  printTable(`proponents of ${nq} test rows (top-10 each)`, ['method', 'distinct rows in all lists', 'share of lists with the most frequent row', 'proponents with the query label'], stats);
  index.close();
  await project.dispose();
  fs.rmSync(storeDir, { recursive: true, force: true });
}

/** Random projection (the general path) against the exact factorised form, on one checkpoint. */
async function projection(): Promise<void> {
  const project = Project.open(path.join(ANCHORS, 'glassbox.json'));
  const train = await project.dataset('train');
  const stack = denseStackOf(await project.model(project.latestCheckpoint()));
  const shapes = layerShapes(stack);
  const m = 4096;
  const rows: Array<Array<string | number>> = [];
  const exact = await time(() => gradientFactors(stack, train.X, train.y!, 0, m), 3);
  rows.push([`per-example gradient factors, ${m} rows (exact path)`, exact.medianMs, '']);
  const f = gradientFactors(stack, train.X, train.y!, 0, m);
  for (const k of [256, 1024]) {
    const proj = createProjection(shapes, k, 0);
    const t = await time(() => projectGradients(proj, f), 3);
    proj.dispose();
    rows.push([`project ${parameterCount(shapes)} parameters to k=${k}, ${m} rows`, t.medianMs, (t.medianMs / m) * train.n * 5]);
  }
  printTable('random projection vs factors (latest anchor checkpoint)', ['task', 'ms', 'est. ms for all rows × 5 checkpoints'], rows);
  await project.dispose();
}

async function mislabels(): Promise<void> {
  const project = Project.open(path.join(WORKSPACE, 'glassbox.json'));
  const { encoding, task } = await project.schema();
  const train = await project.dataset('train');
  const rng = createRng(42);
  const flipped = sampleWithoutReplacement(train.n, Math.round(train.n * 0.1), rng);
  const y = Float32Array.from(train.y!);
  const isFlipped = new Uint8Array(train.n);
  for (const i of flipped) {
    y[i] = 1 - y[i]!;
    isFlipped[i] = 1;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-bench-noisy-'));
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: 700 + s });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [encoding.width], units: 64, activation: 'relu', kernelInitializer: init(1) }),
      tfl.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.dense({ units: 2, activation: 'linear', kernelInitializer: init(3) }),
    ],
  });
  const lr = 0.001;
  model.compile({ optimizer: tf.train.adam(lr), loss: (a: tf.Tensor, b: tf.Tensor) => tf.losses.softmaxCrossEntropy(a, b) });
  const x = tf.tensor2d(train.X, [train.n, encoding.width]);
  const yt = tf.oneHot(tf.tensor1d(y, 'int32'), 2);
  const trainRng = createRng(7);
  for (let epoch = 1; epoch <= 5; epoch++) {
    const order = tf.tensor1d(permutation(train.n, trainRng), 'int32');
    const xs = tf.gather(x, order);
    const ys = tf.gather(yt, order);
    await model.fit(xs, ys, { epochs: 1, batchSize: 256, shuffle: false, verbose: 0 });
    tf.dispose([order, xs, ys]);
    await saveCheckpoint(model, path.join(dir, `epoch-${epoch}`), { epoch, learningRate: lr });
  }
  tf.dispose([x, yt]);
  model.dispose();
  const data: TrainingData = { X: train.X, y, n: train.n, width: train.width };
  const series = scanCheckpoints(dir);
  const models = await Promise.all(series.map(async (info) => ({ info, model: await loadModel(info.dir, { encoding, task }), weight: info.learningRate ?? lr })));
  const index = InfluenceIndex.fromModels(data, dataKey(data, task), models, new FileInfluenceStore(path.join(dir, 'store')));
  const rows = SUSPECT_SCORES.map((kind) => {
    const s = suspectScores(index, kind);
    const order = Array.from({ length: train.n }, (_, i) => i).sort((a, b) => s[b]! - s[a]!);
    const found = (share: number) => order.slice(0, Math.round(train.n * share)).filter((i) => isFlipped[i]).length / flipped.length;
    // The top 10% can hold at most all flipped rows: recall there is also precision.
    return [kind, found(0.05), found(0.1), found(0.2)];
  });
  printTable(`mislabel detection: ${flipped.length} of ${train.n} Adult training labels flipped (seed 42), demo MLP trained 5 epochs on them`, ['ranking', 'flipped found in top 5%', 'in top 10%', 'in top 20%'], rows);
  index.close();
  for (const m of models) m.model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const engine = await initEngine();
  console.log(`backend ${engine.backend}`);
  printLimit();
  const only = process.env.GLASSBOX_BENCH_ONLY;
  if (!only || only === 'speed') await speed();
  if (!only || only === 'projection') await projection();
  if (!only || only === 'mislabels') await mislabels();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
