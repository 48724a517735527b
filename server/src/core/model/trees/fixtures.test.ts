/**
 * Glassbox's tree readers, predictions and SHAP values against the libraries' own numbers, recorded
 * by scripts/fixtures/tree_fixtures.py (XGBoost 2.1, LightGBM 4.5, scikit-learn 1.5, shap 0.46).
 */
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTreeEnsemble } from './load';
import { predictMargins, predictOutputs } from './predict';
import { treeShap } from './treeshap';
import { interventionalTreeShap } from './interventional';
import { treeShapInteractions } from './interactions';
import type { TreeEnsemble } from './types';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/trees');

interface Expected {
  X: (number | null)[][];
  shapRows: number[];
  margin: number[][];
  output: number[][];
  shap: number[][][];
  shapExpected: number[];
  background: (number | null)[][];
  interventional?: number[][][];
  interventionalExpected?: number[];
  contribs?: number[][][];
  interactions?: number[][][][];
}

function loadFixture(name: string): Expected {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;
}

/** Rows with null (NaN in the fixture) → row-major float32 with NaN. */
function rows(X: (number | null)[][]): Float32Array {
  return Float32Array.from(X.flat(), (v) => (v === null ? NaN : v));
}

/** Flattens nested numbers row-major. */
const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);

/** |a − b| ≤ tol · max(1, |b|), reporting the worst index. Returns the largest scaled error. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (!(worst <= tol)) expect.fail(`${what}: index ${at}: ${actual[at]} vs ${expected[at]} (scaled error ${worst} > ${tol})`);
  return worst;
}

/** Picks rows (of n x m blocks) from a flat array. */
function pick(a: ArrayLike<number>, rowsIdx: number[], m: number): number[] {
  return rowsIdx.flatMap((r) => Array.from({ length: m }, (_, j) => a[r * m + j]!));
}

const CASES: { name: string; file: string; library: string }[] = [
  { name: 'xgb-binary', file: 'xgb-binary.json', library: 'XGBoost binary:logistic (JSON)' },
  { name: 'xgb-binary', file: 'xgb-binary.ubj', library: 'XGBoost binary:logistic (UBJSON)' },
  { name: 'xgb-multiclass', file: 'xgb-multiclass.json', library: 'XGBoost multi:softprob' },
  { name: 'xgb-regression', file: 'xgb-regression.json', library: 'XGBoost reg:squarederror' },
  { name: 'lgb-binary', file: 'lgb-binary.txt', library: 'LightGBM binary' },
  { name: 'lgb-multiclass', file: 'lgb-multiclass.txt', library: 'LightGBM multiclass' },
  { name: 'lgb-zero-missing', file: 'lgb-zero-missing.txt', library: 'LightGBM binary, zero_as_missing' },
  { name: 'xgb-dart', file: 'xgb-dart.json', library: 'XGBoost dart' },
  { name: 'sk-forest', file: 'sk-forest.json', library: 'scikit-learn RandomForestClassifier' },
  { name: 'sk-gbr', file: 'sk-gbr.json', library: 'scikit-learn GradientBoostingRegressor' },
];

describe.each(CASES)('$library', ({ name, file }) => {
  const model: TreeEnsemble = readTreeEnsemble(path.join(FIXTURES, file));
  const ex = loadFixture(name);
  const n = ex.X.length;
  const d = model.numFeatures;
  const K = model.outputs;
  const X = rows(ex.X);

  it('reads the model with the fixture’s width and outputs, and rows with NaN are among the checks (regression toys have none)', () => {
    expect(d).toBe(ex.X[0]!.length);
    expect(K).toBe(ex.margin[0]!.length);
    if (!['sk-gbr', 'xgb-regression'].includes(name)) expect(X.some(Number.isNaN)).toBe(true);
  });

  it('predicts the library’s margins and outputs', () => {
    expectNear(predictMargins(model, X, n), flat(ex.margin), 1e-6, 'margins');
    expectNear(predictOutputs(model, X, n), flat(ex.output), 1e-6, 'outputs');
  });

  it('path-dependent TreeSHAP equals shap.TreeExplainer and adds up to the margin', async () => {
    const { values, expectedValue } = await treeShap(model, X, n);
    expectNear(expectedValue, ex.shapExpected, 1e-6, 'expected value');
    expectNear(pick(values, ex.shapRows, d * K), flat(ex.shap), 1e-6, 'shap values');
    const margins = predictMargins(model, X, n);
    const sums = new Float64Array(n * K);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) sums[i * K + k] += values[(i * d + j) * K + k]!;
    for (let i = 0; i < n * K; i++) sums[i] += expectedValue[i % K]!;
    expectNear(sums, margins, 1e-9, 'Σφ + E vs margin');
  });

  // Only XGBoost and LightGBM compute contributions (and only XGBoost interactions) themselves.
  if (ex.contribs) it('equals the library’s own pred_contribs (bias = expected value)', async () => {
    const { values, expectedValue } = await treeShap(model, X, n);
    const c = ex.contribs!;
    expectNear(values, c.flatMap((r) => r.slice(0, d).flat()), 1e-6, 'pred_contribs');
    expectNear(Array.from({ length: n * K }, (_, i) => expectedValue[i % K]!), c.flatMap((r) => r[d]!), 1e-6, 'bias');
  });

  if (ex.interactions) it('interaction values equal pred_interactions and rows sum to the SHAP values', async () => {
    const m = ex.interactions!.length;
    const Xm = X.subarray(0, m * d);
    const { values } = await treeShapInteractions(model, Xm, m);
    const ref = ex.interactions!.flatMap((r) => r.slice(0, d).flatMap((row) => row.slice(0, d).flat()));
    expectNear(values, ref, 1e-6, 'pred_interactions');
    const shap = (await treeShap(model, Xm, m)).values;
    const rowSums = new Float64Array(m * d * K);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) rowSums[(r * d + i) * K + k] += values[((r * d + i) * d + j) * K + k]!;
    }
    expectNear(rowSums, shap, 1e-9, 'Σ_j Φ[i][j] vs φ_i');
  });

  // shap 0.46 explains dart and LightGBM's zero-as-missing wrongly interventionally: brute force
  // (brute-force.test.ts) is the reference there.
  if (ex.interventional) it('interventional TreeSHAP equals shap’s against the same 20 background rows', async () => {
    const bg = rows(ex.background);
    const { values, expectedValue } = await interventionalTreeShap(model, X, n, bg, ex.background.length);
    expectNear(expectedValue, ex.interventionalExpected!, 1e-6, 'interventional expected value');
    expectNear(pick(values, ex.shapRows, d * K), flat(ex.interventional), 1e-6, 'interventional values');
    const margins = predictMargins(model, X, n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        let s = expectedValue[k]!;
        for (let j = 0; j < d; j++) s += values[(i * d + j) * K + k]!;
        expect(Math.abs(s - margins[i * K + k]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(margins[i * K + k]!)));
      }
    }
  });
});
