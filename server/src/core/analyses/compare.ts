/**
 * Comparing two checkpoints: of one run, of two runs, or two models trained on the same data (each
 * side is a project and one of its checkpoints). Every number comes from the core functions the
 * single-checkpoint commands use, so a side of a comparison equals what `glassbox importance`-type
 * reports, `glassbox check` and `glassbox drift` print for that checkpoint:
 *
 * - metrics: `drift/prediction.ts` `performance` (accuracy and log loss, or RMSE and MAE) on each
 *   data set the project names (train, test, reference), every row;
 * - importance: the checks' shares (`CheckContext.importance`: the configured importance provider
 *   over the checks' seeded sample of the evaluation rows), ranked 1 = largest share; rank agreement
 *   is the Spearman correlation of the two share vectors and the overlap of the top 5;
 * - disagreement per feature: Spearman correlation, across the sampled rows both sides explained,
 *   of the feature's local share (its fraction of the row's attribution) under A and under B;
 * - flipped rows: evaluation rows whose predicted class differs, the largest probability change
 *   first, with the row attributions of each side's default explanation method
 *   (`defaultExplainMethod`: additive, the same answer `glassbox explain` and the Explain panel give);
 * - drift impact: `driftReport` with the project's drift options, per feature;
 * - checks: `runChecks` on each side; a change is a different status (or severity of a failure).
 *
 * Comparing a checkpoint with itself reports no change (`changed: false`): every step is seeded.
 * Sides must describe the same problem: the same raw features of the same types, the same label
 * classes, and the same evaluation data file, else a `GlassboxError` at side B's glassbox.json.
 */
import * as path from 'node:path';
import type { Project } from '../project';
import type { CheckpointInfo } from '../model/checkpoints';
import { predict, type ModelHandle } from '../model/model';
import { featureNames, type Encoding } from '../data/encoding';
import { takeRows, type Dataset } from '../data/dataset';
import { performance, type Performance } from '../drift/prediction';
import { driftReport, type DriftReport } from '../drift/report';
import { driftOptionsFromConfig } from '../drift/options';
import { checkOptions, createCheckContext } from '../checks/context';
import { runChecks } from '../checks/registry';
import type { CheckReport } from '../checks/types';
import { getMethod } from '../methods/registry';
import { defaultExplainMethod } from './explain';
import { resolveParams } from '../methods/params';
import { GlassboxError, throwIfAborted } from '../errors';
import { spearman } from '../util/stats';
import type { DataRole } from '../project';

/** Flipped rows listed with their attributions (all are counted). */
export const FLIPPED_ROWS = 20;
/** Features in the top-k overlap of the rank agreement. */
export const TOP_K = 5;
/** Differences below this count as no change (float noise of different backends). */
export const EPS = 1e-9;

export interface Side {
  project: Project;
  checkpoint: CheckpointInfo;
}

export interface EvaluateOptions {
  /** Run the checks (default true). */
  checks?: boolean;
  /** Run the drift analysis when the project has reference or test data (default true). */
  drift?: boolean;
  signal?: AbortSignal;
}

export interface DataMetrics extends Performance {
  role: DataRole;
  file: string;
}

export interface ImportanceSummary {
  /** e.g. `mean |kernel-shap|`. */
  provider: string;
  file: string;
  features: string[];
  /** Global share per feature (sums to 1), in `features` order. */
  shares: number[];
  /** Rows explained (indices into `file`), and their local shares (rows x features). */
  rows: number[];
  local: Float64Array;
}

/** One checkpoint seen through the core: what `glassbox check`, `drift` and predictions report. */
export interface Evaluation {
  checkpoint: { name: string; dir: string; hash?: string };
  config: string;
  task: string;
  classes: string[] | null;
  metrics: DataMetrics[];
  importance: ImportanceSummary;
  checks?: CheckReport;
  drift?: DriftReport;
}

/** The user-facing class names: the config's `classNames`, else the label's values. */
export function classNames(project: Project, encoding: Encoding): string[] | undefined {
  return project.config.raw.classNames ?? encoding.label?.classes;
}

/** The data sets a project names, in the order reports show them. */
export function dataRoles(project: Project): DataRole[] {
  return (['train', 'test', 'reference'] as const).filter((r) => project.dataPath(r) !== undefined);
}

