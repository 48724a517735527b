/**
 * Re-initialised or corrupted checkpoint: each checkpoint of the series (up to the one checked) is
 * compared with its predecessor.
 *
 * Per layer with a kernel: the cosine similarity of the kernel to the predecessor's (training moves
 * weights a little per checkpoint, so consecutive kernels stay aligned, cosine near 1; a fresh
 * initialisation is unrelated to them, cosine near 0), its norm before and after, and the norm a
 * Glorot-uniform initialisation of that shape would have (std sqrt(2 / (fanIn + fanOut))), so the
 * evidence shows a jump back to the initial scale. Non-finite weights mark a corrupted checkpoint.
 * Per model: on a seeded sample of training rows, the agreement of predicted classes and the mean
 * training loss (cross-entropy; regression: squared error) before and after.
 *
 * Per unit: the same cosine for each row and each column (of at least `MIN_SLICE` weights) of a
 * 2-D kernel (one of the two is the layer's units, depending on whether the format stores
 * [in, out] or [out, in]), since part of a layer re-initialised (a resumed run that loaded half a state dict) leaves the whole-kernel cosine
 * at ~0.7 while its fresh units sit near 0.
 *
 * Flagged: any kernel with cosine < 0.3 (re-initialised layer), a kernel with at least
 * `PARTIAL_RESET_SHARE` (10%, and at least 2) of its rows or columns at cosine < 0.3 (partly
 * re-initialised), any non-finite weight, or agreement < 0.8 together with a training loss at least
 * 1.2x the predecessor's (collapse; regression: a loss at least 1.5x). On the bug zoo (docs/cli.md)
 * no unit of any healthy or otherwise-bugged series fell below 0.41 between checkpoints, while half
 * a first layer re-initialised puts 47–50% of its units below 0.3.
 */
import { throwIfAborted } from '../errors';
import { takeRows, type Dataset } from '../data/dataset';
import { predict, type ModelHandle } from '../model/model';
import type { CheckpointInfo } from '../model/checkpoints';
import { evidenceRow, EXAMPLES, num, pct, topK } from './evidence';
import { outcome, skip, type Check, type Finding } from './types';

export const RESET_COSINE = 0.3;
/** Share of a kernel's rows or columns below `RESET_COSINE` read as a partial re-initialisation. */
export const PARTIAL_RESET_SHARE = 0.1;
/** Fewest weights a row or column needs for its cosine to count (see compareKernels). */
export const MIN_SLICE = 8;
export const COLLAPSE_AGREEMENT = 0.8;
export const COLLAPSE_LOSS_RATIO = 1.2;
/** Regression has no class agreement to confirm a loss jump, so it needs a larger one. */
export const COLLAPSE_LOSS_RATIO_REGRESSION = 1.5;
const SAMPLE_ROWS = 2000;

export interface LayerComparison {
  layer: string;
  shape: number[];
  cosine: number;
  normBefore: number;
  normAfter: number;
  /** Expected norm of a Glorot-uniform initialisation of this shape. */
  normInit: number;
  nonFinite: number;
  /** Rows or columns (whichever has more) whose cosine to the predecessor's is below RESET_COSINE. */
  resetUnits: number;
  /** How many rows or columns that count is out of. */
  units: number;
}

/** Per slice along `axis` of a [R, C] matrix: cosine of a's slice to b's; 1 when either is zero. */
function sliceCosines(a: ArrayLike<number>, b: ArrayLike<number>, R: number, C: number, axis: 0 | 1): number[] {
  const units = axis === 0 ? R : C;
  const len = axis === 0 ? C : R;
  const out: number[] = [];
  for (let u = 0; u < units; u++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < len; k++) {
      const i = axis === 0 ? u * C + k : k * C + u;
      const x = a[i]!;
      const y = b[i]!;
      if (!Number.isFinite(y)) continue;
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    // A unit that is zero before or after (pruned, or never initialised) has no direction to lose.
    out.push(na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 1);
  }
  return out;
}

