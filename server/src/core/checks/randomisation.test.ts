import { describe, it, expect } from 'vitest';
import { tf } from '../engine/tf';
import { takeRows } from '../data/dataset';
import { groupByFeature } from '../data/encoding';
import { saliency } from '../methods/saliency';
import type { AttributionMethod } from '../methods/types';
import { integratedGradients } from '../methods/integrated-gradients';
import { inputXGradient } from '../methods/input-x-gradient';
import { parameterRandomisation, randomisationFindings, rankSimilarity, signedRankSimilarity, WEIGHT_INDEPENDENT_SIMILARITY } from './randomisation';
import { predict } from '../model/model';
import { dataRandomisation } from './data-randomisation';
import { anchorProject } from '../../../test/helpers';

/** Weight-independent by construction: "attributes" each row to its own input values. */
const inputItself = {
  id: 'input-itself',
  name: 'Input (test only)',
  summary: 'the encoded input as its own attribution',
  capabilities: { gradients: true, background: false, stochastic: false },
  params: {},
  async attribute({ X, n, encoding }) {
    return { method: 'input-itself', n, width: encoding.width, encoded: X.slice(), grouped: groupByFeature(X, n, encoding), targetClass: new Int32Array(n).fill(-1), extras: {} };
  },
} satisfies AttributionMethod<Record<string, never>>;

