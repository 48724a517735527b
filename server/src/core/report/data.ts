/**
 * What a shareable report says, as plain JSON, built once and rendered as HTML (html.ts) or
 * Markdown (markdown.ts). The numbers are compare.ts / timeline.ts results (the core's own);
 * this module only selects and caps them.
 *
 * Redaction contract: a `ReportData` holds no raw data values. Rows appear as their 0-based index,
 * their 1-based line and the file's base name, with predictions, labels (class names) and
 * attributions; check evidence keeps the row and line only (its `detail` and `values` quote raw
 * cells and are dropped); data files appear by base name (no absolute paths). Distribution
 * statistics appear only as per-feature scores (drift, impact), never as category lists or
 * quantiles. Size: every list is capped (features are the model's, rows at `MAX_ROWS`,
 * checkpoints at `MAX_POINTS`), so the report does not grow with the number of data rows.
 */
import * as path from 'node:path';
import type { Project } from '../project';
import type { CheckpointInfo } from '../model/checkpoints';
import { compare, evaluate, type Comparison, type Evaluation, type Side } from '../analyses/compare';
import { perRowMean, timeline as runTimeline, type Timeline } from '../analyses/timeline';

/** Rows listed per table (flipped rows, evidence rows per finding). */
export const MAX_ROWS = 20;
/** Checkpoints shown in the timeline (the most recent ones). */
export const MAX_POINTS = 50;

export interface ReportMetric {
  data: string;
  file: string;
  rows: number;
  accuracy?: number;
  logLoss?: number;
  rmse?: number;
  mae?: number;
}

export interface ReportCheckpoint {
  name: string;
  hash?: string;
  metrics: ReportMetric[];
  importance: { provider: string; file: string; rows: number; features: string[]; shares: number[] };
  /**
   * Mean over the explained rows of each row's local share (each row's shares sum to 1): the
   * bounded-contribution statistic the differential-privacy release perturbs (privacy.ts).
   * Not rendered.
   */
  perRowMean: number[];
}

export interface ReportFinding {
  message: string;
  metric: string;
  measured: number;
  limit: number;
  subject?: string;
  rows: Array<{ file: string; row: number; line: number }>;
}

export interface ReportCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  severity: string;
  summary: string;
  findings: ReportFinding[];
}

export interface ReportData {
  title: string;
  generated: string;
  task: string;
  classes: string[] | null;
  latest: ReportCheckpoint;
  /** The checkpoint (or run) the latest is compared with; absent for a single checkpoint. */
  previous?: ReportCheckpoint;
  comparison?: {
    changed: boolean;
    metrics: Comparison['metrics'];
    ranks: Comparison['ranks'];
    agreement: Comparison['agreement'];
    disagreement: Comparison['disagreement'];
    flipped: { rows: number; of: number; file: string; methodA: string; methodB: string; listed: Array<Omit<Comparison['flipped']['listed'][number], 'file'>> };
    checks: Comparison['checks'];
    drift: Comparison['drift'];
  };
  checks?: { ok: boolean; summary: { passed: number; failed: number; warnings: number; skipped: number }; results: ReportCheck[] };
  drift?: {
    reference: string;
    rows: { train: number; reference: number };
    metric: string;
    features: Array<{ feature: string; drift: number; shareReference: number; impact: number; quadrant: string }>;
    performance?: Record<string, { train: number; reference: number }>;
  };
  timeline?: { provider: string; features: string[]; points: Array<{ name: string; hash?: string; metrics: ReportMetric[]; shares: number[]; perRowMean: number[]; rows: number; suspects: number | null; ok: boolean | null }> };
  /** Set when the aggregates carry differential-privacy noise (privacy.ts). */
  privacy?: { mechanism: 'laplace' | 'gaussian'; epsilon: number; delta?: number; queries: number; statement: string; withheld: string[] };
}

export interface ReportOptions {
  /** The checkpoint reported (default: latest ready). */
  checkpoint?: CheckpointInfo;
  /** What it is compared with (default: the previous ready checkpoint of the same run). */
  against?: Side;
  checks?: boolean;
  drift?: boolean;
  timeline?: boolean;
  signal?: AbortSignal;
}

