/**
 * `glassbox-linear.json`: a linear or logistic model (scikit-learn's LogisticRegression,
 * LinearRegression, Ridge, ... as written by Glassbox's Python package; any framework can write
 * it). Loaded as a one-layer dense network, so every path that knows dense stacks (gradients,
 * exact factorised TracIn, closed-form Shapley) applies unchanged.
 *
 * Fields: `coef` (outputs x features), `intercept` (outputs), `link` (`logistic`: one output is the
 * log-odds of the positive class, K outputs are one-vs-rest; `softmax`: one output per class;
 * `identity`: regression values or decision scores). docs/model-formats.md, "Linear models".
 */
import * as fs from 'node:fs';
import { tf, tfl } from '../../engine/tf';
import { GlassboxError } from '../../errors';
import { wrapModel, type ModelExpectations, type ModelHandle } from '../model';

interface LinearJson {
  format?: unknown;
  version?: unknown;
  coef?: unknown;
  intercept?: unknown;
  link?: unknown;
}

/** The coefficients behind a linear handle (`ModelHandle.native`). */
export interface LinearNative {
  /** outputs x encoded columns */
  coef: number[][];
  intercept: number[];
  link: 'logistic' | 'softmax' | 'identity';
  oneVsRest: boolean;
}

export function loadLinearModel(file: string, dir: string, metadata: Record<string, unknown>, expect: ModelExpectations): ModelHandle {
  let json: LinearJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as LinearJson;
  } catch (e) {
    throw new GlassboxError('model', `cannot read the linear model: ${(e as Error).message.split('\n')[0]}`, { file });
  }
  const fail = (why: string): never => {
    throw new GlassboxError('model', `not a glassbox-linear model: ${why}`, { file });
  };
  if (json === null || typeof json !== 'object') fail('the file holds no JSON object');
  if (json.format !== 'glassbox-linear') fail(`"format" is ${JSON.stringify(json.format)}`);
  if (json.version !== 1) fail(`version ${JSON.stringify(json.version)} is not one this Glassbox reads (1)`);
  const coef = json.coef;
  if (!Array.isArray(coef) || coef.length === 0 || !coef.every((r) => Array.isArray(r) && r.length === (coef[0] as unknown[]).length && r.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    fail('"coef" must be a non-empty outputs x features array of finite numbers');
  }
  const rows = coef as number[][];
  const K = rows.length;
  const d = rows[0]!.length;
  const intercept = json.intercept ?? new Array(K).fill(0);
  if (!Array.isArray(intercept) || intercept.length !== K || !intercept.every((v) => typeof v === 'number' && Number.isFinite(v))) fail(`"intercept" must hold ${K} finite numbers`);
  const link = json.link;
  if (link !== 'logistic' && link !== 'softmax' && link !== 'identity') fail(`"link" is ${JSON.stringify(link)}; expected "logistic", "softmax" or "identity"`);
  // One-vs-rest: K logistic outputs whose probabilities are normalised, p_k = σ(z_k) / Σ σ(z_j).
  const oneVsRest = link === 'logistic' && K > 1;
  const activation = oneVsRest ? 'linear' : link === 'logistic' ? 'sigmoid' : link === 'softmax' ? 'softmax' : 'linear';
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [d], units: K, activation, name: 'linear' })] });
  const kernel = tf.tensor2d(Float32Array.from({ length: d * K }, (_, i) => rows[i % K]![Math.floor(i / K)]!), [d, K]);
  const bias = tf.tensor1d(Float32Array.from(intercept as number[]));
  model.setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
  try {
    const handle = wrapModel(model, dir, metadata, expect);
    const native: LinearNative = { coef: rows, intercept: intercept as number[], link: link as LinearNative['link'], oneVsRest };
    if (!oneVsRest) return { ...handle, file, format: 'glassbox-linear', kind: 'linear', native };
    // log σ(z_k) are logits whose softmax is the normalised one-vs-rest probability. The head is not
    // a dense layer's activation, so no dense stack is offered (TracIn would differentiate softmax(z)).
    const scores = handle.logits;
    const { layers: _layers, hidden: _hidden, ...rest } = handle;
    return { ...rest, file, format: 'glassbox-linear', kind: 'linear', outputKind: 'probabilities', native, logits: (x) => tf.neg(tf.softplus(tf.neg(scores(x)))) as tf.Tensor2D };
  } catch (e) {
    model.dispose();
    if (e instanceof GlassboxError) throw new GlassboxError(e.code, e.message, { file });
    throw e;
  }
}
