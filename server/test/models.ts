/**
 * Tiny models with known weights for closed-form tests of attribution methods: a mixed encoding
 * (two numeric features and one categorical with three categories, width 5) and dense models built
 * on it through Glassbox's own `wrapModel`.
 */
import { tf, tfl } from '../src/core/engine/tf';
import { wrapModel, type ModelHandle } from '../src/core/model/model';
import type { Encoding } from '../src/core/data/encoding';
import type { Task } from '../src/core/data/schema';

export const MIXED: Encoding = {
  features: [
    { name: 'age', type: 'numeric', transform: 'standardize', mean: 40, std: 10, columns: [0, 1] },
    { name: 'colour', type: 'categorical', categories: ['blue', 'green', 'red'], unknown: 'zeros', columns: [1, 4] },
    { name: 'hours', type: 'numeric', transform: 'standardize', mean: 40, std: 5, columns: [4, 5] },
  ],
  label: { name: 'y', classes: ['no', 'yes'] },
  ignored: [],
  missing: [],
  width: 5,
};

export const W = [0.7, -1.2, 0.4, 2.0, -0.5];
export const BIAS = 0.3;

/** Encoded rows for MIXED: n rows with standard-normal numerics and a one-hot colour. */
export function mixedRows(n: number, seed = 1): Float32Array {
  const X = new Float32Array(n * 5);
  let s = seed;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    X[i * 5] = 4 * u() - 2;
    X[i * 5 + 1 + Math.floor(u() * 3)] = 1;
    X[i * 5 + 4] = 4 * u() - 2;
  }
  return X;
}

/**
 * One dense unit with weights W and bias BIAS: `regression` gives f(x) = W·x + b; `binary` with a
 * sigmoid head gives logits [0, W·x + b], so the class-1 logit is linear too.
 */
export function linearModel(task: Task): ModelHandle {
  const activation = task === 'regression' ? 'linear' : 'sigmoid';
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 1, activation })] });
  m.layers[0]!.setWeights([tf.tensor2d(W, [5, 1]), tf.tensor1d([BIAS])]);
  return wrapModel(m, '/tiny', {}, { encoding: MIXED, task });
}

/** A small tanh MLP with fixed pseudo-random weights and a two-logit head (nonlinear). */
export function mlpModel(): ModelHandle {
  const m = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [5], units: 8, activation: 'tanh' }), tfl.layers.dense({ units: 2 })],
  });
  let s = 7;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, u), w.shape)));
  return wrapModel(m, '/tiny-mlp', {}, { encoding: MIXED, task: 'binary' });
}

/** sum_j W_j * v_j per row. */
export function dotW(v: Float32Array, n: number): number[] {
  return Array.from({ length: n }, (_, i) => W.reduce((s, w, j) => s + w * v[i * 5 + j]!, 0));
}

/**
 * A logistic (binary) or softmax model over `encoding`, loaded from a `glassbox-linear.json` the
 * way a checkpoint is, with seeded coefficients in [-1, 1).
 */
export async function linearTestModel(encoding: Encoding, task: Task, seed = 1): Promise<ModelHandle> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { inspectCheckpoint } = await import('../src/core/model/checkpoints');
  const { loadCheckpointModel } = await import('../src/core/model/formats/load');
  let s = seed;
  const u = () => (s = (s * 1103515245 + 12345) % 2147483648) / 1073741824 - 1;
  const K = task === 'multiclass' ? (encoding.label?.classes?.length ?? 3) : 1;
  const coef = Array.from({ length: K }, () => Array.from({ length: encoding.width }, u));
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-linear-'));
  const link = task === 'binary' ? 'logistic' : task === 'multiclass' ? 'softmax' : 'identity';
  writeFileSync(join(dir, 'glassbox-linear.json'), JSON.stringify({ format: 'glassbox-linear', version: 1, coef, intercept: coef.map(() => u()), link }));
  return loadCheckpointModel(inspectCheckpoint(dir), { encoding, task });
}

/**
 * A seeded random tree ensemble over `encoding` (five complete trees of depth 3; one-hot columns
 * split at 0.5, numeric columns at values in [-1, 1)), loaded from a `glassbox-trees.json` the way
 * a checkpoint is. Binary: one logistic output; regression: one identity output.
 */
export async function treeTestModel(encoding: Encoding, task: 'binary' | 'regression', seed = 1): Promise<ModelHandle> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { inspectCheckpoint } = await import('../src/core/model/checkpoints');
  const { loadCheckpointModel } = await import('../src/core/model/formats/load');
  let s = seed;
  const u = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const oneHot = new Set<number>();
  for (const f of encoding.features) if (f.type === 'categorical') for (let c = f.columns[0]; c < f.columns[1]; c++) oneHot.add(c);
  const trees = Array.from({ length: 5 }, () => {
    const nodes = 15;
    const left = Array.from({ length: nodes }, (_, i) => (i < 7 ? 2 * i + 1 : -1));
    const right = Array.from({ length: nodes }, (_, i) => (i < 7 ? 2 * i + 2 : -1));
    const feature = Array.from({ length: nodes }, (_, i) => (i < 7 ? Math.floor(u() * encoding.width) : -1));
    const threshold = feature.map((f) => (f < 0 ? 0 : oneHot.has(f) ? 0.5 : 2 * u() - 1));
    const cover = new Array<number>(nodes).fill(0);
    for (let i = nodes - 1; i >= 0; i--) cover[i] = i >= 7 ? 1 + Math.floor(u() * 10) : cover[2 * i + 1]! + cover[2 * i + 2]!;
    const value = Array.from({ length: nodes }, () => 2 * u() - 1);
    return { output: 0, decision: '<', left, right, feature, threshold, defaultLeft: new Array(nodes).fill(1), value, cover };
  });
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-trees-'));
  const json = { format: 'glassbox-trees', version: 1, numFeatures: encoding.width, outputs: 1, baseScore: [0], aggregate: 'sum', link: task === 'binary' ? 'logistic' : 'identity', objective: 'test:random', trees };
  writeFileSync(join(dir, 'glassbox-trees.json'), JSON.stringify(json));
  return loadCheckpointModel(inspectCheckpoint(dir), { encoding, task });
}
