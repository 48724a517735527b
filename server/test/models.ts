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
