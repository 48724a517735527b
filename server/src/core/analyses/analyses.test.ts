import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../engine/backend';
import { tf } from '../engine/tf';
import { Project } from '../project';
import { getMethod } from '../methods/registry';
import { anchorProject } from '../../../test/helpers';
import { backgroundFor, requireBackground, classificationMetrics, className, explainRows, formatNumber, importanceOver, predictRows, regressionMetrics } from './index';

describe('metrics per task', () => {
  // Reference: scikit-learn 1.5 (log_loss, accuracy_score, mean_squared_error, mean_absolute_error,
  // r2_score) on these arrays; the last row's true class has probability 0 (clipped to 2^-52).
  const P = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.05, 0.9, 0.05, 1.0, 0.0, 0.0];
  const y = [0, 1, 0, 2, 1];
  const argmax = [0, 1, 2, 1, 0];

  it('classification: accuracy and log loss equal scikit-learn, unlabelled rows left out', () => {
    const m = classificationMetrics(P, argmax, 3, y);
    expect(m.labelled).toBe(5);
    expect(m.accuracy).toBe(0.4);
    expect(m.logLoss).toBeCloseTo(8.164635392450005, 12);
    // A missing label drops the row from both metrics: the first four rows alone, by hand.
    const four = classificationMetrics(P, argmax, 3, [...y.slice(0, 4), null]);
    expect(four.accuracy).toBe(0.5);
    expect(four.logLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(0.3) + Math.log(0.05)) / 4, 14);
    expect(classificationMetrics(P, argmax, 3, null)).toEqual({ task: 'classification', labelled: 0, accuracy: null, logLoss: null });
  });

  it('regression: RMSE, MAE and R² equal scikit-learn; R² undefined for constant labels', () => {
    const m = regressionMetrics([2.5, 0.0, 2.1, 7.8, -1.0], [3.0, -0.5, 2.0, 7.0, -1.5]);
    expect(m.rmse).toBeCloseTo(0.529150262212918, 14);
    expect(m.mae).toBeCloseTo(0.48, 14);
    expect(m.r2).toBeCloseTo(0.9685393258426966, 14);
    expect(regressionMetrics([1, 2], [3, 3]).r2).toBeNull();
    expect(regressionMetrics([1, 2], [3, 3]).rmse).toBeCloseTo(Math.sqrt((4 + 1) / 2), 14);
  });
});

describe('shared helpers', () => {
  it('names classes by display name, else by index; formats numbers one way', () => {
    expect(className(['no', 'yes'], 1)).toBe('yes');
    expect(className(['no'], 3)).toBe('3');
    expect(className(null, 0)).toBe('0');
    expect([formatNumber(3), formatNumber(0.5), formatNumber(0.0001234), formatNumber(1234567.5), formatNumber(1 / 3, 2), formatNumber(NaN)]).toEqual(['3', '0.5000', '1.23e-4', '1.23e+6', '0.33', 'NaN']);
  });

  it('gives background rows (every training row) only to methods that need them; one error when none are given', async () => {
    const project = await anchorProject();
    const train = await project.dataset('train');
    expect(await backgroundFor(project, getMethod('saliency'))).toEqual({});
    const bg = await backgroundFor(project, getMethod('kernel-shap'));
    expect(bg.backgroundN).toBe(train.n);
    expect(bg.background).toBe(train.X);
    const input = { model: undefined as never, encoding: { width: 3 } as never, X: new Float32Array(3), n: 1, target: { kind: 'predicted' as const } };
    expect(() => requireBackground('lime', input, 'to sample perturbations from')).toThrow("method 'lime' needs background (training) rows to sample perturbations from; none were given");
  });
});

describe('use cases on the anchor MLP', () => {
  let project: Project;
  beforeAll(async () => {
    await initEngine();
    project = await anchorProject();
  });

  it('predictRows: probabilities sum to 1, accuracy equals the share of argmax hits, no tensor leaks', async () => {
    const checkpoint = project.latestCheckpoint();
    const dataset = await project.dataset('test');
    await project.model(checkpoint); // loaded (and kept) before counting
    const before = tf.memory().numTensors;
    const p = await predictRows(project, { checkpoint, dataset, rows: Array.from({ length: 200 }, (_, i) => i) });
    expect(tf.memory().numTensors).toBe(before);
    expect(p.width).toBe(2);
    for (let i = 0; i < 200; i++) expect(p.probabilities![2 * i]! + p.probabilities![2 * i + 1]!).toBeCloseTo(1, 5);
    const hits = p.predicted!.filter((k, i) => k === p.labels![i]).length;
    expect(p.metrics).toMatchObject({ task: 'classification', labelled: 200, accuracy: hits / 200 });
    // Log loss by brute force from the returned probabilities.
    const ll = -p.labels!.reduce((a: number, y, i) => a + Math.log(p.probabilities![2 * i + y!]!), 0) / 200;
    expect(p.metrics.task === 'classification' && p.metrics.logLoss).toBeCloseTo(ll, 6);
  });

  it('explainRows with linear-path methods: integrated gradients add up to output minus baseline output', async () => {
    const checkpoint = project.latestCheckpoint();
    const dataset = await project.dataset('test');
    const before = tf.memory().numTensors;
    const e = await explainRows(project, { checkpoint, dataset, rows: [0, 7], method: 'integrated-gradients', params: { steps: 64 } });
    expect(tf.memory().numTensors).toBe(before);
    const atInput = e.extras.targetAtInput as number[];
    const atBaseline = e.extras.targetAtBaseline as number[];
    e.rows.forEach((r, i) => {
      const sum = Object.values(r.attributions).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(atInput[i]! - atBaseline[i]!, 2);
    });
    expect(e.rows.map((r) => r.line)).toEqual([dataset.lines[0], dataset.lines[7]]);
  });

  it('importanceOver: shares sum to 1 and equal meanAbs normalised; the sample indexes the data set', async () => {
    const checkpoint = project.latestCheckpoint();
    const dataset = await project.dataset('test');
    const rows = [3, 5, 8, 13, 21, 34];
    const g = await importanceOver(project, { checkpoint, dataset, rows, method: 'saliency' });
    const total = g.meanAbs.reduce((a, b) => a + b, 0);
    g.shares.forEach((s, f) => expect(s).toBeCloseTo(g.meanAbs[f]! / total, 12));
    expect(g.rows).toBe(6);
    expect(g.sample.rows.every((r) => rows.includes(r))).toBe(true);
    expect(g.sample.lines).toEqual(g.sample.rows.map((r) => dataset.lines[r]));
  });
});
