/**
 * What the explanation-quality metrics share: removing raw features by replacing their encoded
 * columns with the background (the interventional value of a coalition, as the perturbation
 * methods use), recomputing a method's attributions on other rows, and the per-row target classes.
 *
 * Contract: attributions are per raw feature (n x F, `AttributionResult.grouped`), for the target
 * class each row was explained for; every model output here is that class's target scalar
 * (`targetScalar`: the logit, the log-odds of a one-output binary model, the value for regression).
 */
import { throwIfAborted } from '../errors';
import type { Encoding } from '../data/encoding';
import type { ModelHandle } from '../model/model';
import { resolveParams } from '../methods/params';
import { coalitionValues, type Background } from '../methods/perturb';
import type { AttributionInput, AttributionMethod } from '../methods/types';

export interface QualityModel {
  model: ModelHandle;
  encoding: Encoding;
  /** Training rows (row-major) that replace removed features and serve methods needing a background. */
  background: { X: Float32Array; n: number };
  signal?: AbortSignal;
}

/** Every background row, equally weighted: v(S) = mean_b f(x_S, b_S̄). */
export function uniformBackground(bg: { X: Float32Array; n: number }): Background {
  return { B: bg.X, m: bg.n, w: new Float64Array(bg.n).fill(1 / bg.n) };
}

/** The background mean as the only baseline row (Captum-style fixed-baseline perturbations). */
export function meanBackground(bg: { X: Float32Array; n: number }, width: number): Background {
  const mean = new Float32Array(width);
  for (let i = 0; i < bg.n; i++) for (let j = 0; j < width; j++) mean[j] += bg.X[i * width + j]! / bg.n;
  return { B: mean, m: 1, w: Float64Array.from([1]) };
}

/**
 * v(S) of one row for each coalition (masks: C x F, 1 = kept at the row's value, 0 = replaced by
 * the background), for the row's target class.
 */
export async function rowCoalitionValues(q: QualityModel, bg: Background, x: Float32Array, cls: number, masks: Uint8Array, C: number): Promise<Float64Array> {
  throwIfAborted(q.signal);
  return coalitionValues(
    { model: q.model, encoding: q.encoding, target: q.model.task === 'regression' ? { kind: 'predicted' } : { kind: 'class', index: cls }, X: x, n: 1, classes: Int32Array.of(cls), bg, signal: q.signal },
    masks,
    C,
  );
}

/**
 * A method's per-raw-feature attributions (n x F) of rows `X`, each for its own class in `classes`
 * (rows are grouped by class, one call per class), with the method's default parameters.
 */
export async function explainFor(q: QualityModel, method: AttributionMethod, X: Float32Array, n: number, classes: Int32Array, seed: number): Promise<Float64Array> {
  const F = q.encoding.features.length;
  const width = q.encoding.width;
  const out = new Float64Array(n * F);
  const params = resolveParams(method.id, method.params, {});
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = q.model.task === 'regression' ? 0 : classes[i]!;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  for (const [cls, rows] of groups) {
    throwIfAborted(q.signal);
    const Xs = new Float32Array(rows.length * width);
    rows.forEach((r, i) => Xs.set(X.subarray(r * width, (r + 1) * width), i * width));
    const req: AttributionInput = {
      model: q.model,
      encoding: q.encoding,
      X: Xs,
      n: rows.length,
      target: q.model.task === 'regression' ? { kind: 'predicted' } : { kind: 'class', index: cls },
      background: q.background.X,
      backgroundN: q.background.n,
      seed,
    };
    if (q.signal) req.signal = q.signal;
    const g = (await method.attribute(req, params)).grouped;
    rows.forEach((r, i) => out.set(g.subarray(i * F, (i + 1) * F), r * F));
  }
  return out;
}