/** Kernel-by-kernel comparison of two models with the same architecture. */
export function compareKernels(before: ModelHandle, after: ModelHandle): LayerComparison[] {
  // The first matrix-shaped weight of each layer or node is its kernel.
  const kernels = (m: ModelHandle) => {
    const seen = new Set<string>();
    return (m.parameters?.() ?? []).flatMap((p) => {
      if (p.shape.length < 2 || seen.has(p.group)) return [];
      seen.add(p.group);
      return [{ name: p.group, shape: p.shape, data: p.values }];
    });
  };
  const a = kernels(before);
  const b = kernels(after);
  const out: LayerComparison[] = [];
  for (const kb of b) {
    const ka = a.find((k) => k.name === kb.name && k.data.length === kb.data.length);
    if (!ka) continue;
    let dot = 0;
    let na = 0;
    let nb = 0;
    let nonFinite = 0;
    for (let i = 0; i < kb.data.length; i++) {
      const x = ka.data[i]!;
      const y = kb.data[i]!;
      if (!Number.isFinite(y)) {
        nonFinite++;
        continue;
      }
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    const fanOut = kb.shape[kb.shape.length - 1]!;
    const fanIn = kb.data.length / fanOut;
    const initStd = Math.sqrt(2 / (fanIn + fanOut));
    let resetUnits = 0;
    let units = 0;
    for (const axis of [0, 1] as const) {
      // A slice of a few weights has no direction to lose: a [2, 256] output kernel's columns are
      // pairs, and a sign change of one weight of a pair is ordinary training.
      if ((axis === 0 ? fanOut : fanIn) < MIN_SLICE) continue;
      const cos = sliceCosines(ka.data, kb.data, fanIn, fanOut, axis);
      const low = cos.filter((c) => c < RESET_COSINE).length;
      if (low / cos.length > resetUnits / Math.max(1, units) || units === 0) [resetUnits, units] = [low, cos.length];
    }
    out.push({
      layer: kb.name,
      shape: kb.shape,
      cosine: na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0,
      normBefore: Math.sqrt(na),
      normAfter: Math.sqrt(nb),
      normInit: initStd * Math.sqrt(kb.data.length),
      nonFinite,
      resetUnits,
      units,
    });
  }
  return out;
}

interface Outputs {
  loss: Float64Array;
  predicted?: Int32Array;
}

function outputs(model: ModelHandle, X: Float32Array, y: Float32Array, n: number, signal?: AbortSignal): Outputs {
  const p = predict(model, X, n, signal);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (p.probabilities) loss[i] = -Math.log(Math.max(p.probabilities[i * p.classes + y[i]!]!, 1e-12));
    else loss[i] = (p.logits[i]! - y[i]!) ** 2;
  }
  return p.predicted ? { loss, predicted: p.predicted } : { loss };
}

/** Mean loss; NaN when any row's loss is not finite (NaN weights give NaN outputs). */
const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

export const checkpointReset = {
  id: 'checkpoint-reset',
  title: 'Re-initialised or corrupted checkpoint',
  description: "no checkpoint's weights jump back to initialisation or its predictions collapse relative to its predecessor",
  needs: ['model', 'series', 'train', 'labels'],
  defaultSeverity: 'error',
  async run(ctx, signal) {
    const series = ctx.project.checkpoints().filter((c) => c.state === 'ready');
    const upto = series.findIndex((c) => c.dir === ctx.checkpoint.dir);
    if (upto < 1) return skip(upto < 0 ? `${ctx.checkpoint.name} is not part of the checkpoint series` : `${ctx.checkpoint.name} is the first checkpoint of the series; nothing to compare with`);
    const train = await ctx.train();
    if (!train.y) return skip('the training data has no labels');
    const rows = ctx.sample(train, SAMPLE_ROWS, 4).filter((r) => !Number.isNaN(train.y![r]!));
    const n = rows.length;
    if (n === 0) return skip('the training data has no labelled rows');
    const X = takeRows(train, rows);
    const y = Float32Array.from(rows, (r) => train.y![r]!);
    const findings: Finding[] = [];
    const pairs: Array<Record<string, unknown>> = [];
    let prev: { info: CheckpointInfo; model: ModelHandle; out: Outputs } | undefined;
    for (const info of series.slice(0, upto + 1)) {
      throwIfAborted(signal);
      const model = info.dir === ctx.checkpoint.dir ? ctx.model : await ctx.project.model(info, { allowNonFinite: true });
      const out = outputs(model, X, y, n, signal);
      if (prev) {
        const finding = compare(prev, { info, model, out }, train, rows);
        pairs.push(finding.pair);
        if (finding.finding) findings.push(finding.finding);
      }
      prev = { info, model, out };
    }
    return outcome(findings, `${pairs.length} checkpoint step(s) continue training smoothly`, `${findings.map((f) => f.subject).join(', ')} broke from their predecessor`, { pairs });
  },
} satisfies Check;

