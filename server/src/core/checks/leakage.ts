/**
 * Spurious or leaking feature: a feature that carries an outsized share of the importance and
 * predicts the label almost on its own in the training data but not in the reference data is the
 * classic sign of a label leak (an id, a timestamp, a column filled after the fact).
 *
 * Single-feature skill: the feature is cut into bins (each value when it has at most 20 distinct
 * values, else 20 training-quantile bins; a categorical feature's categories), each bin predicts the
 * training majority class (regression: the bin's mean label), and skill is the accuracy gain over
 * always predicting the majority class, (acc - base) / (1 - base) (regression: R²). Training
 * skill is measured out of fold (even and odd rows, `outOfFoldSkill`), held-out skill with the rule
 * fitted on every training row.
 *
 * Held-out rows: the test data, else the reference data when it has labels (heldout.ts). A feature
 * the model uses (importance share at least half the mean share, 1 / (2F)) is flagged when
 * - with labelled held-out rows (an error): its skill drops by at least `LEAK_SKILL_DROP` (0.64)
 *   from training to held-out rows: the rule learnt from it does not transfer;
 * - without them (a warning, the finding carries severity 'warning'): its training skill alone is
 *   at least `LEAK_TRAIN_SKILL_ALONE` (0.8): few genuine features predict a label that well alone.
 * Thresholds from the bug zoo (docs/cli.md), midway between the two groups: over the 115
 * classification models of the zoo, genuine features reach a training skill of 0.77 at most
 * (breast cancer's size features) and drop by 0.52 at most on held-out rows (German Credit, 150
 * training rows); planted leaks (the label on 97% of training rows) reach 0.84 or more, and leaks
 * and spurious features (90%) drop by 0.76 or more. A leak that holds in the held-out data as well
 * (a column derived from the label everywhere) shows no drop: then only an accuracy too good to be
 * true gives it away.
 */
import type { Dataset } from '../data/dataset';
import { categoryIndex, categoryLabels, type Encoding, type EncodedFeature } from '../data/encoding';
import type { Task } from '../data/schema';
import { quantile } from '../util/stats';
import { evidenceRow, EXAMPLES, num, pct } from './evidence';
import { outcome, type Check, type Finding } from './types';
import { labelledHeldOut } from './heldout';

/** A feature counts as used from this fraction of the mean importance share, 1/F. */
export const LEAK_SHARE_OF_MEAN = 0.5;
export const LEAK_SKILL_DROP = 0.64;
export const LEAK_TRAIN_SKILL_ALONE = 0.8;
const BINS = 20;

/** A one-feature predictor fitted on training rows. */
export interface UnivariateRule {
  feature: string;
  codeOf(ds: Dataset, row: number): number;
  /** Predicted class (or value) per code; the fallback for codes never seen in training last. */
  prediction: Float64Array;
  fallback: number;
}

