import { describe, it, expect, beforeAll } from 'vitest';
import { tf, tfl } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { wrapModel } from '../model/model';
import type { Encoding } from '../data/encoding';
import type { Dataset } from '../data/dataset';
import { createRng } from '../util/random';
import { DEFAULT_IMPORTANCE, globalImportance } from './importance';
import { importanceProvider, sharesFromAttributions } from './shares';
import { methodImportance } from '../drift/importance';

const names = ['a', 'b', 'c'];
const encoding: Encoding = {
  features: names.map((name, i) => ({ name, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
  ignored: [],
  missing: [''],
  width: 3,
  label: { name: 'y', classes: ['0', '1'] },
};

describe('importance shares: one definition for checks, drift and glassbox importance', () => {
  beforeAll(() => initEngine());

  it('the provider, the drift default and glassbox importance give the same shares', async () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }), tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }) })] });
    const model = wrapModel(m, '/mem', {}, { encoding, task: 'binary', output: 'logits' });
    const rng = createRng(1);
    const n = 40;
    const X = Float32Array.from({ length: n * 3 }, () => rng.normal());
    const bg = { X: Float32Array.from({ length: 60 * 3 }, () => rng.normal()), n: 60 };
    const dataset = { file: 'x.csv', header: names, n, width: 3, X, lines: Int32Array.from({ length: n }, (_, i) => i + 2), counters: {}, unknownLabels: new Map() } as unknown as Dataset;
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const before = tf.memory().numTensors;

    const provider = importanceProvider();
    expect(provider.id).toBe(`mean |${DEFAULT_IMPORTANCE.method}|`);
    const checks = await provider.compute({ model, encoding, dataset, rows, background: bg, seed: 0 });
    const drift = await methodImportance(model, encoding, { background: bg })(X, n);
    const cli = await globalImportance(DEFAULT_IMPORTANCE.method, DEFAULT_IMPORTANCE.params, { model, encoding, X, n, target: { kind: 'predicted' }, seed: 0, background: bg.X, backgroundN: bg.n });
    expect(Array.from(checks.global)).toEqual(cli.shares.map((v) => expect.closeTo(v, 12)));
    expect(Array.from(drift)).toEqual(cli.shares.map((v) => expect.closeTo(v, 12)));
    // Naming the default method explicitly keeps its default parameters.
    const named = await importanceProvider('kernel-shap').shares({ model, encoding, X, n, background: bg, seed: 0 });
    expect(Array.from(named.global)).toEqual(cli.shares.map((v) => expect.closeTo(v, 12)));
    // Another method: the same normalisation of its own attributions.
    const sal = await importanceProvider('saliency').compute({ model, encoding, dataset, rows, seed: 0 });
    const salCli = await globalImportance('saliency', {}, { model, encoding, X, n, target: { kind: 'predicted' }, seed: 0 });
    expect(Array.from(sal.global)).toEqual(salCli.shares.map((v) => expect.closeTo(v, 12)));
    for (let i = 0; i < n; i++) expect(sal.local.subarray(i * 3, i * 3 + 3).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('normalises |attribution| globally and per row; signed methods by their positive mean', () => {
    const s = sharesFromAttributions([1, -1, 0, 3, 1, 0], 2, 3);
    expect(Array.from(s.global)).toEqual([4 / 6, 2 / 6, 0].map((v) => expect.closeTo(v, 12)));
    expect(Array.from(s.local)).toEqual([0.5, 0.5, 0, 0.75, 0.25, 0]);
    const signed = sharesFromAttributions([0.5, -0.25, 0.25, -0.25], 2, 2, true);
    expect(Array.from(signed.global)).toEqual([1, 0]);
    expect(() => importanceProvider('shapely')).toThrow(/unknown method 'shapely'/);
  });
});
