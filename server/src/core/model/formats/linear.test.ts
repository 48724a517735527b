import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../engine/tf';
import { initEngine } from '../../engine/backend';
import { tmpDir } from '../../../../test/helpers';
import { inspectCheckpoint } from '../checkpoints';
import { predict } from '../model';
import { loadCheckpointModel } from './load';
import type { Encoding } from '../../data/encoding';
import { getMethod } from '../../methods/registry';
import { resolveParams } from '../../methods/params';

const encoding: Encoding = {
  features: [
    { name: 'a', type: 'numeric', transform: 'none', mean: 0, std: 1, columns: [0, 1] },
    { name: 'b', type: 'numeric', transform: 'none', mean: 0, std: 1, columns: [1, 2] },
  ],
  ignored: [],
  missing: [],
  width: 2,
};

function write(json: unknown): string {
  const dir = path.join(tmpDir('linear'), 'epoch-1');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'glassbox-linear.json'), JSON.stringify(json));
  return dir;
}

describe('linear models (glassbox-linear.json)', () => {
  beforeAll(() => initEngine());

  it('computes the log-odds w·x + b of a logistic model and its exact Shapley values', async () => {
    const dir = write({ format: 'glassbox-linear', version: 1, coef: [[2, -1]], intercept: [0.5], link: 'logistic' });
    const info = inspectCheckpoint(dir);
    expect(info).toMatchObject({ state: 'ready', format: 'glassbox-linear' });
    const before = tf.memory().numTensors;
    const model = await loadCheckpointModel(info, { encoding, task: 'binary' });
    expect(model).toMatchObject({ kind: 'linear', differentiable: true, classes: 2, outputKind: 'probabilities' });
    const X = Float32Array.from([1, 3, -2, 0.5]);
    const p = predict(model, X, 2);
    // logits of a one-unit logistic head are [0, z].
    expect(Array.from(p.logits)).toEqual([0, 2 * 1 - 3 + 0.5, 0, 2 * -2 - 0.5 + 0.5].map((v) => Math.fround(v)));
    // Interventional Shapley of a linear logit against a background: w_j (x_j − E[b_j]).
    const background = Float32Array.from([0, 0, 2, 2]);
    const method = getMethod('shapley-exact');
    const r = await method.attribute({ model, encoding, X, n: 2, target: { kind: 'class', index: 1 }, background, backgroundN: 2 }, resolveParams(method.id, method.params, {}));
    expect(Array.from(r.grouped)).toEqual([2 * (1 - 1), -1 * (3 - 1), 2 * (-2 - 1), -1 * (0.5 - 1)].map((v) => expect.closeTo(v, 5)));
    // The closed form gives the same, and its base value plus the attributions is the logit.
    const linear = getMethod('linear-shap');
    const c = await linear.attribute({ model, encoding, X, n: 2, target: { kind: 'class', index: 1 }, background, backgroundN: 2 }, {});
    expect(Array.from(c.grouped)).toEqual(Array.from(r.grouped).map((v) => expect.closeTo(v, 5)));
    // Class 0 of a one-output model is explained as its own log-odds, -z: the mirror image.
    for (const id of ['shapley-exact', 'linear-shap']) {
      const m = getMethod(id);
      const zero = await m.attribute({ model, encoding, X, n: 2, target: { kind: 'class', index: 0 }, background, backgroundN: 2 }, resolveParams(m.id, m.params, {}));
      expect(Array.from(zero.grouped)).toEqual(Array.from(r.grouped).map((v) => expect.closeTo(-v, 5)));
    }
    const base = c.extras.baseValue as number[];
    expect(base[0]! + c.grouped[0]! + c.grouped[1]!).toBeCloseTo(p.logits[1]!, 5);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses malformed files with one line naming the file', async () => {
    for (const [json, why] of [
      [{ format: 'glassbox-linear', version: 2, coef: [[1, 2]], link: 'identity' }, /version 2/],
      [{ format: 'glassbox-linear', version: 1, coef: [[1, 'x']], link: 'identity' }, /"coef" must be/],
      [{ format: 'glassbox-linear', version: 1, coef: [[1, 2, 3]], link: 'identity' }, /model expects input shape \[batch, 3\]/],
    ] as const) {
      const dir = write(json);
      const err = await loadCheckpointModel(inspectCheckpoint(dir), { encoding, task: 'regression' }).catch((e) => e);
      expect(err.name).toBe('GlassboxError');
      expect(err.message).toMatch(why);
      expect(err.location.file).toBe(path.join(dir, 'glassbox-linear.json'));
    }
  });

  it('refuses gradient methods on models without gradients, saying what applies', async () => {
    const dir = write({ format: 'glassbox-linear', version: 1, coef: [[1, 2]], intercept: [0], link: 'identity' });
    const model = await loadCheckpointModel(inspectCheckpoint(dir), { encoding, task: 'regression' });
    const blind = { ...model, differentiable: false, kind: 'trees' as const };
    const method = getMethod('saliency');
    const err = await Promise.resolve()
      .then(() => method.attribute({ model: blind, encoding, X: Float32Array.from([1, 1]), n: 1, target: { kind: 'predicted' } }, resolveParams(method.id, method.params, {})))
      .catch((e) => e);
    expect(err.message).toMatch(/^saliency uses gradients and this model is a tree ensemble \(glassbox-linear.json\), which has none: use .*kernel-shap/);
    expect(err.message).not.toMatch(/integrated-gradients/);
    model.dispose();
  });

  it('normalises one-vs-rest logistic outputs as scikit-learn does', async () => {
    const dir = write({ format: 'glassbox-linear', version: 1, coef: [[1, 0], [0, 1], [-1, -1]], intercept: [0, 0.5, 0], link: 'logistic' });
    const multi: Encoding = { ...encoding, label: { name: 'y', classes: ['a', 'b', 'c'] } };
    const model = await loadCheckpointModel(inspectCheckpoint(dir), { encoding: multi, task: 'multiclass' });
    const X = Float32Array.from([0.3, -1.2]);
    const z = [0.3, -1.2 + 0.5, -0.3 + 1.2];
    const s = z.map((v) => 1 / (1 + Math.exp(-v)));
    const total = s.reduce((a, b) => a + b, 0);
    const p = predict(model, X, 1);
    expect(Array.from(p.probabilities!)).toEqual(s.map((v) => expect.closeTo(v / total, 6)));
    expect(model.layers).toBeUndefined();
    const r = await getMethod('linear-shap').attribute({ model, encoding: multi, X, n: 1, target: { kind: 'class', index: 2 }, background: Float32Array.from([0, 0]), backgroundN: 1 }, {});
    expect(Array.from(r.grouped)).toEqual([-0.3, 1.2].map((v) => expect.closeTo(v, 6)));
    model.dispose();
  });
});