function coder(encoding: Encoding, feature: EncodedFeature, train: Dataset): (ds: Dataset, row: number) => number {
  const { width } = encoding;
  const [s] = feature.columns;
  if (feature.type === 'categorical') {
    // One code per category (one-hot, dropped or ordinal), and one for rows holding none.
    const none = categoryLabels(feature).length;
    return (ds, r) => {
      const k = categoryIndex(feature, ds.X, r * width);
      return k < 0 ? none : k;
    };
  }
  const sorted = Float64Array.from({ length: train.n }, (_, i) => train.X[i * width + s]!).sort();
  const distinct = Array.from(new Set(sorted));
  const cuts =
    distinct.length <= BINS
      ? distinct.slice(1).map((v, i) => (v + distinct[i]!) / 2)
      : Array.from(new Set(Array.from({ length: BINS - 1 }, (_, i) => quantile(sorted, (i + 1) / BINS))));
  return (ds, r) => {
    const v = ds.X[r * width + s]!;
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cuts[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The rule of feature `f` fitted on `rows` of `train` (default: all); bins always from all rows. */
export function fitRule(encoding: Encoding, task: Task, f: number, train: Dataset, classes: number, rows?: ArrayLike<number>): UnivariateRule {
  const feature = encoding.features[f]!;
  const codeOf = coder(encoding, feature, train);
  const y = train.y!;
  const codes = new Int32Array(train.n);
  let maxCode = 0;
  for (let r = 0; r < train.n; r++) maxCode = Math.max(maxCode, (codes[r] = codeOf(train, r)));
  const use = new Uint8Array(train.n).fill(rows ? 0 : 1);
  if (rows) for (let k = 0; k < rows.length; k++) use[rows[k]!] = 1;
  const C = maxCode + 1;
  const prediction = new Float64Array(C);
  let fallback: number;
  if (task === 'regression') {
    const sum = new Float64Array(C);
    const count = new Float64Array(C);
    let total = 0;
    let m = 0;
    for (let r = 0; r < train.n; r++) {
      if (!use[r] || Number.isNaN(y[r]!)) continue;
      sum[codes[r]!]! += y[r]!;
      count[codes[r]!]!++;
      total += y[r]!;
      m++;
    }
    fallback = m ? total / m : 0;
    for (let c = 0; c < C; c++) prediction[c] = count[c]! ? sum[c]! / count[c]! : fallback;
  } else {
    const counts = new Float64Array(C * classes);
    const overall = new Float64Array(classes);
    for (let r = 0; r < train.n; r++) {
      const k = y[r]!;
      if (!use[r] || !(k >= 0 && k < classes)) continue;
      counts[codes[r]! * classes + k]!++;
      overall[k]!++;
    }
    fallback = argmax(overall, 0, classes);
    for (let c = 0; c < C; c++) {
      let seen = 0;
      for (let k = 0; k < classes; k++) seen += counts[c * classes + k]!;
      prediction[c] = seen ? argmax(counts, c * classes, classes) : fallback;
    }
  }
  return { feature: feature.name, codeOf, prediction, fallback };
}

export function majorityClass(y: Float32Array, classes: number): number {
  const counts = new Float64Array(classes);
  for (const k of y) if (k >= 0 && k < classes) counts[k]!++;
  return argmax(counts, 0, classes);
}

function argmax(a: Float64Array, offset: number, k: number): number {
  let best = 0;
  for (let i = 1; i < k; i++) if (a[offset + i]! > a[offset + best]!) best = i;
  return best;
}

export function predictRule(rule: UnivariateRule, ds: Dataset, r: number): number {
  const c = rule.codeOf(ds, r);
  return c < rule.prediction.length ? rule.prediction[c]! : rule.fallback;
}

/**
 * Skill of the rule on `rows` of `ds` (default: all): accuracy gain over the majority class, or R²
 * for regression.
 */
export function ruleSkill(rule: UnivariateRule, task: Task, ds: Dataset, majority: number, rows?: ArrayLike<number>): number {
  const y = ds.y!;
  const all = rows ?? Int32Array.from({ length: ds.n }, (_, i) => i);
  let m = 0;
  if (task === 'regression') {
    let mean = 0;
    for (let k = 0; k < all.length; k++) {
      const r = all[k]!;
      if (!Number.isNaN(y[r]!)) (mean += y[r]!), m++;
    }
    mean /= m || 1;
    let sse = 0;
    let sst = 0;
    for (let k = 0; k < all.length; k++) {
      const r = all[k]!;
      if (Number.isNaN(y[r]!)) continue;
      sse += (y[r]! - predictRule(rule, ds, r)) ** 2;
      sst += (y[r]! - mean) ** 2;
    }
    return sst > 0 ? 1 - sse / sst : 0;
  }
  let hit = 0;
  let base = 0;
  for (let k = 0; k < all.length; k++) {
    const r = all[k]!;
    if (Number.isNaN(y[r]!)) continue;
    m++;
    if (predictRule(rule, ds, r) === y[r]) hit++;
    if (majority === y[r]) base++;
  }
  if (!m) return NaN;
  const acc = hit / m;
  const b = base / m;
  return b < 1 ? (acc - b) / (1 - b) : 0;
}

/**
 * Training skill out of fold: the rule fitted on the even rows is scored on the odd ones and the
 * other way round, the two averaged. In-sample skill scores a bin's own memorisation: with 150
 * training rows (7 per bin) it made genuine features of German Credit and breast cancer drop by
 * 0.75 or more on held-out rows, like a leak; a leak holds on the other half of the training rows.
 */
export function outOfFoldSkill(encoding: Encoding, task: Task, f: number, train: Dataset, classes: number, majority: number): number {
  const even = Int32Array.from({ length: Math.ceil(train.n / 2) }, (_, i) => 2 * i);
  const odd = Int32Array.from({ length: Math.floor(train.n / 2) }, (_, i) => 2 * i + 1);
  const a = ruleSkill(fitRule(encoding, task, f, train, classes, even), task, train, majority, odd);
  const b = ruleSkill(fitRule(encoding, task, f, train, classes, odd), task, train, majority, even);
  return (a + b) / 2;
}

const labelled = (ds: Dataset | undefined): ds is Dataset & { y: Float32Array } => Boolean(ds?.y && ds.y.some((v) => !Number.isNaN(v)));

export const leakage = {
  id: 'leakage',
  title: 'Spurious or leaking feature',
  description: 'no feature the model uses predicts the label alone in training but not in held-out data (a warning when no held-out data has labels)',
  needs: ['model', 'train', 'labels', 'importance'],
  defaultSeverity: 'error',
  async run(ctx, signal) {
    const train = await ctx.train();
    if (!labelled(train)) return { status: 'skip', summary: 'the training data has no labels', findings: [] };
    const heldOut = await labelledHeldOut(ctx);
    const ref = labelled(heldOut) ? heldOut : undefined;
    const shares = await ctx.importance(signal);
    const classes = ctx.model.classes;
    const majority = ctx.task === 'regression' ? 0 : majorityClass(train.y, classes);
    const findings: Finding[] = [];
    const skills: Record<string, { share: number; train: number; reference: number | null }> = {};
    ctx.encoding.features.forEach((feature, f) => {
      const share = shares.global[f]!;
      const rule = fitRule(ctx.encoding, ctx.task, f, train, classes);
      const trainSkill = outOfFoldSkill(ctx.encoding, ctx.task, f, train, classes, majority);
      const refSkill = ref ? ruleSkill(rule, ctx.task, ref, majority) : NaN;
      skills[feature.name] = { share, train: trainSkill, reference: ref ? refSkill : null };
      if (share < LEAK_SHARE_OF_MEAN / ctx.encoding.features.length) return;
      const leak = ref ? !(trainSkill - refSkill < LEAK_SKILL_DROP) : trainSkill >= LEAK_TRAIN_SKILL_ALONE;
      if (!leak) return;
      const evidence = [];
      if (ref) {
        for (let r = 0; r < ref.n && evidence.length < EXAMPLES; r++) {
          const p = predictRule(rule, ref, r);
          if (ctx.task === 'regression' ? Math.abs(p - ref.y[r]!) > 0 : p !== ref.y[r]) {
            evidence.push(evidenceRow(ref, r, `'${feature.name}' here says ${label(ctx, p)} as it would in training, but the label is ${label(ctx, ref.y[r]!)}`));
          }
        }
      }
      findings.push({
        message:
          `'${feature.name}' carries ${pct(share)} of the importance and predicts the label almost alone in training (skill ${num(trainSkill, 2)})` +
          (ref ? ` but not in ${ctx.project.relative(ref.file)} (skill ${num(refSkill, 2)}): a label leak or spurious feature` : `; no labelled held-out data to confirm it generalises: a likely label leak (add labelled test data to tell)`),
        measured: ref ? trainSkill - refSkill : trainSkill,
        limit: ref ? LEAK_SKILL_DROP : LEAK_TRAIN_SKILL_ALONE,
        metric: ref ? 'single-feature skill, training minus held-out' : 'single-feature skill on training data',
        subject: feature.name,
        location: ctx.config.locate(['features', feature.name]),
        evidence,
        ...(ref ? {} : { severity: 'warning' as const }),
        details: { share, trainSkill, referenceSkill: ref ? refSkill : null },
      });
    });
    const strongest = Object.entries(skills).sort((a, b) => b[1].share - a[1].share)[0];
    const headline = strongest ? `largest share ${strongest[0]} ${pct(strongest[1].share)} (training skill ${num(strongest[1].train, 2)})` : '';
    return outcome(findings, `no leaking feature: ${headline}`, `leaking or spurious: ${findings.map((f) => f.subject).join(', ')}`, { skills, heldOut: ref ? ref.file : null });
  },
} satisfies Check;

function label(ctx: { encoding: Encoding; task: Task }, v: number): string {
  if (ctx.task === 'regression') return num(v);
  return ctx.encoding.label?.classes?.[v] ?? String(v);
}
