/**
 * The explanation-quality battery: for each attribution method on the same sampled rows of one
 * checkpoint, faithfulness (deletion/insertion AUC against random orderings of the same rows),
 * infidelity, max-sensitivity, and the agreement between every pair of methods; and which method
 * to trust for this model (the most faithful among those better than random).
 *
 * "Better than random": per row, the method's insertion − deletion AUC minus the mean over
 * `randomOrders` random orderings of that row; over rows, the mean of this advantage divided by its
 * standard error (a paired one-sided z test) at least `Z_BETTER` (1.645, 5%). Rows are the unit of
 * evidence, so a method that is faithful on few rows only is not called better.
 */
import { throwIfAborted } from '../errors';
import type { AttributionMethod } from '../methods/types';
import { resolveTargetClasses } from '../methods/target';
import { createRng, permutation } from '../util/random';
import { agreement, type Agreement } from './agreement';
import { curveAuc, curveMasks, orderByAttribution } from './faithfulness';
import { removalMasks, rowInfidelity } from './infidelity';
import { explainFor, meanBackground, rowCoalitionValues, uniformBackground, type QualityModel } from './perturbation';
import { maxSensitivity } from './sensitivity';

/** One-sided 5% normal quantile: the advantage over random orderings a method must show. */
export const Z_BETTER = 1.645;

export interface QualitySettings {
  /** Random orderings per row for the baseline (default 8). */
  randomOrders: number;
  /** Removal subsets per row for infidelity (default 32). */
  infidelitySamples: number;
  /** Removed features take the background rows (averaged) or the background mean. */
  baseline: 'background' | 'mean';
  /** Max-sensitivity radius (encoded units) and samples per row; samples 0 skips it. */
  sensitivityRadius: number;
  sensitivitySamples: number;
  seed: number;
}

export const DEFAULT_QUALITY_SETTINGS: QualitySettings = { randomOrders: 8, infidelitySamples: 32, baseline: 'background', sensitivityRadius: 0.1, sensitivitySamples: 8, seed: 0 };

export interface Curve {
  /** Mean over rows of the target after k = 0..F features removed (deletion) or kept (insertion). */
  curve: number[];
  auc: number;
}

export interface MethodQuality {
  method: string;
  deletion: Curve;
  insertion: Curve;
  /** insertion AUC − deletion AUC (target units; higher is more faithful). */
  faithfulness: number;
  /** The same for random orderings of the same rows. */
  random: { deletionAuc: number; insertionAuc: number; faithfulness: number };
  /** Per-row faithfulness minus the random orderings' mean: mean, standard error, z = mean / se. */
  advantage: { mean: number; se: number; z: number };
  betterThanRandom: boolean;
  /** Mean over rows (Yeh et al.): raw (target²), β-scaled (Captum normalize), scaled / E[Δf²]. */
  infidelity: { raw: number; scaled: number; relative: number };
  /** Mean and largest per-row max-sensitivity; absent when not measured. */
  sensitivity?: { mean: number; max: number; radius: number; samples: number };
  /** Set when attributions were NaN or infinite on some row: the metrics are then NaN. */
  nonFinite?: true;
  ms: number;
}

export interface QualityResult {
  rows: number;
  features: string[];
  backgroundRows: number;
  settings: QualitySettings;
  methods: MethodQuality[];
  agreement: Agreement[];
  /** The most faithful method better than random, or undefined when none is. */
  recommended?: string;
}

export interface QualityInput extends QualityModel {
  methods: AttributionMethod[];
  X: Float32Array;
  n: number;
  settings?: Partial<QualitySettings>;
}