export async function evaluate(side: Side, options: EvaluateOptions = {}): Promise<Evaluation> {
  const { project, checkpoint } = side;
  const { encoding, task } = await project.schema();
  const model = await project.model(checkpoint);
  const metrics: DataMetrics[] = [];
  for (const role of dataRoles(project)) {
    throwIfAborted(options.signal);
    const ds = await project.dataset(role);
    if (!ds.y) continue;
    metrics.push({ role, file: ds.file, ...performance(predict(model, ds.X, ds.n, options.signal), ds.y) });
  }
  const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
  let checks: CheckReport | undefined;
  if (options.checks !== false) checks = await runChecks(ctx, options.signal ? { signal: options.signal } : {});
  const s = await ctx.importance(options.signal);
  const importance: ImportanceSummary = { provider: s.provider, file: s.dataset.file, features: s.features, shares: Array.from(s.global), rows: Array.from(s.rows), local: s.local };
  let drift: DriftReport | undefined;
  if (options.drift !== false && (project.dataPath('reference') || project.dataPath('test'))) {
    drift = await driftReport(project, { ...driftOptionsFromConfig(project.config), checkpoint, ...(options.signal ? { signal: options.signal } : {}) });
  }
  return {
    checkpoint: { name: checkpoint.name, dir: checkpoint.dir, ...(checkpoint.hash ? { hash: checkpoint.hash } : {}) },
    config: project.config.file,
    task,
    classes: classNames(project, encoding) ?? null,
    metrics,
    importance,
    ...(checks ? { checks } : {}),
    ...(drift ? { drift } : {}),
  };
}

export interface RankRow {
  feature: string;
  shareA: number;
  shareB: number;
  rankA: number;
  rankB: number;
  /** rankB - rankA: negative = more important in B. */
  change: number;
}

export interface FlippedRow {
  file: string;
  row: number;
  line: number;
  before: string;
  after: string;
  label?: string;
  /** B's probability of its predicted class minus A's probability of that class. */
  change: number;
  /** Row attributions per raw feature under each side's default row method. */
  attributionsA: Record<string, number>;
  attributionsB: Record<string, number>;
}

export interface Comparison {
  a: Evaluation;
  b: Evaluation;
  /** False when nothing below changed (a checkpoint compared with itself). */
  changed: boolean;
  metrics: Array<{ role: DataRole; metric: string; a: number; b: number; change: number }>;
  ranks: RankRow[];
  agreement: { spearman: number; topK: number; overlap: number };
  disagreement: Array<{ feature: string; spearman: number; rows: number }>;
  flipped: { rows: number; of: number; file: string; methodA: string; methodB: string; listed: FlippedRow[] };
  drift: Array<{ feature: string; impactA: number; impactB: number; change: number; quadrantA: string; quadrantB: string }>;
  checks: Array<{ id: string; title: string; a: string; b: string; summaryA: string; summaryB: string }>;
}

/** Throws when the two sides do not describe the same problem. */
export async function assertComparable(a: Side, b: Side): Promise<void> {
  const ea = (await a.project.schema()).encoding;
  const eb = (await b.project.schema()).encoding;
  const at = { file: b.project.config.file };
  const fa = new Map(ea.features.map((f) => [f.name, f.type]));
  const fb = new Map(eb.features.map((f) => [f.name, f.type]));
  const onlyA = [...fa.keys()].filter((f) => !fb.has(f));
  const onlyB = [...fb.keys()].filter((f) => !fa.has(f));
  if (onlyA.length || onlyB.length) {
    throw new GlassboxError('usage', `cannot compare ${a.checkpoint.name} with ${b.checkpoint.name}: different features (${[...onlyA.map((f) => `only in A: ${f}`), ...onlyB.map((f) => `only in B: ${f}`)].join(', ')})`, at);
  }
  const typed = [...fa].filter(([f, t]) => fb.get(f) !== t);
  if (typed.length) throw new GlassboxError('usage', `cannot compare ${a.checkpoint.name} with ${b.checkpoint.name}: different encodings (${typed.map(([f, t]) => `${f} is ${t} in A, ${fb.get(f)} in B`).join(', ')})`, at);
  const ca = ea.label?.classes?.join('|') ?? '';
  const cb = eb.label?.classes?.join('|') ?? '';
  if (ca !== cb) throw new GlassboxError('usage', `cannot compare ${a.checkpoint.name} with ${b.checkpoint.name}: different label classes (${ca || 'none'} vs ${cb || 'none'})`, at);
  const da = evaluationFile(a.project);
  const db = evaluationFile(b.project);
  if (path.resolve(da) !== path.resolve(db)) throw new GlassboxError('usage', `cannot compare ${a.checkpoint.name} with ${b.checkpoint.name}: they are evaluated on different data (${da} vs ${db})`, at);
}