export async function buildReport(project: Project, options: ReportOptions = {}): Promise<ReportData> {
  const checkpoint = options.checkpoint ?? project.latestCheckpoint();
  const ready = project.checkpoints().filter((c) => c.state === 'ready');
  const at = ready.findIndex((c) => c.dir === checkpoint.dir);
  const against = options.against ?? (at > 0 ? { project, checkpoint: ready[at - 1]! } : undefined);
  const flags = { checks: options.checks !== false, drift: options.drift !== false, ...(options.signal ? { signal: options.signal } : {}) };
  let comparison: Comparison | undefined;
  let latest: Evaluation;
  if (against) {
    comparison = await compare(against, { project, checkpoint }, flags);
    latest = comparison.b;
  } else {
    latest = await evaluate({ project, checkpoint }, flags);
  }
  let timeline: Timeline | undefined;
  if (options.timeline !== false && ready.length > 1) timeline = await runTimeline(project, { checks: false, ...(options.signal ? { signal: options.signal } : {}) });
  return toReportData(path.basename(project.root), latest, comparison, timeline);
}

/** Selection and redaction only: the pure part of `buildReport` (tests feed it directly). */
export function toReportData(title: string, latest: Evaluation, comparison?: Comparison, timeline?: Timeline): ReportData {
  const data: ReportData = {
    title,
    generated: new Date().toISOString(),
    task: latest.task,
    classes: latest.classes,
    latest: checkpointOf(latest),
  };
  if (comparison) {
    data.previous = checkpointOf(comparison.a);
    const f = comparison.flipped;
    data.comparison = {
      changed: comparison.changed,
      metrics: comparison.metrics,
      ranks: comparison.ranks,
      agreement: comparison.agreement,
      disagreement: comparison.disagreement,
      flipped: { rows: f.rows, of: f.of, file: base(f.file), methodA: f.methodA, methodB: f.methodB, listed: f.listed.slice(0, MAX_ROWS).map(({ file: _file, ...row }) => row) },
      checks: comparison.checks.map((c) => ({ ...c, summaryA: scrubPaths(c.summaryA), summaryB: scrubPaths(c.summaryB) })),
      drift: comparison.drift,
    };
  }
  if (latest.checks) {
    data.checks = {
      ok: latest.checks.ok,
      summary: latest.checks.summary,
      results: latest.checks.results.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        severity: r.severity,
        summary: scrubPaths(r.summary),
        findings: r.findings.map((x) => ({
          message: scrubPaths(x.message),
          metric: x.metric,
          measured: x.measured,
          limit: x.limit,
          ...(x.subject !== undefined ? { subject: scrubPaths(x.subject) } : {}),
          rows: x.evidence.slice(0, MAX_ROWS).map((e) => ({ file: base(e.file), row: e.row, line: e.line })),
        })),
      })),
    };
  }
  if (latest.drift) {
    const d = latest.drift;
    const perf = d.prediction.performance;
    data.drift = {
      reference: base(d.reference),
      rows: d.rows,
      metric: d.metric,
      features: d.features.map((x) => ({ feature: x.feature, drift: x.drift, shareReference: x.importance.reference, impact: x.impact.reference, quadrant: x.quadrant })),
      ...(perf ? { performance: Object.fromEntries(Object.keys(perf.change).map((k) => [k, { train: perf.train[k as 'accuracy']!, reference: perf.reference[k as 'accuracy']! }])) } : {}),
    };
  }
  if (timeline) {
    data.timeline = {
      provider: timeline.provider,
      features: timeline.features,
      points: timeline.points.slice(-MAX_POINTS).map((p) => ({
        name: p.checkpoint.name,
        ...(p.checkpoint.hash ? { hash: p.checkpoint.hash } : {}),
        metrics: p.metrics.map(metricOf),
        shares: p.shares,
        perRowMean: p.perRowMean,
        rows: p.rows,
        suspects: p.suspects.count,
        ok: p.ok,
      })),
    };
  }
  return data;
}

function checkpointOf(e: Evaluation): ReportCheckpoint {
  return {
    name: e.checkpoint.name,
    ...(e.checkpoint.hash ? { hash: e.checkpoint.hash } : {}),
    metrics: e.metrics.map(metricOf),
    importance: { provider: e.importance.provider, file: base(e.importance.file), rows: e.importance.rows.length, features: e.importance.features, shares: e.importance.shares },
    perRowMean: perRowMean(e.importance.local, e.importance.rows.length, e.importance.features.length),
  };
}

function metricOf(m: Evaluation['metrics'][number]): ReportMetric {
  const out: ReportMetric = { data: m.role, file: base(m.file), rows: m.n };
  for (const k of ['accuracy', 'logLoss', 'rmse', 'mae'] as const) if (m[k] !== undefined) out[k] = m[k];
  return out;
}

function base(file: string): string {
  return path.basename(file);
}

/** Paths in check messages become base names: a shared report does not reveal the author's folders. */
export function scrubPaths(text: string): string {
  return text.replace(/(?:[A-Za-z]:)?(?:[^\s'"():,]*[\\/])+([^\s\\/'"():,]+)/g, '$1');
}