export async function explanationQuality(input: QualityInput): Promise<QualityResult> {
  const settings = { ...DEFAULT_QUALITY_SETTINGS, ...input.settings };
  const { model, encoding, X, n, methods } = input;
  const F = encoding.features.length;
  const width = encoding.width;
  const classes = resolveTargetClasses(model, X, n, { kind: 'predicted' });
  const bg = settings.baseline === 'mean' ? meanBackground(input.background, width) : uniformBackground(input.background);
  const attributions: Float64Array[] = [];
  const ms: number[] = [];
  for (const m of methods) {
    throwIfAborted(input.signal);
    const t0 = performance.now();
    attributions.push(await explainFor(input, m, X, n, classes, settings.seed));
    ms.push(performance.now() - t0);
  }
  const finite = attributions.map((a) => a.every(Number.isFinite));
  const M = methods.length;
  const R = settings.randomOrders;
  const S = settings.infidelitySamples;
  const per = 2 * (F + 1);
  // Per method (and the random baseline): per-row curves summed, per-row faithfulness, infidelity.
  const sumIns = Array.from({ length: M + 1 }, () => new Float64Array(F + 1));
  const sumDel = Array.from({ length: M + 1 }, () => new Float64Array(F + 1));
  const rowFaith = Array.from({ length: M + 1 }, () => new Float64Array(n));
  const infd = Array.from({ length: M }, () => ({ raw: 0, scaled: 0, energy: 0 }));
  for (let i = 0; i < n; i++) {
    throwIfAborted(input.signal);
    const rng = createRng(settings.seed * 7919 + i * 31 + 5);
    const orders: Int32Array[] = attributions.map((a, k) => (finite[k] ? orderByAttribution(a, i * F, F) : Int32Array.from({ length: F }, (_, f) => f)));
    for (let r = 0; r < R; r++) orders.push(permutation(F, rng));
    const removal = removalMasks(F, S, rng);
    const masks = new Uint8Array((orders.length * per + S) * F);
    orders.forEach((o, k) => masks.set(curveMasks(o, F), k * per * F));
    masks.set(removal, orders.length * per * F);
    const v = await rowCoalitionValues(input, bg, X.subarray(i * width, (i + 1) * width), classes[i]!, masks, orders.length * per + S);
    const fx = v[F + 1]!;
    orders.forEach((_, k) => {
      const slot = Math.min(k, M);
      const ins = v.subarray(k * per, k * per + F + 1);
      const del = v.subarray(k * per + F + 1, (k + 1) * per);
      for (let t = 0; t <= F; t++) {
        sumIns[slot]![t] += ins[t]!;
        sumDel[slot]![t] += del[t]!;
      }
      rowFaith[slot]![i] += curveAuc(ins) - curveAuc(del);
    });
    rowFaith[M]![i] /= R;
    const values = v.subarray(orders.length * per);
    attributions.forEach((a, k) => {
      const r = rowInfidelity(a, i * F, F, removal, S, fx, values);
      infd[k]!.raw += r.raw / n;
      infd[k]!.scaled += r.scaled / n;
      infd[k]!.energy += r.energy / n;
    });
  }
  const mean = (sum: Float64Array, count: number) => Array.from(sum, (s) => s / count);
  const randomIns = mean(sumIns[M]!, n * R);
  const randomDel = mean(sumDel[M]!, n * R);
  const random = { deletionAuc: curveAuc(randomDel), insertionAuc: curveAuc(randomIns), faithfulness: curveAuc(randomIns) - curveAuc(randomDel) };
  const results: MethodQuality[] = [];
  for (const [k, m] of methods.entries()) {
    const ins = mean(sumIns[k]!, n);
    const del = mean(sumDel[k]!, n);
    const adv = Float64Array.from(rowFaith[k]!, (f, i) => f - rowFaith[M]![i]!);
    const am = adv.reduce((s, x) => s + x, 0) / n;
    const sd = n > 1 ? Math.sqrt(adv.reduce((s, x) => s + (x - am) ** 2, 0) / (n - 1)) : NaN;
    const se = sd / Math.sqrt(n);
    // One row is no evidence either way (z NaN, never "better"); identical advantages on every row are.
    const z = n < 2 ? NaN : se > 0 ? am / se : am > 0 ? Infinity : am < 0 ? -Infinity : 0;
    const q: MethodQuality = {
      method: m.id,
      deletion: { curve: del, auc: curveAuc(del) },
      insertion: { curve: ins, auc: curveAuc(ins) },
      faithfulness: curveAuc(ins) - curveAuc(del),
      random,
      advantage: { mean: am, se, z },
      betterThanRandom: finite[k]! && z >= Z_BETTER,
      infidelity: { raw: infd[k]!.raw, scaled: infd[k]!.scaled, relative: infd[k]!.energy > 0 ? infd[k]!.scaled / infd[k]!.energy : 0 },
      ms: Math.round(ms[k]!),
    };
    if (!finite[k]) {
      q.nonFinite = true;
      q.faithfulness = q.deletion.auc = q.insertion.auc = NaN;
      q.infidelity = { raw: NaN, scaled: NaN, relative: NaN };
    } else if (settings.sensitivitySamples > 0) {
      const t0 = performance.now();
      const s = await maxSensitivity(input, m, X, n, classes, attributions[k]!, { radius: settings.sensitivityRadius, samples: settings.sensitivitySamples, seed: settings.seed });
      q.sensitivity = { mean: s.reduce((a, b) => a + b, 0) / n, max: Math.max(...s), radius: settings.sensitivityRadius, samples: settings.sensitivitySamples };
      q.ms += Math.round(performance.now() - t0);
    }
    results.push(q);
  }
  const pairs: Agreement[] = [];
  for (let a = 0; a < M; a++) {
    for (let b = a + 1; b < M; b++) {
      if (finite[a] && finite[b]) pairs.push(agreement({ method: methods[a]!.id, values: attributions[a]! }, { method: methods[b]!.id, values: attributions[b]! }, n, F));
    }
  }
  const best = results.filter((r) => r.betterThanRandom).sort((a, b) => b.faithfulness - a.faithfulness)[0];
  return {
    rows: n,
    features: encoding.features.map((f) => f.name),
    backgroundRows: input.background.n,
    settings,
    methods: results,
    agreement: pairs,
    ...(best ? { recommended: best.method } : {}),
  };
}
