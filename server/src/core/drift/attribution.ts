/**
 * Attribution drift: how each feature's importance share changed between the training data and
 * the reference data, and how well the two rankings agree as a whole:
 * - Spearman rank correlation of the shares (util/stats `spearman`, ties averaged);
 * - NDCG of the reference ranking with the training shares as relevance,
 *   DCG = Σ_i rel_(i) / log2(i + 1) over the reference order, divided by the DCG of the training
 *   order (Järvelin & Kekäläinen 2002); 1 when the reference ranks features exactly as training
 *   does, and it weighs disagreement at the top more than at the bottom.
 */
import { spearman } from '../util/stats';

export interface AttributionDrift {
  /** Per feature: reference share − training share. */
  change: number[];
  spearman: number;
  ndcg: number;
}

export function attributionDrift(train: ArrayLike<number>, reference: ArrayLike<number>): AttributionDrift {
  const F = train.length;
  const change = Array.from({ length: F }, (_, f) => reference[f]! - train[f]!);
  return { change, spearman: spearman(train, reference), ndcg: ndcg(train, reference) };
}

/** NDCG of the order given by `scores`, with `relevance` as gains (all items). */
export function ndcg(relevance: ArrayLike<number>, scores: ArrayLike<number>): number {
  const idx = Array.from({ length: relevance.length }, (_, i) => i);
  const dcg = (order: number[]) => order.reduce((s, f, i) => s + relevance[f]! / Math.log2(i + 2), 0);
  const ideal = dcg([...idx].sort((a, b) => relevance[b]! - relevance[a]!));
  return ideal > 0 ? dcg([...idx].sort((a, b) => scores[b]! - scores[a]! || a - b)) / ideal : NaN;
}