describe('model parameter randomisation test', () => {
  it('rankSimilarity is the mean per-row Spearman of |values|', () => {
    expect(rankSimilarity([1, 2, 3, -3, 2, 1], [3, 2, 1, 1, -2, 3], 2, 3)).toBeCloseTo(-1, 12);
    expect(rankSimilarity([1, 2, 3, 1, 1, 1], [1, 2, 3, 5, 6, 7], 2, 3)).toBeCloseTo(1, 12);
  });

  it('flags a weight-independent method and not gradient saliency, without leaking tensors', async () => {
    const project = await anchorProject();
    const { encoding, task } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const rows = Array.from({ length: 64 }, (_, i) => i * 97);
    const before = tf.memory().numTensors;
    const result = await parameterRandomisation({
      model,
      expect: { encoding, task, output: 'logits' },
      encoding,
      X: takeRows(test, rows),
      n: rows.length,
      methods: [saliency, inputItself],
      seed: 3,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.stages.map((s) => s.layers)).toEqual([['dense_3'], ['dense_3', 'dense_2'], ['dense_3', 'dense_2', 'dense_1']]);
    const [sal, inp] = result.methods;
    expect(inp!.similarities).toEqual([1, 1, 1]);
    expect(inp!.insensitive).toBe(true);
    expect(sal!.insensitive).toBe(false);
    expect(sal!.final).toBeLessThan(0.3);
    // Each further layer re-initialised takes saliency further from the trained model's.
    expect(sal!.similarities[2]!).toBeLessThan(sal!.similarities[0]!);
    await project.dispose();
  });

  it('does not flag Integrated Gradients or input x gradient on the healthy Adult MLP (|x| keeps their similarity near the null)', async () => {
    const project = await anchorProject();
    const { encoding, task } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const train = await project.dataset('train');
    const rows = Array.from({ length: 64 }, (_, i) => i * 97);
    const bg = Array.from({ length: 100 }, (_, i) => i * 301);
    const result = await parameterRandomisation({
      model,
      expect: { encoding, task, output: 'logits' },
      encoding,
      X: takeRows(test, rows),
      n: rows.length,
      methods: [integratedGradients, inputXGradient],
      background: { X: takeRows(train, bg), n: bg.length },
      seed: 0,
    });
    for (const m of result.methods) {
      // Measured: IG 0.51 (null 0.40), input x gradient 0.34 (null 0.39). IG is above the old 0.5
      // limit, which warned on this healthy model; a weight-independent method ends at 1.
      expect(m.final).toBeLessThan(WEIGHT_INDEPENDENT_SIMILARITY);
      expect(m.insensitive).toBe(false);
      expect(Math.abs(m.final - m.nullSimilarity)).toBeLessThan(0.3);
    }
    await project.dispose();
  });

  it('the rule is the final similarity against the 0.8 limit, whatever the null', async () => {
    const project = await anchorProject();
    const { encoding, task } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const rows = Array.from({ length: 16 }, (_, i) => i * 97);
    const base = { model, expect: { encoding, task, output: 'logits' as const }, encoding, X: takeRows(test, rows), n: rows.length, methods: [inputItself] };
    // input-itself: final = null = 1; with the limit moved above 1 it is no longer flagged.
    expect((await parameterRandomisation(base)).methods[0]).toMatchObject({ final: 1, nullSimilarity: 1, insensitive: true });
    expect((await parameterRandomisation({ ...base, threshold: 1.01 })).methods[0]!.insensitive).toBe(false);
    await project.dispose();
  });

  it('signed similarity: Spearman of the signed values, 1 for a weight-independent method, below the absolute one for saliency whose signs turn', async () => {
    // |values| rank the same, signs flipped: absolute similarity 1, signed -1.
    expect(rankSimilarity([1, -2, 3], [-1, 2, -3], 1, 3)).toBeCloseTo(1, 12);
    expect(signedRankSimilarity([1, -2, 3], [-1, 2, -3], 1, 3)).toBeCloseTo(-1, 12);
    expect(signedRankSimilarity([1, 2, 3, 5, 5, 5], [2, 4, 9, 1, 2, 3], 2, 3)).toBeCloseTo(1, 12);
    const project = await anchorProject();
    const { encoding, task } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const rows = Array.from({ length: 32 }, (_, i) => i * 97);
    const result = await parameterRandomisation({ model, expect: { encoding, task, output: 'logits' }, encoding, X: takeRows(test, rows), n: rows.length, methods: [saliency, inputItself], seed: 3 });
    const [sal, inp] = result.methods;
    expect(inp!.signedSimilarities).toEqual([1, 1, 1]);
    expect(inp!.signedNullSimilarity).toBe(1);
    expect(result.stages[0]!.signedSimilarity.saliency).toBe(sal!.signedSimilarities[0]);
    expect(sal!.signedFinal).toBeLessThan(0.5);
    expect(Number.isFinite(sal!.signedNullSimilarity)).toBe(true);
    await project.dispose();
  });

  it('attributions that turn NaN once a layer is re-initialised fail the check naming that layer; NaN on the trained model names the checkpoint', async () => {
    const project = await anchorProject();
    const { encoding, task } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const test = await project.dataset('test');
    const rows = Array.from({ length: 8 }, (_, i) => i * 97);
    const X = takeRows(test, rows);
    const trained = predict(model, X, rows.length).logits;
    /** Saliency, but NaN as soon as the model's logits differ from the trained model's (any re-initialisation). */
    const nanOnceChanged = {
      ...saliency,
      id: 'nan-once-changed',
      async attribute(input: Parameters<typeof saliency.attribute>[0], params: Parameters<typeof saliency.attribute>[1]) {
        const r = await saliency.attribute(input, params);
        const same = predict(input.model, input.X, input.n).logits.every((v, i) => v === trained[i]);
        return same ? r : { ...r, grouped: r.grouped.map(() => NaN) };
      },
    } as unknown as AttributionMethod;
    const result = await parameterRandomisation({ model, expect: { encoding, task, output: 'logits' }, encoding, X, n: rows.length, methods: [nanOnceChanged] });
    expect(result.methods[0]).toMatchObject({ degenerateAt: 'dense_3', degenerateKind: 'non-finite' });
    const findings = randomisationFindings(result, 'epoch-5');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.subject).toBe('nan-once-changed @ dense_3');
    expect(findings[0]!.message).toMatch(/NaN or infinite attributions once layer 'dense_3' is re-initialised/);
    const always = { ...nanOnceChanged, async attribute(input: Parameters<typeof saliency.attribute>[0], params: Parameters<typeof saliency.attribute>[1]) {
      const r = await saliency.attribute(input, params);
      return { ...r, grouped: r.grouped.map(() => NaN) };
    } } as unknown as AttributionMethod;
    const broken = await parameterRandomisation({ model, expect: { encoding, task, output: 'logits' }, encoding, X, n: rows.length, methods: [always] });
    const f = randomisationFindings(broken, 'epoch-5');
    expect(f[0]!.message).toMatch(/NaN or infinite attributions on every sampled row of epoch-5/);
    // NaN rows have no ranking: no similarity, and never read as "insensitive".
    expect(broken.methods[0]!.insensitive).toBe(false);
    expect(broken.methods[0]!.similarities.every(Number.isNaN)).toBe(true);
    await project.dispose();
  });

  it('data randomisation: a model trained on shuffled labels gets different saliency, the same input-itself', async () => {
    const project = await anchorProject();
    const { encoding, task } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const train = await project.dataset('train');
    const test = await project.dataset('test');
    const trainRows = Array.from({ length: 1000 }, (_, i) => i * 31);
    const rows = Array.from({ length: 64 }, (_, i) => i * 97);
    const before = tf.memory().numTensors;
    const result = await dataRandomisation({
      model,
      expect: { encoding, task, output: 'logits' },
      train: { X: takeRows(train, trainRows), y: Float32Array.from(trainRows, (r) => train.y![r]!), n: trainRows.length },
      X: takeRows(test, rows),
      n: rows.length,
      methods: [saliency, inputItself],
      seed: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    const [sal, inp] = result.methods;
    expect(inp).toMatchObject({ similarity: 1, insensitive: true });
    expect(sal!.insensitive).toBe(false);
    expect(sal!.similarity).toBeLessThan(0.4);
    await project.dispose();
  });
});
