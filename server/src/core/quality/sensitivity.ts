/**
 * Max-sensitivity of an explanation (Yeh et al. 2019, arXiv:1901.09392), Monte-Carlo as Captum's
 * `captum.metrics.sensitivity_max`: the largest relative change of the attributions within a
 * radius,
 *
 *   SENS_MAX(Φ, x) = max_{‖y − x‖∞ ≤ r} ‖Φ(y) − Φ(x)‖₂ / ‖Φ(x)‖₂,
 *
 * over `samples` points y drawn uniformly in the L∞ ball (Captum divides by ‖Φ(x)‖ the same way,
 * and by 1 when it is zero). Only numeric features move (in encoded units: standard deviations of a
 * standardised feature); one-hot groups cannot move a little, so categorical values stay. The
 * attributions are per raw feature and for the class each row was explained for. A gradient of a
 * linear model does not change at all (0); linear SHAP on a linear model changes by w ⊙ δ.
 */
import { createRng } from '../util/random';
import type { AttributionMethod } from '../methods/types';
import { explainFor, type QualityModel } from './perturbation';

export interface SensitivityOptions {
  /** L∞ radius in encoded units (default 0.1). */
  radius: number;
  samples: number;
  seed: number;
  /** Explicit noise (n x samples x numeric columns) instead of seeded draws: reproducing another library's run. */
  noise?: Float32Array;
}

/** Encoded columns that move: the single column of each numeric feature. */
export function numericColumns(q: Pick<QualityModel, 'encoding'>): number[] {
  return q.encoding.features.filter((f) => f.type === 'numeric').map((f) => f.columns[0]);
}

/**
 * Per row, max-sensitivity of `method` given its attributions `original` (n x F) of rows `X` for
 * `classes`. All n x samples perturbed rows are explained in one call of the method per class.
 */
export async function maxSensitivity(q: QualityModel, method: AttributionMethod, X: Float32Array, n: number, classes: Int32Array, original: Float64Array, options: SensitivityOptions): Promise<Float64Array> {
  const { samples: S, radius } = options;
  const width = q.encoding.width;
  const F = q.encoding.features.length;
  const cols = numericColumns(q);
  const rng = createRng(options.seed * 104729 + 17);
  const Y = new Float32Array(n * S * width);
  const cls = new Int32Array(n * S);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < S; s++) {
      const o = (i * S + s) * width;
      Y.set(X.subarray(i * width, (i + 1) * width), o);
      cols.forEach((c, t) => {
        Y[o + c] += options.noise ? options.noise[(i * S + s) * cols.length + t]! : (2 * rng.next() - 1) * radius;
      });
      cls[i * S + s] = classes[i]!;
    }
  }
  const perturbed = await explainFor(q, method, Y, n * S, cls, options.seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let f = 0; f < F; f++) norm += original[i * F + f]! ** 2;
    const denom = norm > 0 ? Math.sqrt(norm) : 1;
    let worst = 0;
    for (let s = 0; s < S; s++) {
      let d = 0;
      for (let f = 0; f < F; f++) d += (perturbed[(i * S + s) * F + f]! - original[i * F + f]!) ** 2;
      worst = Math.max(worst, Math.sqrt(d) / denom);
    }
    out[i] = worst;
  }
  return out;
}
