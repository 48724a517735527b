/**
 * The whole drift analysis of a project: per-feature drift (table.ts), prediction drift and
 * performance change (prediction.ts), importance on training and reference rows (importance.ts),
 * drift impact and quadrant (impact.ts), attribution drift (attribution.ts) and, with chunks, the
 * correlation of per-chunk drift with per-chunk performance.
 *
 * Importance is measured on a seeded sample of at most `importanceRows` rows of each side; drift
 * uses every row.
 *
 * Beside them: multivariate drift (multivariate.ts, a domain classifier on a sample of each side),
 * the label-free performance estimate (cbpe.ts) on both sides, and one verdict: `act` when a feature
 * the model relies on moved, or the estimated accuracy fell significantly (by at least 0.01 and
 * three standard errors of the difference); `watch` when only the joint distribution, a minor
 * feature or the predictions moved; else `stable`.
 */
import type { Project } from '../project';
import type { CheckpointInfo } from '../model/checkpoints';
import { predict, type ModelHandle } from '../model/model';
import { takeRows, type Dataset } from '../data/dataset';
import { featureNames, type Encoding } from '../data/encoding';
import { createRng, sampleWithoutReplacement } from '../util/random';
import { pearson, spearman } from '../util/stats';
import { featureDrift, type FeatureDriftStats, type ChunkDrift } from './table';
import { predictionDrift, performance, type PredictionDrift, type Performance } from './prediction';
import { methodImportance, type ImportanceShares } from './importance';
import { defaultImportance } from '../importance/importance';
import { driftImpact, type DriftMetric, type FeatureImpact, type QuadrantThresholds } from './impact';
import { attributionDrift } from './attribution';
import { driftPValue } from './stats';
import { formatNumber } from '../analyses/shared';
import { GlassboxError } from '../errors';
import { multivariateDrift, type MultivariateDrift, type MultivariateOptions } from './multivariate';
import { estimatePerformance, type PerformanceEstimate } from './cbpe';

export interface DriftOptions {
  /** Reference CSV (default: the config's reference data, else its test data). */
  referenceFile?: string;
  checkpoint?: CheckpointInfo;
  metric?: DriftMetric;
  bins?: number;
  thresholds?: Partial<QuadrantThresholds>;
  /** Importance provider; default: `methodImportance` with `importanceMethod` (the model's global-importance default, `defaultImportance`). */
  importance?: ImportanceShares;
  importanceMethod?: string;
  importanceRows?: number;
  chunkSize?: number;
  timestamp?: string;
  seed?: number;
  /** Domain-classifier settings, or false to skip multivariate drift. */
  multivariate?: false | Partial<Omit<MultivariateOptions, 'signal' | 'seed'>>;
  signal?: AbortSignal;
}

export type DriftLevel = 'act' | 'watch' | 'stable';

export interface DriftVerdict {
  level: DriftLevel;
  /** One sentence per reason, with its numbers. */
  reasons: string[];
}

export interface FeatureDriftRow extends Omit<FeatureImpact, 'feature'> {
  feature: string;
  rank: number;
  importanceChange: number;
  stats: FeatureDriftStats;
}

export interface ChunkSummary extends ChunkDrift {
  /** Σ_f reference share × chunk PSI. */
  weightedDrift: number;
  performance?: Performance;
}

export interface DriftReport {
  train: string;
  reference: string;
  rows: { train: number; reference: number };
  metric: DriftMetric;
  thresholds: QuadrantThresholds;
  importanceMethod: string;
  importanceRows: { train: number; reference: number };
  /** Sorted by drift impact (reference share × drift), largest first. */
  features: FeatureDriftRow[];
  attributionDrift: { spearman: number; ndcg: number };
  prediction: PredictionDrift;
  multivariate?: MultivariateDrift;
  /** Confidence-based estimates (classifiers): on the reference (label-free) and on the training rows. */
  estimatedPerformance?: { reference: PerformanceEstimate; train: PerformanceEstimate };
  verdict: DriftVerdict;
  chunks?: { size: number; timestamp?: string; ordered?: boolean; items: ChunkSummary[]; correlation?: { metric: string; pearson: number; spearman: number } };
}

/** The drift score the quadrant and impact use: PSI, JS distance, KS statistic or W1 / training std. */
export function driftScore(s: FeatureDriftStats, metric: DriftMetric): number {
  if (metric === 'psi') return s.psi;
  if (metric === 'js') return s.js;
  // KS and W1 exist for numeric features only; a categorical feature then scores its JS distance.
  if (s.type !== 'numeric') return s.js;
  return metric === 'ks' ? s.ks.statistic : s.wassersteinStd;
}

