/**
 * The side panel's state (protocol/panels.ts `DashboardState`) from what a project shows and
 * stores: the current run's checkpoint timeline with metrics and each checkpoint's analysis state
 * (queued only when in the queue; the running step with its progress; which steps already have a
 * result), the previous run beside it, where each section's numbers come from (checkpoint, run,
 * stale), global importance (also per predicted class), drift and drift impact with the quadrant,
 * suspect rows and the checks summary, and one status line. A picked checkpoint (`checkpoint`)
 * makes every section read that checkpoint's stored results instead of the latest shown ones.
 * Pure reads: never starts an analysis.
 */
import * as path from 'node:path';
import { GlassboxError, echo } from '../core/errors';
import type { ProjectState } from './project-state';
import type { Job, Running, Scheduler } from './scheduler';
import type { ImportanceResult } from './steps/importance';
import type { ChecksResult } from './steps/checks';
import type { InfluenceResult } from './steps/influence';
import type { Shown, StepId, StepResults } from './steps/catalog';
import type { AnalysisState, CheckpointSummary, CheckResult, DashboardState, GlobalImportance, RunningStep, SuspectScoreKind } from '../protocol/panels';

export interface DashboardOptions {
  /** A ready (or stored) checkpoint's name: every section shows its stored results. */
  checkpoint?: string;
  /** Every project of the workspace (glassbox.json paths). */
  projects?: string[];
}

/** The sections and the step whose result each one shows. */
const SECTIONS = [['importance', 'importance'], ['drift', 'drift'], ['suspects', 'influence'], ['checks', 'checks']] as const;

export function dashboardState(p: ProjectState, scheduler: Scheduler, options: DashboardOptions = {}): DashboardState {
  const picked = options.checkpoint === undefined ? undefined : pickCheckpoint(p, options.checkpoint);
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
    const ready = c.hash ? p.stepsReady(c.hash) : [];
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
      stepsDone: ready.length,
      stepsTotal: p.stepsTotal,
      stepsReady: ready,
    };
  };
  const checkpoints = listed.map(summary);
  const state: DashboardState = {
    project: p.configFile,
    projectName: path.basename(p.root),
    projects: options.projects ?? [p.configFile],
    status: statusLine(p, scheduler),
    checkpoints,
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
      ...(last ? { importance: globalImportance(last.checkpoint.name, last.value, p.config?.data.train) } : {}),
    };
  }
  // Each section: the picked checkpoint's stored result, else the latest shown one.
  const section = <K extends StepId>(step: K): Shown<StepResults[K]> | undefined => {
    if (!picked) return p.shown.get(step);
    const hit = p.storedResult(picked.hash, step);
    return hit ? { checkpoint: picked, value: hit } : undefined;
  };
  const shownCheckpoint = picked?.name ?? p.analysed?.name;
  if (shownCheckpoint) state.checkpoint = shownCheckpoint;
  // Where each section's numbers come from; stale while a newer checkpoint of the run is analysed.
  const latest = p.latest?.hash;
  const provenance: NonNullable<DashboardState['provenance']> = {};
  for (const [name, step] of SECTIONS) {
    const s = section(step);
    if (s) provenance[name] = { checkpoint: s.checkpoint.name, run: p.runs.runOfHash(s.checkpoint.hash) ?? run ?? '', stale: latest !== undefined && s.checkpoint.hash !== latest };
  }
  if (Object.keys(provenance).length) state.provenance = provenance;
  const imp = section('importance');
  if (imp) state.importance = globalImportance(imp.checkpoint.name, imp.value, p.config?.data.train);
  const drift = section('drift');
  if (drift) {
    state.drift = {
      checkpoint: drift.checkpoint.name,
      features: drift.value.features.map((f) => ({ feature: f.feature, importance: f.importance.reference, drift: f.drift, impact: f.impact.reference })),
    };
  }
  const inf = section('influence');
  if (inf) {
    const scoreKind = scoreKindOf(inf.value);
    state.suspects = inf.value.suspects.map((s) => ({ file: inf.value.file, line: s.line, row: s.row, reason: s.reason, score: s.score, scoreKind, label: s.label, ...(s.predicted ? { predicted: s.predicted } : {}) }));
  }
  const checks = section('checks');
  if (checks) state.checks = checkResults(checks.value);
  return state;
}

/** The checkpoint a dashboard request picks: ready on disk (any run), else one the store remembers. */
function pickCheckpoint(p: ProjectState, name: string): { name: string; hash: string } {
  const onDisk = p.checkpointNamed(name);
  if (onDisk?.hash) return { name, hash: onDisk.hash };
  // Removed since (keep-last-k rotation) but analysed before: its results are still stored.
  const stored = p.store.checkpoints().filter((c) => c.name === name).pop();
  if (stored) return { name, hash: stored.hash };
  throw new GlassboxError('usage', `no ready checkpoint named '${echo(name)}' in ${path.basename(p.root)}`, { file: p.configFile });
}

function scoreKindOf(v: InfluenceResult): SuspectScoreKind {
  const kinds: readonly string[] = ['combined', 'self-influence', 'self-influence-last', 'aum', 'loss'];
  return kinds.includes(v.score) ? (v.score as SuspectScoreKind) : 'combined';
}

/**
 * One line on the project's analysis: the running checkpoint and step with its progress and the
 * steps of that checkpoint already done, e.g. `analysing epoch-5: influence (40%) — importance,
 * drift ready · 3 queued`; else `epoch-5 analysed` or what is still missing.
 */
export function statusLine(p: ProjectState, scheduler: Scheduler): string {
  const mine = (j: Job) => j.configFile === p.configFile;
  const current = scheduler.current();
  const queued = scheduler.queued().filter(mine).length;
  const more = queued ? ` · ${queued} queued` : '';
  if (current && mine(current.job)) {
    const c = current.job.checkpoint;
    const ready = c.hash ? p.stepsReady(c.hash).filter((s) => s !== current.job.step) : [];
    return `analysing ${c.name}: ${current.job.step} (${Math.round(current.fraction * 100)}%)${ready.length ? ` — ${ready.join(', ')} ready` : ''}${more}`;
  }
  if (queued) return `${queued} queued`;
  const shown = p.analysed ?? p.shown.get('importance')?.checkpoint;
  if (shown) return `${shown.name} analysed`;
  if (!p.config) return 'glassbox.json has an error';
  return 'waiting for a complete checkpoint';
}

/** `trainFile`: the file of results stored before the step recorded it (the step always explains training rows). */
function globalImportance(checkpoint: string, v: ImportanceResult, trainFile: string | undefined): GlobalImportance {
  const file = v.file ?? trainFile;
  const classes = (v.perClass ?? []).map((c) => c.label);
  return {
    checkpoint,
    method: v.method,
    rows: v.rows,
    ...(file ? { file } : {}),
    classes,
    features: v.features.map((feature, f) => ({
      feature,
      importance: v.meanAbs[f]!,
      share: v.share[f]!,
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
