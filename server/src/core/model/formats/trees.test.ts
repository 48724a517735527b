/**
 * Tree-ensemble checkpoints as model handles and the `tree-shap` method on them, against the
 * libraries' own numbers (scripts/fixtures/tree_fixtures.py): logits are the margins, TreeSHAP per
 * raw feature equals shap.TreeExplainer's values summed over a feature's columns, gradient methods
 * are refused with what applies instead.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine } from '../../engine/backend';
import { REPO, expectClose, tmpDir } from '../../../../test/helpers';
import { inspectCheckpoint } from '../checkpoints';
import { predict, type ModelHandle } from '../model';
import { loadCheckpointModel } from './load';
import type { Encoding, EncodedFeature } from '../../data/encoding';
import type { Task } from '../../data/schema';
import { getMethod } from '../../methods/registry';
import { resolveParams } from '../../methods/params';
import { defaultImportance } from '../../importance/importance';

const FIXTURES = path.join(REPO, 'server/test/fixtures/trees');

interface Expected {
  X: Array<Array<number | null>>;
  margin: number[][];
  output: number[][];
  shapRows: number[];
  shap: number[][][];
  shapExpected: number[];
  background: Array<Array<number | null>>;
  interventional: number[][][];
}
const expected = (name: string): Expected => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8'));
const matrix = (rows: Array<Array<number | null>>) => Float32Array.from(rows.flat(), (v) => (v === null ? NaN : v));

/** d numeric columns; `pairs` groups columns [a, b) into one raw feature (as a one-hot group would be). */
function encodingOf(d: number, group?: [number, number], classes?: string[]): Encoding {
  const features: EncodedFeature[] = [];
  for (let c = 0; c < d; ) {
    if (group && c === group[0]) {
      features.push({ name: `g${c}`, type: 'categorical', categories: Array.from({ length: group[1] - group[0] }, (_, i) => `c${i}`), unknown: 'zeros', columns: [group[0], group[1]] });
      c = group[1];
    } else {
      features.push({ name: `x${c}`, type: 'numeric', transform: 'none', mean: 0, std: 1, columns: [c, c + 1] });
      c++;
    }
  }
  return { features, ...(classes ? { label: { name: 'y', classes } } : {}), ignored: [], missing: [], width: d };
}

async function load(file: string, encoding: Encoding, task: Task): Promise<ModelHandle> {
  const dir = path.join(tmpDir('tree-ckpt'), 'round-20');
  fs.mkdirSync(dir, { recursive: true });
  const target = file.endsWith('.txt') ? 'lightgbm.txt' : file.endsWith('.ubj') ? 'xgboost.ubj' : file.startsWith('sk-') ? 'glassbox-trees.json' : 'xgboost.json';
  fs.copyFileSync(path.join(FIXTURES, file), path.join(dir, target));
  const info = inspectCheckpoint(dir);
  expect(info.state).toBe('ready');
  return loadCheckpointModel(info, { encoding, task });
}

describe('tree-ensemble checkpoints', () => {
  beforeAll(() => initEngine());

  it('gives XGBoost margins as logits and exact TreeSHAP per raw feature, as shap computes it', async () => {
    const e = expected('xgb-binary');
    const d = e.X[0]!.length;
    const encoding = encodingOf(d, [2, 5]);
    const model = await load('xgb-binary.json', encoding, 'binary');
    expect(model).toMatchObject({ kind: 'trees', differentiable: false, outputKind: 'logits', classes: 2 });
    expect(defaultImportance(model).method).toBe('tree-shap');
    const X = matrix(e.X);
    const n = e.X.length;
    const p = predict(model, X, n);
    expectClose(Array.from({ length: n }, (_, i) => p.logits[2 * i + 1]!), e.margin.map((m) => m[0]!), 1e-5, 1e-5);
    const method = getMethod('tree-shap');
    const r = await method.attribute({ model, encoding, X, n, target: { kind: 'class', index: 1 } }, resolveParams(method.id, method.params, {}));
    const F = encoding.features.length;
    for (const [k, row] of e.shapRows.entries()) {
      const columns = e.shap[k]!.map((v) => v[0]!);
      const grouped = encoding.features.map((f) => columns.slice(f.columns[0], f.columns[1]).reduce((a, b) => a + b, 0));
      expectClose(Array.from(r.grouped.subarray(row * F, (row + 1) * F)), grouped, 1e-5, 1e-6);
      expect((r.extras.baseValue as number[])[row]).toBeCloseTo(e.shapExpected[0]!, 5);
    }
    // Interventional against the same 20 background rows shap used.
    const bg = matrix(e.background);
    const iv = await method.attribute({ model, encoding, X, n, target: { kind: 'class', index: 1 }, background: bg, backgroundN: e.background.length }, resolveParams(method.id, method.params, { algorithm: 'interventional', backgroundSize: 20 }));
    for (const [k, row] of e.shapRows.entries()) {
      const columns = e.interventional[k]!.map((v) => v[0]!);
      const grouped = encoding.features.map((f) => columns.slice(f.columns[0], f.columns[1]).reduce((a, b) => a + b, 0));
      expectClose(Array.from(iv.grouped.subarray(row * F, (row + 1) * F)), grouped, 1e-5, 1e-6);
    }
    model.dispose();
  });

  it('explains a forest\'s averaged class probability and reports the strongest interactions', async () => {
    const e = expected('sk-forest');
    const d = e.X[0]!.length;
    const encoding = encodingOf(d, undefined, ['<=50K', '>50K']);
    const model = await load('sk-forest.json', encoding, 'binary');
    expect(model).toMatchObject({ kind: 'trees', outputKind: 'probabilities' });
    const X = matrix(e.X);
    const n = e.X.length;
    const p = predict(model, X, n);
    expectClose(p.probabilities!, e.output.flat(), 1e-5, 1e-6);
    const method = getMethod('tree-shap');
    const r = await method.attribute({ model, encoding, X, n, target: { kind: 'class', index: 0 } }, resolveParams(method.id, method.params, { interactions: 3 }));
    expect(r.extras.explains).toBe('probability (averaged trees)');
    for (const [k, row] of e.shapRows.entries()) expectClose(Array.from(r.grouped.subarray(row * d, (row + 1) * d)), e.shap[k]!.map((v) => v[0]!), 1e-6, 1e-7);
    const pairs = r.extras.interactions as Array<{ features: [string, string]; meanAbs: number }>;
    expect(pairs).toHaveLength(3);
    expect(pairs[0]!.meanAbs).toBeGreaterThanOrEqual(pairs[2]!.meanAbs);
    model.dispose();
  });

  it('refuses gradient methods with what applies, and a booster of another width at its file', async () => {
    const e = expected('xgb-regression');
    const d = e.X[0]!.length;
    const model = await load('xgb-regression.json', encodingOf(d), 'regression');
    const method = getMethod('integrated-gradients');
    const err = await Promise.resolve()
      .then(() => method.attribute({ model, encoding: encodingOf(d), X: matrix(e.X.slice(0, 2)), n: 2, target: { kind: 'predicted' } }, resolveParams(method.id, method.params, {})))
      .catch((x) => x);
    expect(err.message).toMatch(/^integrated-gradients uses gradients and this model is a tree ensemble \(xgboost.json\), which has none: use .*tree-shap/);
    const wrong = await load('xgb-regression.json', encodingOf(d + 2), 'regression').catch((x) => x);
    expect(wrong.message).toMatch(new RegExp(`trained on ${d} input columns but the encoded data has ${d + 2}`));
    expect(wrong.location.file).toMatch(/xgboost.json$/);
  });
});