export async function driftReport(project: Project, options: DriftOptions = {}): Promise<DriftReport> {
  const { encoding } = await project.schema();
  const trainFile = project.config.data.train;
  const refFile = options.referenceFile ?? project.config.data.reference ?? project.config.data.test;
  if (!refFile) throw new GlassboxError('config', "glassbox.json names no 'reference' (or 'test') data to compare with", project.config.locate(['data']));
  const metric = options.metric ?? 'psi';
  const table = await featureDrift(encoding, trainFile, refFile, {
    ...(options.bins ? { bins: options.bins } : {}),
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    missingAt: { ...optional('train', project.config.dataLocation(trainFile)), ...optional('reference', project.config.dataLocation(refFile)) },
  });
  const model = await project.model(options.checkpoint ?? project.latestCheckpoint());
  const train = await project.dataset('train');
  const ref = await project.datasetAt(refFile);
  const seed = options.seed ?? 0;
  const rowsCap = options.importanceRows ?? 2000;
  const importanceMethod = options.importance ? 'custom' : (options.importanceMethod ?? defaultImportance(model).method);
  const shares =
    options.importance ??
    methodImportance(model, encoding, { method: importanceMethod, background: { X: train.X, n: train.n }, seed, ...(options.signal ? { signal: options.signal } : {}) });
  const sample = (ds: Dataset, salt: number) => {
    const idx = sampleWithoutReplacement(ds.n, Math.min(rowsCap, ds.n), createRng(seed + salt)).sort();
    return { X: takeRows(ds, idx), n: idx.length };
  };
  const st = sample(train, 1);
  const sr = sample(ref, 2);
  const shareTrain = await shares(st.X, st.n);
  const shareRef = await shares(sr.X, sr.n);
  const names = featureNames(encoding);
  const drift = table.features.map((f) => driftScore(f, metric));
  const impact = driftImpact(names, drift, { train: shareTrain, reference: shareRef }, options.thresholds, table.features.map(driftPValue));
  const attr = attributionDrift(shareTrain, shareRef);
  const features = impact.features
    .map((fi, f): FeatureDriftRow => ({ ...fi, rank: 0, importanceChange: attr.change[f]!, stats: table.features[f]! }))
    .sort((a, b) => b.impact.reference - a.impact.reference || b.drift - a.drift);
  // Rank by drift alone, so a reader sees the drift order next to the impact order.
  [...features].sort((a, b) => b.drift - a.drift).forEach((row, i) => (row.rank = i + 1));

  const pTrain = predict(model, train.X, train.n, options.signal);
  const pRef = predict(model, ref.X, ref.n, options.signal);
  const prediction = predictionDrift(pTrain, pRef, encoding.label?.classes, { train: train.y, reference: ref.y }, options.bins ? { bins: options.bins } : {});

  const report: DriftReport = {
    train: trainFile,
    reference: refFile,
    rows: table.rows,
    metric,
    thresholds: impact.thresholds,
    importanceMethod,
    importanceRows: { train: st.n, reference: sr.n },
    features,
    attributionDrift: { spearman: attr.spearman, ndcg: attr.ndcg },
    prediction,
    verdict: { level: 'stable', reasons: [] },
  };
  if (options.multivariate !== false) report.multivariate = cachedMultivariate(encoding, train, ref, { ...options.multivariate, seed, ...(options.signal ? { signal: options.signal } : {}) });
  const estimates = await performanceEstimates(project, model, pTrain, pRef, ref, refFile, seed, options.signal);
  if (estimates) report.estimatedPerformance = estimates;
  report.verdict = driftVerdict(report);
  if (table.chunks && options.chunkSize) {
    const items = table.chunks.map((c): ChunkSummary => {
      const weightedDrift = c.psi.reduce((s, v, f) => s + v * shareRef[f]!, 0);
      const out: ChunkSummary = { ...c, weightedDrift };
      if (ref.y) out.performance = performance(slicePredictions(pRef, c.start, c.end), ref.y.subarray(c.start, c.end));
      return out;
    });
    const perfKey = prediction.scores[0]?.output === 'value' ? 'rmse' : 'accuracy';
    const withPerf = items.filter((c) => c.performance?.[perfKey] !== undefined);
    report.chunks = { size: options.chunkSize, items };
    if (options.timestamp) report.chunks.timestamp = options.timestamp;
    if (table.ordered !== undefined) report.chunks.ordered = table.ordered;
    if (withPerf.length >= 3) {
      const d = withPerf.map((c) => c.weightedDrift);
      const p = withPerf.map((c) => c.performance![perfKey]!);
      report.chunks.correlation = { metric: perfKey, pearson: pearson(d, p), spearman: spearman(d, p) };
    }
  }
  return report;
}

