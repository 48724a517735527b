/**
 * The side panel's state (protocol/panels.ts `DashboardState`) from what a project shows and
 * stores: the checkpoint timeline with metrics and each checkpoint's analysis state, global
 * importance (also per predicted class), drift and drift impact with the quadrant, suspect rows
 * and the checks summary. Pure reads: never starts an analysis.
 */
import * as path from 'node:path';
import type { ProjectState } from './project-state';
import type { Scheduler } from './scheduler';
import type { ChecksResult } from './steps/checks';
import type { AnalysisState, CheckResult, DashboardState } from '../protocol/panels';

export function dashboardState(p: ProjectState, scheduler: Scheduler): DashboardState {
  const running = new Set(scheduler.jobs().filter((j) => j.configFile === p.configFile).map((j) => j.checkpoint.hash));
  const metrics = new Map(p.store.checkpoints().map((c) => [c.hash, c.metrics]));
  const state: DashboardState = {
    project: path.basename(p.root),
    checkpoints: p.series.map((c) => {
      let analysis: AnalysisState = 'pending';
      let analysisMessage: string | undefined;
      if (c.hash && running.has(c.hash)) analysis = 'running';
      else if (c.hash && p.analysedFully(c)) analysis = 'done';
      else if (c.hash === p.analysed?.hash && p.stepErrors.size) {
        analysis = 'failed';
        analysisMessage = [...p.stepErrors].map(([step, e]) => `${step}: ${e.message}`).join('; ');
      }
      const m = { ...c.metrics, ...(c.hash ? metrics.get(c.hash) : {}) };
      return {
        name: c.name,
        state: c.state,
        ...(c.epoch !== undefined ? { epoch: c.epoch } : {}),
        ...(c.step !== undefined ? { step: c.step } : {}),
        ...(Object.keys(m).length ? { metrics: m } : {}),
        analysis,
        ...(analysisMessage ? { analysisMessage } : {}),
      };
    }),
  };
  const imp = p.shown.get('importance');
  if (imp) {
    const v = imp.value;
    const classes = (v.perClass ?? []).map((c) => c.label);
    state.importance = {
      checkpoint: imp.checkpoint.name,
      method: v.method,
      classes,
      features: v.features.map((feature, f) => ({
        feature,
        importance: v.meanAbs[f]!,
        ...(classes.length ? { perClass: v.perClass.map((c) => c.meanAbs[f]!) } : {}),
      })),
    };
  }
  const drift = p.shown.get('drift');
  if (drift) {
    state.drift = {
      checkpoint: drift.checkpoint.name,
      features: drift.value.features.map((f) => ({ feature: f.feature, importance: f.importance.reference, drift: f.drift, impact: f.impact.reference })),
    };
  }
  const inf = p.shown.get('influence');
  if (inf) {
    state.suspects = inf.value.suspects.map((s) => ({ file: inf.value.file, line: s.line, row: s.row, reason: s.reason, score: s.score, label: s.label }));
  }
  const checks = p.shown.get('checks');
  if (checks) state.checks = checkResults(checks.value);
  return state;
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