function evaluationRole(project: Project): DataRole {
  return project.dataPath('test') ? 'test' : project.dataPath('reference') ? 'reference' : 'train';
}

function evaluationFile(project: Project): string {
  return project.dataPath(evaluationRole(project))!;
}

/** Compares B against A (A is "before"). */
export async function compare(a: Side, b: Side, options: EvaluateOptions = {}): Promise<Comparison> {
  await assertComparable(a, b);
  const ea = await evaluate(a, options);
  const eb = await evaluate(b, options);
  const features = ea.importance.features;
  // B's features in A's order: the encodings may order raw features differently.
  const toA = features.map((f) => eb.importance.features.indexOf(f));
  const sharesB = toA.map((j) => eb.importance.shares[j]!);
  const rankA = rankOf(ea.importance.shares);
  const rankB = rankOf(sharesB);
  const ranks: RankRow[] = features
    .map((feature, f) => ({ feature, shareA: ea.importance.shares[f]!, shareB: sharesB[f]!, rankA: rankA[f]!, rankB: rankB[f]!, change: rankB[f]! - rankA[f]! }))
    .sort((x, y) => x.rankB - y.rankB);
  const k = Math.min(TOP_K, features.length);
  const topA = new Set(features.filter((_, f) => rankA[f]! <= k));
  const overlap = features.filter((f, i) => rankB[i]! <= k && topA.has(f)).length;
  const agreement = { spearman: features.length > 1 ? spearman(ea.importance.shares, sharesB) : 1, topK: k, overlap };

  const metrics: Comparison['metrics'] = [];
  for (const ma of ea.metrics) {
    const mb = eb.metrics.find((m) => m.role === ma.role && path.resolve(m.file) === path.resolve(ma.file));
    if (!mb) continue;
    for (const key of ['accuracy', 'logLoss', 'rmse', 'mae'] as const) {
      if (ma[key] !== undefined && mb[key] !== undefined) metrics.push({ role: ma.role, metric: key, a: ma[key]!, b: mb[key]!, change: mb[key]! - ma[key]! });
    }
  }

  const disagreement = localDisagreement(ea.importance, eb.importance, features);
  const flipped = await flippedRows(a, b, options.signal);

  const drift: Comparison['drift'] = [];
  if (ea.drift && eb.drift) {
    for (const fa of ea.drift.features) {
      const fb = eb.drift.features.find((x) => x.feature === fa.feature);
      if (fb) drift.push({ feature: fa.feature, impactA: fa.impact.reference, impactB: fb.impact.reference, change: fb.impact.reference - fa.impact.reference, quadrantA: fa.quadrant, quadrantB: fb.quadrant });
    }
    drift.sort((x, y) => Math.abs(y.change) - Math.abs(x.change));
  }

  const checks: Comparison['checks'] = [];
  if (ea.checks && eb.checks) {
    for (const ra of ea.checks.results) {
      const rb = eb.checks.results.find((r) => r.id === ra.id);
      if (!rb) continue;
      const sa = checkState(ra);
      const sb = checkState(rb);
      if (sa !== sb) checks.push({ id: ra.id, title: ra.title, a: sa, b: sb, summaryA: ra.summary, summaryB: rb.summary });
    }
  }

  const changed =
    metrics.some((m) => Math.abs(m.change) > EPS) ||
    ranks.some((r) => r.change !== 0 || Math.abs(r.shareB - r.shareA) > EPS) ||
    disagreement.some((d) => d.spearman < 1 - EPS) ||
    flipped.rows > 0 ||
    drift.some((d) => Math.abs(d.change) > EPS || d.quadrantA !== d.quadrantB) ||
    checks.length > 0;
  return { a: ea, b: eb, changed, metrics, ranks, agreement, disagreement, flipped, drift, checks };
}

/** `pass`, `skip`, or `fail (error)` / `fail (warning)`. */
function checkState(r: { status: string; severity: string }): string {
  return r.status === 'fail' ? `fail (${r.severity})` : r.status;
}