/**
 * The domain classifier depends on the data alone, not on the checkpoint: one result per pair of
 * loaded datasets and settings (a reloaded file is a new Dataset, so a changed file is recomputed),
 * so comparing checkpoints or re-running drift for a new checkpoint does not refit it.
 */
const multivariateCache = new WeakMap<Dataset, WeakMap<Dataset, Map<string, MultivariateDrift>>>();

function cachedMultivariate(encoding: Encoding, train: Dataset, ref: Dataset, options: Partial<MultivariateOptions>): MultivariateDrift {
  const { signal, ...settings } = options;
  const key = JSON.stringify(settings);
  let byRef = multivariateCache.get(train);
  if (!byRef) multivariateCache.set(train, (byRef = new WeakMap()));
  let byKey = byRef.get(ref);
  if (!byKey) byRef.set(ref, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const result = multivariateDrift(encoding, train, ref, { ...settings, ...(signal ? { signal } : {}) });
  byKey.set(key, result);
  return result;
}

/**
 * CBPE on both sides, calibrated on the labelled test rows when the project has them (the reference
 * itself when it is the test data); undefined for regression.
 */
async function performanceEstimates(project: Project, model: ModelHandle, pTrain: ReturnType<typeof predict>, pRef: ReturnType<typeof predict>, ref: Dataset, refFile: string, seed: number, signal?: AbortSignal) {
  if (!pRef.probabilities) return undefined;
  let calibration: Parameters<typeof estimatePerformance>[0]['calibration'];
  const testFile = project.dataPath('test');
  if (testFile) {
    const test = testFile === refFile ? ref : await project.dataset('test');
    if (test.y && test.y.some((v) => !Number.isNaN(v))) {
      calibration = { predictions: test === ref ? pRef : predict(model, test.X, test.n, signal), labels: test.y, file: test.file };
    }
  }
  const base = { seed, ...(calibration ? { calibration } : {}) };
  const reference = estimatePerformance({ ...base, reference: pRef, ...(ref.y ? { referenceLabels: ref.y } : {}) })!;
  const train = estimatePerformance({ ...base, reference: pTrain })!;
  return { reference, train };
}

/** Significant fall of the estimated accuracy: at least 0.01 and three standard errors of the difference. */
export function accuracyFell(e: { reference: PerformanceEstimate; train: PerformanceEstimate }): boolean {
  const drop = e.train.expectedAccuracy - e.reference.expectedAccuracy;
  return drop >= 0.01 && drop > 3 * Math.hypot(e.train.standardError, e.reference.standardError);
}

export function driftVerdict(r: Pick<DriftReport, 'features' | 'multivariate' | 'estimatedPerformance' | 'prediction'>): DriftVerdict {
  const act: string[] = [];
  const watch: string[] = [];
  const important = r.features.filter((f) => f.quadrant === 'high-drift/high-importance');
  if (important.length) act.push(`features the model relies on moved: ${important.map((f) => f.feature).join(', ')}`);
  const e = r.estimatedPerformance;
  if (e && accuracyFell(e)) {
    act.push(`estimated accuracy fell from ${formatNumber(e.train.expectedAccuracy, 3)} (training rows) to ${formatNumber(e.reference.expectedAccuracy, 3)} (± ${formatNumber(e.reference.standardError, 3)}) without labels`);
  }
  const m = r.multivariate;
  if (m?.drifted) watch.push(`the joint distribution moved: a domain classifier tells the sides apart (AUC ${formatNumber(m.auc, 3)}, permutation p = ${formatNumber(m.pValue, 3)})`);
  const minor = r.features.filter((f) => f.quadrant === 'high-drift/low-importance');
  if (minor.length) watch.push(`minor features moved: ${minor.map((f) => f.feature).join(', ')}`);
  return act.length ? { level: 'act', reasons: [...act, ...watch] } : watch.length ? { level: 'watch', reasons: watch } : { level: 'stable', reasons: [] };
}

function slicePredictions(p: ReturnType<typeof predict>, start: number, end: number): ReturnType<typeof predict> {
  const K = p.classes;
  const out: ReturnType<typeof predict> = { n: end - start, classes: K, logits: p.logits.subarray(start * K, end * K) };
  if (p.probabilities) out.probabilities = p.probabilities.subarray(start * K, end * K);
  if (p.predicted) out.predicted = p.predicted.subarray(start, end);
  return out;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
