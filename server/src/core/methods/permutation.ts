/**
 * Permutation importance, decomposed per row: for each repeat, the rows being explained are
 * permuted (seeded) and each raw feature in turn takes its values from the permuted rows; the
 * effect on row r is the drop of its metric, averaged over repeats. The mean over rows is the
 * classical permutation importance of the row set (Breiman 2001; Fisher, Rudin & Dominici 2019):
 * - `log-loss`: increase of the row's cross-entropy on its true label (default; needs labels),
 * - `accuracy`: drop of the row's correctness (1/0; needs labels),
 * - `target`: absolute change of the target value (`input.target`): a signed change averages to
 *   ~0 under permutation, so this one measures how much the output moves.
 * The background is the row set itself (not the training set): permuting within the evaluated rows
 * keeps each feature's marginal distribution. `extras.importance` is the global mean per feature
 * and `extras.importanceStd` its standard deviation over repeats. Signed: `glassbox importance`
 * uses the signed mean for this method (extras.aggregate = 'signed').
 */
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import { createRng, permutation as shuffle } from '../util/random';
import { FORWARD_BATCH, spreadToColumns, targetValues, yieldToEvents } from './perturb';
import { reportedTargetClasses, resolveTargetClasses } from './target';
import type { AttributionMethod } from './types';
import type { ModelHandle } from '../model/model';

export interface PermutationParams extends Record<string, unknown> {
  metric: string;
  repeats: number;
}

/** Per-row score where higher is better: correctness, −cross-entropy. */
async function rowScores(model: ModelHandle, Z: Float32Array, rows: number, labels: Float32Array, metric: 'accuracy' | 'log-loss', signal?: AbortSignal): Promise<Float64Array> {
  const width = model.inputWidth;
  const out = new Float64Array(rows);
  for (let s = 0; s < rows; s += FORWARD_BATCH) {
    throwIfAborted(signal);
    const e = Math.min(rows, s + FORWARD_BATCH);
    const t = tf.tidy(() => {
      const z = model.logits(tf.tensor2d(Z.subarray(s * width, e * width), [e - s, width]));
      const y = tf.tensor1d(Int32Array.from(labels.subarray(s, e)), 'int32');
      if (metric === 'accuracy') return tf.cast(tf.equal(tf.argMax(z, 1), y), 'float32');
      return tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(y, model.classes)), 1);
    });
    out.set(t.dataSync(), s);
    t.dispose();
    await yieldToEvents();
  }
  return out;
}

export const permutationImportance = {
  id: 'permutation',
  name: 'Permutation importance',
  summary: 'Drop of log-loss / accuracy / target when a raw feature is permuted across the rows, per row; its mean is the global importance.',
  reference: 'Breiman 2001; Fisher, Rudin & Dominici 2019, arXiv:1801.01489',
  capabilities: { gradients: false, background: false, stochastic: true },
  params: {
    metric: { type: 'string', default: 'log-loss', choices: ['log-loss', 'accuracy', 'target'], description: 'What drops: cross-entropy increase, accuracy drop (both need labels), or the target value.' },
    repeats: { type: 'integer', default: 5, min: 1, max: 1000, description: 'Permutations averaged.' },
  },
  async attribute(input, params) {
    const { model, encoding, X, n, labels } = input;
    const width = encoding.width;
    const F = encoding.features.length;
    if (n < 2) throw new GlassboxError('usage', 'permutation importance permutes feature values across rows and needs at least 2 rows');
    const metric = params.metric as 'log-loss' | 'accuracy' | 'target';
    if (metric !== 'target' && (!labels || model.task === 'regression')) {
      throw new GlassboxError('usage', `permutation: metric '${metric}' needs true labels of a classification task; use --param metric=target`);
    }
    const classes = resolveTargetClasses(model, X, n, input.target, labels);
    const score = (Z: Float32Array) => (metric === 'target' ? targetValues(model, input.target, Z, n, classes, input.signal) : rowScores(model, Z, n, labels!, metric, input.signal));
    const base = await score(X);
    const rng = createRng(input.seed ?? 0);
    const grouped = new Float64Array(n * F);
    const perRepeat = new Float64Array(params.repeats * F);
    const Z = new Float32Array(X);
    for (let k = 0; k < params.repeats; k++) {
      const perm = shuffle(n, rng);
      for (let f = 0; f < F; f++) {
        const [c0, c1] = encoding.features[f]!.columns;
        for (let r = 0; r < n; r++) for (let c = c0; c < c1; c++) Z[r * width + c] = X[perm[r]! * width + c]!;
        const s = await score(Z);
        for (let r = 0; r < n; r++) {
          // A signed change of the target averages to ~0 under permutation (exactly so for linear models).
          const drop = metric === 'target' ? Math.abs(base[r]! - s[r]!) : base[r]! - s[r]!;
          grouped[r * F + f]! += drop / params.repeats;
          perRepeat[k * F + f]! += drop / n;
        }
        for (let r = 0; r < n; r++) for (let c = c0; c < c1; c++) Z[r * width + c] = X[r * width + c]!;
        input.onProgress?.((k * F + f + 1) / (params.repeats * F));
      }
    }
    const importance = Array.from({ length: F }, (_, f) => grouped.reduce((a, v, i) => a + (i % F === f ? v : 0), 0) / n);
    const importanceStd = importance.map((mean, f) => {
      if (params.repeats < 2) return 0;
      let ss = 0;
      for (let k = 0; k < params.repeats; k++) ss += (perRepeat[k * F + f]! - mean) ** 2;
      return Math.sqrt(ss / (params.repeats - 1));
    });
    return {
      method: 'permutation',
      n,
      width,
      encoded: spreadToColumns(grouped, X, n, encoding),
      grouped,
      // A label metric is about each row's true class, whatever target was asked for.
      targetClass: metric === 'target' ? reportedTargetClasses(model, classes) : Int32Array.from(labels!),
      extras: { grouping: 'feature', aggregate: 'signed', metric, targetFromLabels: metric !== 'target', importance, importanceStd },
    };
  },
} satisfies AttributionMethod<PermutationParams>;