/** 1 = largest; ties share the better rank, in feature order (deterministic). */
export function rankOf(shares: ArrayLike<number>): number[] {
  const order = Array.from({ length: shares.length }, (_, i) => i).sort((x, y) => shares[y]! - shares[x]! || x - y);
  const rank = new Array<number>(shares.length);
  order.forEach((f, i) => (rank[f] = i > 0 && shares[order[i - 1]!] === shares[f] ? rank[order[i - 1]!]! : i + 1));
  return rank;
}

function localDisagreement(a: ImportanceSummary, b: ImportanceSummary, features: string[]): Comparison['disagreement'] {
  const Fa = a.features.length;
  const Fb = b.features.length;
  const posB = new Map(b.rows.map((r, i) => [r, i]));
  const common = a.rows.map((r, i) => [i, posB.get(r)] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
  return features
    .map((feature, f) => {
      const g = b.features.indexOf(feature);
      const xa = common.map(([i]) => a.local[i * Fa + f]!);
      const xb = common.map(([, j]) => b.local[j * Fb + g]!);
      // Identical columns agree perfectly, constant ones included (Spearman is undefined there).
      const same = xa.every((v, i) => Math.abs(v - xb[i]!) <= EPS);
      return { feature, spearman: same ? 1 : spearman(xa, xb), rows: common.length };
    })
    .sort((x, y) => x.spearman - y.spearman);
}

async function flippedRows(a: Side, b: Side, signal?: AbortSignal): Promise<Comparison['flipped']> {
  const dsA = await a.project.dataset(evaluationRole(a.project));
  const dsB = await b.project.dataset(evaluationRole(b.project));
  const ma = await a.project.model(a.checkpoint);
  const mb = await b.project.model(b.checkpoint);
  const pa = predict(ma, dsA.X, dsA.n, signal);
  const pb = predict(mb, dsB.X, dsB.n, signal);
  const methodA = defaultExplainMethod(ma);
  const methodB = defaultExplainMethod(mb);
  const empty = { rows: 0, of: dsA.n, file: dsA.file, methodA, methodB, listed: [] };
  if (!pa.predicted || !pb.predicted || !pa.probabilities || !pb.probabilities) return empty;
  const K = pa.classes;
  const flips: Array<{ i: number; change: number }> = [];
  for (let i = 0; i < dsA.n; i++) {
    const ca = pa.predicted[i]!;
    const cb = pb.predicted[i]!;
    if (ca !== cb) flips.push({ i, change: pb.probabilities[i * K + cb]! - pa.probabilities[i * K + cb]! });
  }
  if (flips.length === 0) return empty;
  flips.sort((x, y) => y.change - x.change || x.i - y.i);
  const listed = flips.slice(0, FLIPPED_ROWS);
  const idx = Int32Array.from(listed, (f) => f.i);
  const attrA = await rowAttributions(a.project, ma, dsA, idx, methodA, signal);
  const attrB = await rowAttributions(b.project, mb, dsB, idx, methodB, signal);
  const encA = (await a.project.schema()).encoding;
  const names = classNames(a.project, encA) ?? [];
  const name = (k: number) => names[k] ?? String(k);
  return {
    rows: flips.length,
    of: dsA.n,
    file: dsA.file,
    methodA,
    methodB,
    listed: listed.map(({ i, change }, j) => {
      const y = dsA.y?.[i];
      return {
        file: dsA.file,
        row: i,
        line: dsA.lines[i]!,
        before: name(pa.predicted![i]!),
        after: name(pb.predicted![i]!),
        ...(y !== undefined && !Number.isNaN(y) ? { label: name(y) } : {}),
        change,
        attributionsA: attrA[j]!,
        attributionsB: attrB[j]!,
      };
    }),
  };
}

/** Per-row attributions of `rows` of `ds` (the explained class: the model's prediction). */
export async function rowAttributions(project: Project, model: ModelHandle, ds: Dataset, rows: Int32Array, methodId: string, signal?: AbortSignal): Promise<Array<Record<string, number>>> {
  const { encoding } = await project.schema();
  const method = getMethod(methodId);
  const n = rows.length;
  const input: Parameters<typeof method.attribute>[0] = { model, encoding, X: takeRows(ds, rows), n, target: { kind: 'predicted' }, seed: 0, ...(signal ? { signal } : {}) };
  if (method.capabilities.background) {
    const train = await project.dataset('train');
    input.background = train.X;
    input.backgroundN = train.n;
  }
  const r = await method.attribute(input, resolveParams(method.id, method.params, {}));
  const names = featureNames(encoding);
  const F = names.length;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((nm, f) => [nm, r.grouped[i * F + f]!])));
}
