/**
 * Explanation infidelity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations",
 * arXiv:1901.09392), with removal perturbations over raw features:
 *
 *   INFD(Φ, f, x) = E_I[(Iᵀ Φ(x) − (f(x) − f(x − I)))²],
 *
 * where I removes a random subset of raw features (each with probability 1/2, seeded per row so
 * every method sees the same subsets): Iᵀ Φ is the sum of the removed features' attributions and
 * f(x − I) the target with those features replaced by the background (averaged over background
 * rows, or the background mean as one baseline row). Units: squared target (logit²). For an
 * additive, complete explanation of this removal game it is zero: linear SHAP on a linear model
 * against the same background. Captum's `captum.metrics.infidelity` with a perturbation function
 * returning (removed mask, row with removed columns at the baseline) computes the same numbers
 * (test: quality.test.ts against scripts/fixtures/quality_fixtures.py).
 *
 * `scaled` is Yeh et al.'s normalised variant (Captum's `normalize=True`): Φ scaled per row by the
 * β minimising the error, β = E[IᵀΦ · Δf] / E[(IᵀΦ)²], so methods in other units (gradients) are
 * judged on direction, not scale; dividing by E[Δf²] makes it a share in [0, 1] (0: the removed
 * features' attributions predict every change; 1: they predict nothing).
 */
import type { Rng } from '../util/random';

export interface RowInfidelity {
  /** E[(IᵀΦ − Δf)²]. */
  raw: number;
  /** The same with Φ scaled by the optimal β (Captum `normalize=True`). */
  scaled: number;
  /** E[Δf²], the error of explaining nothing. */
  energy: number;
}

/** S removal masks (S x F, 1 = kept) with each feature removed with probability 1/2. */
export function removalMasks(F: number, S: number, rng: Rng): Uint8Array {
  const masks = new Uint8Array(S * F);
  for (let i = 0; i < masks.length; i++) masks[i] = rng.next() < 0.5 ? 0 : 1;
  return masks;
}

/**
 * Infidelity of one row's attributions `a` (F values at `offset`) given the kept-masks (S x F), the
 * target at the row `fx` and at each perturbed row `values` (S).
 */
export function rowInfidelity(a: ArrayLike<number>, offset: number, F: number, masks: Uint8Array, S: number, fx: number, values: ArrayLike<number>): RowInfidelity {
  let aa = 0;
  let ab = 0;
  let bb = 0;
  let raw = 0;
  for (let s = 0; s < S; s++) {
    let dot = 0;
    for (let f = 0; f < F; f++) if (!masks[s * F + f]) dot += a[offset + f]!;
    const diff = fx - values[s]!;
    aa += dot * dot;
    ab += dot * diff;
    bb += diff * diff;
    raw += (dot - diff) ** 2;
  }
  const beta = aa > 0 ? ab / aa : 0;
  return { raw: raw / S, scaled: (beta * beta * aa - 2 * beta * ab + bb) / S, energy: bb / S };
}
