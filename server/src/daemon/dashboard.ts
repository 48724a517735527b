/**
 * The side panel's state (protocol/panels.ts `DashboardState`) from what a project shows and
 * stores: the current run's checkpoint timeline with metrics and each checkpoint's analysis state
 * (queued only when in the queue; the running step with its progress), the previous run beside it,
 * where each section's numbers come from (checkpoint, run, stale), global
 * importance (also per predicted class), drift and drift impact with the quadrant, suspect rows
 * and the checks summary. Pure reads: never starts an analysis.
 */
import * as path from 'node:path';
import type { ProjectState } from './project-state';
import type { Job, Running, Scheduler } from './scheduler';
import type { ImportanceResult } from './steps/importance';
import type { ChecksResult } from './steps/checks';
import type { AnalysisState, CheckpointSummary, CheckResult, DashboardState, GlobalImportance, RunningStep } from '../protocol/panels';

export function dashboardState(p: ProjectState, scheduler: Scheduler): DashboardState {
  const current = scheduler.current();
  const mine = (j: Job) => j.configFile === p.configFile;
  const queued = new Set(scheduler.queued().filter(mine).map((j) => j.checkpoint.hash));
  const active = current && mine(current.job) ? current : undefined;
  const running = active ? runningStep(active) : undefined;
  const metrics = new Map(p.store.checkpoints().map((c) => [c.hash, c.metrics]));
  const run = p.runs.currentRun?.id;
  // The current run's checkpoints, and those not ready yet (no content, so no run either).
  const listed = p.series.filter((c) => !c.hash || c.state !== 'ready' || p.runs.inCurrent(c.hash));
  const summary = (c: { name: string; hash?: string; state: CheckpointSummary['state']; epoch?: number; step?: number; metrics?: Record<string, number> }): CheckpointSummary => {
    let analysis: AnalysisState = 'pending';
    let analysisMessage: string | undefined;
    const errors = c.hash ? (c.hash === p.analysed?.hash ? p.stepErrors : p.backgroundErrors.get(c.hash)) : undefined;
    if (c.hash && active?.job.checkpoint.hash === c.hash) analysis = 'running';
    else if (c.hash && queued.has(c.hash)) analysis = 'queued';
    else if (c.hash && p.analysedFully(c.hash)) analysis = 'done';
    else if (errors?.size) {
      analysis = 'failed';
      analysisMessage = [...errors].map(([step, e]) => `${step}: ${e.message}`).join('; ');
    }
    const m = { ...c.metrics, ...(c.hash ? metrics.get(c.hash) : {}) };
    const r = c.hash ? p.runs.runOfHash(c.hash) : undefined;
    return {
      name: c.name,
      state: c.state,
      ...(c.epoch !== undefined ? { epoch: c.epoch } : {}),
      ...(c.step !== undefined ? { step: c.step } : {}),
      ...(Object.keys(m).length ? { metrics: m } : {}),
      analysis,
      ...(analysisMessage ? { analysisMessage } : {}),
      ...(r ? { run: r } : {}),
      ...(running && analysis === 'running' ? { running } : {}),
    };
  };
  const state: DashboardState = {
    project: path.basename(p.root),
    checkpoints: listed.map(summary),
    ...(run ? { run } : {}),
    ...(running ? { running } : {}),
  };
  const previous = p.runs.previousRun;
  if (previous) {
    const stored = new Map(p.store.checkpoints().map((c) => [c.hash, c]));
    const prevImp = p.store.history('importance').filter((h) => p.runs.runOfHash(h.checkpoint.hash) === previous.id);
    const last = prevImp[prevImp.length - 1];
    state.previousRun = {
      run: previous.id,
      checkpoints: previous.checkpoints.map((c) => summary({ name: c.name, hash: c.hash, state: 'ready', ...(stored.has(c.hash) ? { metrics: stored.get(c.hash)!.metrics } : {}) })),
      ...(last ? { importance: globalImportance(last.checkpoint.name, last.value) } : {}),
    };
  }
  // Where each section's numbers come from; stale while a newer checkpoint of the run is analysed.
  const latest = p.latest?.hash;
  const provenance: NonNullable<DashboardState['provenance']> = {};
  for (const [section, step] of [['importance', 'importance'], ['drift', 'drift'], ['suspects', 'influence'], ['checks', 'checks']] as const) {
    const s = p.shown.get(step);
    if (s) provenance[section] = { checkpoint: s.checkpoint.name, run: p.runs.runOfHash(s.checkpoint.hash) ?? run ?? '', stale: latest !== undefined && s.checkpoint.hash !== latest };
  }
  if (Object.keys(provenance).length) state.provenance = provenance;
  const imp = p.shown.get('importance');
  if (imp) state.importance = globalImportance(imp.checkpoint.name, imp.value);
  const drift = p.shown.get('drift');
  if (drift) {
    state.drift = {
      checkpoint: drift.checkpoint.name,
      features: drift.value.features.map((f) => ({ feature: f.feature, importance: f.importance.reference, drift: f.drift, impact: f.impact.reference })),
    };
  }
  const inf = p.shown.get('influence');
  if (inf) {
    state.suspects = inf.value.suspects.map((s) => ({ file: inf.value.file, line: s.line, row: s.row, reason: s.reason, score: s.score, label: s.label, ...(s.predicted ? { predicted: s.predicted } : {}) }));
  }
  const checks = p.shown.get('checks');
  if (checks) state.checks = checkResults(checks.value);
  return state;
}

function globalImportance(checkpoint: string, v: ImportanceResult): GlobalImportance {
  const classes = (v.perClass ?? []).map((c) => c.label);
  return {
    checkpoint,
    method: v.method,
    classes,
    features: v.features.map((feature, f) => ({
      feature,
      importance: v.meanAbs[f]!,
      ...(classes.length ? { perClass: v.perClass.map((c) => c.meanAbs[f]!) } : {}),
    })),
  };
}

function runningStep(r: Running): RunningStep {
  return {
    checkpoint: r.job.checkpoint.name,
    step: r.job.step,
    title: r.job.title,
    fraction: r.fraction,
    ...(r.message !== undefined ? { message: r.message } : {}),
  };
}

/** The panels' check rows: a failed warning-severity check is `warn`. */
export function checkResults(r: ChecksResult): CheckResult[] {
  return r.results.map((c) => {
    const first = c.findings[0];
    const status = c.status === 'skip' ? 'skipped' : c.status === 'pass' ? 'pass' : c.severity === 'error' ? 'fail' : 'warn';
    return {
      id: c.id,
      title: c.title,
      status,
      message: first ? `${c.summary}: ${first.message} (${first.metric} measured ${+first.measured.toPrecision(4)}, limit ${+first.limit.toPrecision(4)})` : c.summary,
      ...(first?.file ? { file: first.file, ...(first.line !== undefined ? { line: first.line } : {}) } : {}),
    };
  });
}