function compare(
  a: { info: CheckpointInfo; model: ModelHandle; out: Outputs },
  b: { info: CheckpointInfo; model: ModelHandle; out: Outputs },
  train: Dataset,
  rows: Int32Array,
): { pair: Record<string, unknown>; finding?: Finding } {
  const layers = compareKernels(a.model, b.model);
  const n = rows.length;
  let agree = 0;
  if (a.out.predicted && b.out.predicted) for (let i = 0; i < n; i++) if (a.out.predicted[i] === b.out.predicted[i]) agree++;
  const agreement = a.out.predicted ? agree / n : NaN;
  const lossBefore = mean(a.out.loss);
  const lossAfter = mean(b.out.loss);
  const pair = { from: a.info.name, to: b.info.name, agreement: a.out.predicted ? agreement : null, lossBefore, lossAfter, layers };
  const reset = layers.filter((l) => l.cosine < RESET_COSINE);
  const partial = layers.filter((l) => l.cosine >= RESET_COSINE && l.resetUnits >= 2 && l.resetUnits >= PARTIAL_RESET_SHARE * l.units);
  const corrupt = layers.filter((l) => l.nonFinite > 0);
  const ratio = a.out.predicted ? COLLAPSE_LOSS_RATIO : COLLAPSE_LOSS_RATIO_REGRESSION;
  const lossJump = lossAfter >= ratio * lossBefore || !Number.isFinite(lossAfter);
  const collapse = (a.out.predicted ? agreement < COLLAPSE_AGREEMENT : true) && lossJump;
  if (!reset.length && !partial.length && !corrupt.length && !collapse) return { pair };

  const parts: string[] = [];
  for (const l of corrupt) parts.push(`layer '${l.layer}' has ${l.nonFinite} non-finite weights`);
  for (const l of reset) {
    parts.push(`layer '${l.layer}' ${JSON.stringify(l.shape)} no longer resembles its predecessor (cosine ${num(l.cosine, 2)}; norm ${num(l.normBefore)} -> ${num(l.normAfter)}, a fresh Glorot initialisation has ~${num(l.normInit)})`);
  }
  for (const l of partial) {
    parts.push(`${l.resetUnits} of the ${l.units} units of layer '${l.layer}' ${JSON.stringify(l.shape)} no longer resemble their predecessors (cosine < ${RESET_COSINE}; whole kernel ${num(l.cosine, 2)}): part of the layer was re-initialised`);
  }
  const agreeText = a.out.predicted ? `predictions agree on ${pct(agreement)} of ${n} training rows` : `on ${n} training rows`;
  parts.push(`${agreeText}, training loss ${num(lossBefore)} -> ${num(lossAfter)}`);
  const worsened = Float64Array.from({ length: n }, (_, i) => b.out.loss[i]! - a.out.loss[i]!);
  const evidence = topK(worsened, EXAMPLES).map((i) =>
    evidenceRow(train, rows[i]!, `loss on this row rose from ${num(a.out.loss[i]!)} to ${num(b.out.loss[i]!)}${a.out.predicted ? `; predicted class ${a.out.predicted[i]} -> ${b.out.predicted![i]}` : ''}`, {
      lossBefore: a.out.loss[i]!,
      lossAfter: b.out.loss[i]!,
    }),
  );
  const headline = corrupt.length ? 'is corrupted' : reset.length ? 'looks re-initialised' : partial.length ? 'looks partly re-initialised' : 'collapsed';
  const [metric, measured, limit] = corrupt.length
    ? ['non-finite weights', corrupt.reduce((c, l) => c + l.nonFinite, 0), 0]
    : reset.length
      ? ['kernel cosine to predecessor', Math.min(...reset.map((l) => l.cosine)), RESET_COSINE]
      : partial.length
        ? ['share of units re-initialised', Math.max(...partial.map((l) => l.resetUnits / l.units)), PARTIAL_RESET_SHARE]
        : a.out.predicted
          ? ['prediction agreement', agreement, COLLAPSE_AGREEMENT]
          : ['training loss ratio', lossAfter / lossBefore, COLLAPSE_LOSS_RATIO_REGRESSION];
  return {
    pair,
    finding: {
      message: `checkpoint ${b.info.name} ${headline} relative to ${a.info.name}: ${parts.join('; ')}`,
      measured,
      limit,
      metric,
      subject: b.info.name,
      location: { file: b.info.file },
      evidence,
      details: pair,
    },
  };
}
