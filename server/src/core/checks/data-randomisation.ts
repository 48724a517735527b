/**
 * Data randomisation test (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"): the model's
 * architecture is trained from a fresh initialisation on training rows whose labels were randomly
 * permuted, and each attribution method's attributions for that model are compared with those of
 * the real model (mean per-row Spearman of |attribution| per raw feature). A model trained on
 * shuffled labels has learnt nothing about the task, so a method that explains both alike does
 * not reflect what the model learnt from the data: it is flagged.
 *
 * Opt-in (it trains a model): `glassbox check --only data-randomisation`, or give it a severity in
 * `checks.severity`. Defaults: 2,000 seeded training rows, 10 epochs of Adam (learning rate 1e-3,
 * batches of 128) on softmax cross-entropy (regression: squared error), 64 explained rows,
 * flagged at similarity >= 0.5.
 */
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import { takeRows } from '../data/dataset';
import type { ModelExpectations, ModelHandle } from '../model/model';
import type { AttributionMethod } from '../methods/types';
import { createRng, permutation } from '../util/random';
import { num } from './evidence';
import { attribute, INSENSITIVE_SIMILARITY, RANDOMISATION_ROWS, rankSimilarity, randomisationMethods, reinitialised, weightedGroups } from './randomisation';
import { outcome, skip, type Check, type Finding } from './types';

export const SHUFFLED_ROWS = 2000;
export const SHUFFLED_EPOCHS = 10;
const BATCH = 128;

/** A copy of the model's architecture trained on `X` with the labels `y` permuted (seeded). */
export async function trainOnShuffledLabels(model: ModelHandle, expect: ModelExpectations, X: Float32Array, y: Float32Array, n: number, seed: number, signal?: AbortSignal): Promise<ModelHandle> {
  if (!model.layersModel) throw new GlassboxError('model', 'training a copy on shuffled labels needs a TF.js layers model', { file: model.file });
  const copy = await reinitialised(model, expect, new Set(weightedGroups(model)), seed + 17);
  if (!copy.layersModel) throw new GlassboxError('model', 'training a copy on shuffled labels needs a TF.js layers model', { file: model.file });
  const rng = createRng(seed);
  const shuffled = Float32Array.from(permutation(n, rng), (i) => y[i]!);
  const width = model.inputWidth;
  const vars = copy.layersModel.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(1e-3);
  try {
    for (let epoch = 0; epoch < SHUFFLED_EPOCHS; epoch++) {
      throwIfAborted(signal);
      const order = permutation(n, rng);
      for (let start = 0; start < n; start += BATCH) {
        const idx = order.subarray(start, Math.min(n, start + BATCH));
        const xb = new Float32Array(idx.length * width);
        idx.forEach((r, i) => xb.set(X.subarray(r * width, (r + 1) * width), i * width));
        const yb = Float32Array.from(idx, (r) => shuffled[r]!);
        tf.tidy(() => {
          const x = tf.tensor2d(xb, [idx.length, width]);
          optimizer.minimize(() => {
            const z = copy.logits(x);
            if (copy.task === 'regression') return tf.mean(tf.square(tf.sub(tf.reshape(z, [-1]), tf.tensor1d(yb))));
            return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(yb, 'int32'), copy.classes), z) as tf.Scalar;
          }, false, vars);
        });
      }
    }
  } finally {
    optimizer.dispose();
  }
  return copy;
}

export interface DataRandomisationResult {
  rows: number;
  methods: Array<{ method: string; similarity: number; insensitive: boolean }>;
}

export async function dataRandomisation(input: {
  model: ModelHandle;
  expect: ModelExpectations;
  train: { X: Float32Array; y: Float32Array; n: number };
  X: Float32Array;
  n: number;
  methods: AttributionMethod[];
  background?: { X: Float32Array; n: number };
  seed?: number;
  signal?: AbortSignal;
}): Promise<DataRandomisationResult> {
  const { model, expect, n, methods } = input;
  const seed = input.seed ?? 0;
  const F = expect.encoding.features.length;
  const base = { encoding: expect.encoding, X: input.X, n, seed, ...(input.background ? { background: input.background } : {}), ...(input.signal ? { signal: input.signal } : {}) };
  const shuffled = await trainOnShuffledLabels(model, expect, input.train.X, input.train.y, input.train.n, seed, input.signal);
  try {
    const out: DataRandomisationResult['methods'] = [];
    for (const m of methods) {
      const similarity = rankSimilarity(await attribute(m, model, base), await attribute(m, shuffled, base), n, F);
      out.push({ method: m.id, similarity, insensitive: similarity >= INSENSITIVE_SIMILARITY });
    }
    return { rows: n, methods: out };
  } finally {
    shuffled.dispose();
  }
}

export const dataRandomisationCheck = {
  id: 'data-randomisation',
  title: 'Data randomisation test',
  description: 'every attribution method explains a model trained on shuffled labels differently from the real one',
  reference: 'Adebayo et al. 2018, arXiv:1810.03292',
  needs: ['model', 'train', 'labels'],
  defaultSeverity: 'warning',
  optIn: true,
  async run(ctx, signal) {
    const methods = randomisationMethods(ctx.options.methods, ctx.options.methodsLocation);
    if (methods.length === 0) return skip('no attribution methods to test');
    if (!ctx.model.layersModel) return skip(`training a copy of the architecture on shuffled labels needs a TF.js layers model; ${ctx.checkpoint.name} is a ${ctx.model.kind} model (${ctx.model.format})`);
    const train = await ctx.train();
    if (!train.y) return skip('the training data has no labels');
    const trainRows = Array.from(ctx.sample(train, SHUFFLED_ROWS, 6)).filter((r) => !Number.isNaN(train.y![r]!));
    const data = await ctx.evaluation();
    const rows = ctx.sample(data, RANDOMISATION_ROWS, 5);
    const bg = ctx.sample(train, 100, 2);
    const output = ctx.config.raw.model?.output;
    const result = await dataRandomisation({
      background: { X: takeRows(train, bg), n: bg.length },
      model: ctx.model,
      expect: { encoding: ctx.encoding, task: ctx.task, ...(output ? { output } : {}) },
      train: { X: takeRows(train, trainRows), y: Float32Array.from(trainRows, (r) => train.y![r]!), n: trainRows.length },
      X: takeRows(data, rows),
      n: rows.length,
      methods,
      seed: ctx.options.seed,
      ...(signal ? { signal } : {}),
    });
    const findings: Finding[] = result.methods
      .filter((m) => m.insensitive)
      .map((m) => ({
        message: `attribution method '${m.method}' explains a model trained on shuffled labels like the real one (Spearman ${num(m.similarity, 2)}): it does not reflect what the model learnt from the data`,
        measured: m.similarity,
        limit: INSENSITIVE_SIMILARITY,
        metric: 'rank similarity to a shuffled-label model',
        subject: m.method,
        ...(ctx.options.methodsLocation ? { location: ctx.options.methodsLocation } : {}),
        evidence: [],
      }));
    const text = result.methods.map((m) => `${m.method} ${num(m.similarity, 2)}`).join(', ');
    return outcome(findings, `every method tells the shuffled-label model apart (similarity ${text})`, `insensitive to the data: ${findings.map((f) => f.subject).join(', ')}`, { ...result });
  },
} satisfies Check;
