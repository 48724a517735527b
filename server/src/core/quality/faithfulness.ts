/**
 * Faithfulness of attributions as deletion and insertion curves (Petsiuk et al. 2018, "RISE",
 * arXiv:1806.07421; Samek et al. 2017 for region perturbation), per raw feature on tabular rows.
 *
 * For one row and an ordering of its F raw features (largest signed attribution first):
 * - deletion: the target after removing the first k features, k = 0..F (removed = replaced by the
 *   background, averaged over background rows), from f(x) down to the background's value;
 * - insertion: the target with only the first k features kept, from the background's value up to f(x).
 * AUC is the trapezoid area over k/F in [0, 1], in the target's units (logit). A faithful ordering
 * makes deletion fall fast (low AUC) and insertion rise fast (high AUC); `insertion − deletion` is
 * one higher-is-better score. Random orderings of the same row give the baseline a method must beat.
 */
import type { Background } from '../methods/perturb';
import { rowCoalitionValues, type QualityModel } from './perturbation';

/** Features by signed attribution, largest first (ties by feature index, so orderings are stable). */
export function orderByAttribution(a: ArrayLike<number>, offset: number, F: number): Int32Array {
  return Int32Array.from({ length: F }, (_, f) => f).sort((i, j) => a[offset + j]! - a[offset + i]! || i - j);
}

/** Masks (2(F+1) x F) of one ordering: insertion k = 0..F (first k kept), then deletion k = 0..F (first k removed). */
export function curveMasks(order: ArrayLike<number>, F: number): Uint8Array {
  const masks = new Uint8Array(2 * (F + 1) * F);
  for (let k = 0; k <= F; k++) {
    for (let t = 0; t < F; t++) {
      const f = order[t]!;
      masks[k * F + f] = t < k ? 1 : 0;
      masks[(F + 1 + k) * F + f] = t < k ? 0 : 1;
    }
  }
  return masks;
}

/** Trapezoid area of a curve sampled at k/F, k = 0..F. */
export function curveAuc(curve: ArrayLike<number>): number {
  const F = curve.length - 1;
  let s = 0;
  for (let k = 0; k < F; k++) s += (curve[k]! + curve[k + 1]!) / 2;
  return s / F;
}

export interface RowCurves {
  insertion: Float64Array;
  deletion: Float64Array;
}

/**
 * Insertion and deletion curves of one row for each of `orders` (each a permutation of 0..F-1), from
 * one batched evaluation of every coalition involved.
 */
export async function rowCurves(q: QualityModel, bg: Background, x: Float32Array, cls: number, orders: ArrayLike<number>[]): Promise<RowCurves[]> {
  const F = q.encoding.features.length;
  const per = 2 * (F + 1);
  const masks = new Uint8Array(orders.length * per * F);
  orders.forEach((o, i) => masks.set(curveMasks(o, F), i * per * F));
  const v = await rowCoalitionValues(q, bg, x, cls, masks, orders.length * per);
  return orders.map((_, i) => ({ insertion: v.slice(i * per, i * per + F + 1), deletion: v.slice(i * per + F + 1, (i + 1) * per) }));
}
