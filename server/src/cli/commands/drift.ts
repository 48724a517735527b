/**
 * `glassbox drift`: drift per raw feature between training and reference data, weighted by the
 * feature's importance, with prediction drift, multivariate drift and the label-free performance estimate.
 */
import * as path from 'node:path';
import { CHECKPOINT_OPTION, type Command } from '../context';
import { table, fmtNum } from '../format';
import { GlassboxError } from '../../core/errors';
import { getMethod, methodIds } from '../../core/methods/registry';
import { driftReport } from '../../core/drift/report';
import { driftOptionsFromConfig } from '../../core/drift/options';
import { QUADRANT_ADVICE, type DriftMetric } from '../../core/drift/impact';

const METRICS: DriftMetric[] = ['psi', 'js', 'ks', 'wasserstein'];

/** Drift per raw feature between the training data and the reference, weighted by importance. */
export const drift: Command = {
  name: 'drift',
  summary: 'drift per raw feature (train vs reference) × importance, prediction drift, performance change',
  options: {
    reference: { type: 'string', arg: 'FILE', description: "CSV to compare with the training data (default: the config's reference data, else test)" },
    checkpoint: CHECKPOINT_OPTION,
    metric: { type: 'string', arg: 'M', description: 'drift score for impact and quadrant: psi (default), js, ks, wasserstein' },
    bins: { type: 'string', arg: 'N', description: 'PSI/JS bins per numeric feature, edges at training quantiles (default 10)' },
    'drift-threshold': { type: 'string', arg: 'X', description: 'drift score at or above which a feature has drifted (default 0.1)' },
    'importance-threshold': { type: 'string', arg: 'S', description: 'importance share at or above which a feature is important (default 1/features)' },
    'importance-method': { type: 'string', arg: 'ID', description: `attribution method giving importance shares (${methodIds().join(', ')}; default kernel-shap, 128 samples × 8 background rows)` },
    'importance-rows': { type: 'string', arg: 'N', description: 'rows sampled from each side for importance (default 2000)' },
    'chunk-size': { type: 'string', arg: 'N', description: 'reference rows per chunk for drift over time' },
    seed: { type: 'string', arg: 'N', description: 'seed for the importance samples and the domain classifier (default 0)' },
    'no-multivariate': { type: 'boolean', description: 'skip multivariate drift (the domain classifier: 5-fold cross-validation, 19 permutations)' },
    'multivariate-rows': { type: 'string', arg: 'N', description: 'rows sampled from each side for the domain classifier (default 1000)' },
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const cfg = project.config.raw.drift ?? {};
    const o = ctx.options;
    // The config's drift block first, then the command's flags on top.
    const options = driftOptionsFromConfig(project.config);
    if (typeof o.reference === 'string') options.referenceFile = path.resolve(ctx.cwd, o.reference);
    if (typeof o.checkpoint === 'string') options.checkpoint = project.resolveCheckpoint(o.checkpoint);
    const metric = (o.metric as string | undefined) ?? options.metric ?? 'psi';
    if (!METRICS.includes(metric as DriftMetric)) throw new GlassboxError('usage', `--metric must be one of ${METRICS.join(', ')}, got '${metric}'`);
    options.metric = metric as DriftMetric;
    const bins = num(o.bins, '--bins', true);
    if (bins !== undefined) options.bins = bins;
    if (options.bins !== undefined && options.bins < 2) throw new GlassboxError('usage', `--bins must be at least 2, got ${options.bins}`);
    const thresholds = { ...options.thresholds };
    const td = num(o['drift-threshold'], '--drift-threshold');
    const ti = num(o['importance-threshold'], '--importance-threshold');
    if (td !== undefined) thresholds.drift = td;
    if (ti !== undefined) thresholds.importance = ti;
    options.thresholds = thresholds;
    if (typeof o['importance-method'] === 'string') options.importanceMethod = getMethod(o['importance-method']).id;
    const rows = num(o['importance-rows'], '--importance-rows', true);
    if (rows !== undefined) options.importanceRows = rows;
    const chunk = num(o['chunk-size'], '--chunk-size', true);
    if (chunk !== undefined) options.chunkSize = chunk;
    const seed = num(o.seed, '--seed', true);
    if (seed !== undefined) options.seed = seed;
    const mvRows = num(o['multivariate-rows'], '--multivariate-rows', true);
    if (mvRows === 0) throw new GlassboxError('usage', '--multivariate-rows must be at least 2');
    if (o['no-multivariate']) options.multivariate = false;
    else if (mvRows !== undefined) options.multivariate = { rowsPerSide: mvRows };
    let report;
    try {
      report = await driftReport(project, options);
    } catch (e) {
      // A timestamp column missing from the data is a config problem: point at the config line.
      if (e instanceof GlassboxError && cfg.timestamp && e.message.includes(`timestamp column '${cfg.timestamp}'`)) {
        throw new GlassboxError('config', `drift.timestamp: ${e.message}`, project.config.locate(['drift', 'timestamp']));
      }
      throw e;
    }
    if (ctx.json) ctx.emit(report);
    else {
      ctx.print(`drift of ${project.relative(report.reference)} (${report.rows.reference} rows) against ${project.relative(report.train)} (${report.rows.train} rows)`);
      ctx.print(`score ${report.metric}; drifted at >= ${fmtNum(report.thresholds.drift)}, important at share >= ${fmtNum(report.thresholds.importance)}; importance: ${report.importanceMethod}`);
      ctx.print();
      ctx.print(
        table(
          ['feature', 'type', report.metric, 'rank', 'share ref', 'share train', 'impact ref', 'impact train', 'missing Δ', 'quadrant'],
          report.features.map((f) => [f.feature, f.stats.type, f.drift, f.rank, f.importance.reference, f.importance.train, f.impact.reference, f.impact.train, f.stats.missing.change, f.quadrant]),
        ),
      );
      for (const f of report.features) {
        if (f.stats.type === 'categorical' && f.stats.unseen.rows > 0) {
          ctx.print(`unseen in ${f.feature}: ${f.stats.unseen.categories.slice(0, 5).map((c) => `${c.category} (${c.count})`).join(', ')}${f.stats.unseen.categories.length > 5 ? ', ...' : ''}`);
        }
      }
      const act = report.features.filter((f) => f.quadrant === 'high-drift/high-importance');
      ctx.print();
      ctx.print(act.length ? `${QUADRANT_ADVICE['high-drift/high-importance']}: ${act.map((f) => f.feature).join(', ')}` : 'no feature is both drifted and important');
      ctx.print(`attribution drift: Spearman ${fmtNum(report.attributionDrift.spearman, 3)}, NDCG ${fmtNum(report.attributionDrift.ndcg, 3)}`);
      for (const s of report.prediction.scores) ctx.print(`prediction drift (${s.output}): PSI ${fmtNum(s.psi)}, KS ${fmtNum(s.ks.statistic)} (p=${fmtNum(s.ks.pValue, 3)})`);
      const perf = report.prediction.performance;
      if (perf) ctx.print(`performance: ${Object.entries(perf.change).map(([k, v]) => `${k} ${fmtNum(perf.train[k as 'accuracy']!)} -> ${fmtNum(perf.reference[k as 'accuracy']!)} (${v >= 0 ? '+' : ''}${fmtNum(v)})`).join(', ')}`);
      const mv = report.multivariate;
      if (mv) ctx.print(`multivariate drift: domain classifier AUC ${fmtNum(mv.auc, 3)} (permutation p = ${fmtNum(mv.pValue, 3)}, null max ${fmtNum(mv.nullAuc.max, 3)}; ${mv.rows.train} rows a side) -> ${mv.drifted ? 'the joint distribution moved' : 'no joint shift detected'}`);
      const est = report.estimatedPerformance;
      if (est) {
        const r = est.reference;
        const realised = r.realised ? `; realised ${fmtNum(r.realised.accuracy, 3)}${r.realised.rocAuc !== undefined ? `, AUC ${fmtNum(r.realised.rocAuc, 3)}` : ''}` : '';
        const cal = r.calibration.recalibrated ? ` (recalibrated: ECE ${fmtNum(r.calibration.ece!, 3)} on ${r.calibration.rows} labelled rows)` : '';
        ctx.print(`estimated performance without labels (CBPE): accuracy ${fmtNum(r.expectedAccuracy, 3)} ± ${fmtNum(r.standardError, 3)}${r.expectedRocAuc !== undefined ? `, ROC AUC ${fmtNum(r.expectedRocAuc, 3)}` : ''} (training rows ${fmtNum(est.train.expectedAccuracy, 3)})${realised}${cal}`);
      }
      ctx.print(`verdict: ${report.verdict.level}${report.verdict.reasons.length ? ` (${report.verdict.reasons.join('; ')})` : ''}`);
      const corr = report.chunks?.correlation;
      if (report.chunks?.ordered === false) ctx.print(`warning: ${report.chunks.timestamp} decreases somewhere in the reference; chunks follow file order`);
      if (corr) ctx.print(`per-chunk weighted drift vs ${corr.metric}: Pearson ${fmtNum(corr.pearson, 3)}, Spearman ${fmtNum(corr.spearman, 3)} over ${report.chunks!.items.length} chunks`);
    }
    await project.dispose();
    return 0;
  },
};

export function num(v: unknown, flag: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x) || (integer && (!Number.isInteger(x) || x < 0))) {
    throw new GlassboxError('usage', `${flag} expects ${integer ? 'a non-negative integer' : 'a number'}, got '${String(v)}'`);
  }
  return x;
}
