/**
 * Which training labels look wrong: training rows ranked by a suspicion score built from TracIn
 * self-influence (Pruthi et al. 2020, §4: a mislabelled row's own gradient stays large across
 * checkpoints) and the model's confidence against the given label.
 *
 * Scores (higher = more suspect):
 *   loss                 mean over checkpoints of −log p(given label)  (confidence baseline)
 *   self-influence       Σ_c η_c ‖g_i‖², all weights and biases (large for input outliers too)
 *   self-influence-last  the same over the last layer's kernel only
 *   combined             mean of the row's percentile ranks under self-influence-last and loss
 * The default is chosen by measurement on the demo data with flipped labels (docs/cli.md).
 */
import { ranks } from '../util/stats';
import type { InfluenceIndex } from './index';
import { dynamicsScores, type TrainingDynamics } from './dynamics';

export type SuspectScore = 'loss' | 'self-influence' | 'self-influence-last' | 'combined';
export const SUSPECT_SCORES: SuspectScore[] = ['loss', 'self-influence', 'self-influence-last', 'combined'];
export const DEFAULT_SUSPECT_SCORE: SuspectScore = 'combined';

export interface Suspect {
  index: number;
  score: number;
  /** 1-based rank of the row's self-influence (all parameters) among all training rows. */
  selfInfluenceRank: number;
  selfInfluence: number;
  /** Probability the latest checkpoint gives the row's own label. */
  pLabel: number;
  label: number;
  /** Most probable class at the latest checkpoint (classification). */
  predicted?: number;
}

/** Mean over checkpoints of each row's loss on its own label. */
export function meanLoss(index: InfluenceIndex): Float64Array {
  const out = new Float64Array(index.n);
  for (const e of index.entries) for (let i = 0; i < index.n; i++) out[i] += e.stored.loss[i]! / index.entries.length;
  return out;
}

export function suspectScores(index: InfluenceIndex, kind: SuspectScore = DEFAULT_SUSPECT_SCORE): Float64Array {
  switch (kind) {
    case 'loss':
      return meanLoss(index);
    case 'self-influence':
      return index.selfInfluence();
    case 'self-influence-last':
      return index.selfInfluence({ layers: 'last', bias: false });
    case 'combined': {
      const a = ranks(index.selfInfluence({ layers: 'last', bias: false }));
      const b = ranks(meanLoss(index));
      return Float64Array.from(a, (r, i) => (r + b[i]!) / (2 * index.n));
    }
  }
}

/**
 * Training dynamics and last-layer self-influence together: the mean percentile rank of −AUM (the
 * margin of the given label averaged over checkpoints) and of last-layer self-influence. The two
 * fail differently: AUM is low for hard but correct rows near the boundary, self-influence is high
 * for rare inputs; a flipped label has both. Same rows and order as `index` (the training data).
 */
export function dynamicsInfluenceScores(d: TrainingDynamics, index: InfluenceIndex): Float64Array {
  const a = ranks(dynamicsScores(d));
  const b = ranks(index.selfInfluence({ layers: 'last', bias: false }));
  return Float64Array.from(a, (r, i) => (r + b[i]!) / (2 * d.n));
}

/** The k most suspect training rows, most suspect first. */
export function suspects(index: InfluenceIndex, k: number, kind: SuspectScore = DEFAULT_SUSPECT_SCORE): Suspect[] {
  const score = suspectScores(index, kind);
  const si = index.selfInfluence();
  const siRank = ranks(Float64Array.from(si, (v) => -v));
  const latest = index.entries[index.entries.length - 1]!;
  const order = Array.from({ length: index.n }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
  return order.slice(0, k).map((i) => {
    const label = index.data.y[i]!;
    const pLabel = latest.stored.pLabel[i]!;
    const s: Suspect = { index: i, score: score[i]!, selfInfluenceRank: Math.round(siRank[i]!), selfInfluence: si[i]!, pLabel, label };
    return s;
  });
}

/** "label >50K but the model gives it p=0.03; self-influence rank 3 of 32,561". */
export function suspectReason(s: Suspect, n: number, classNames?: string[]): string {
  const name = classNames?.[s.label] ?? String(s.label);
  const p = Number.isNaN(s.pLabel) ? '' : `label ${name} but the model gives it p=${s.pLabel < 0.01 ? s.pLabel.toExponential(1) : s.pLabel.toFixed(2)}; `;
  return `${p}self-influence rank ${s.selfInfluenceRank.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`;
}
