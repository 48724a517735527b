/**
 * The analysis daemon, editor-free: discovers projects in the workspace folders, watches them (or
 * is told about changes), schedules analysis steps on a worker thread, keeps the results shown and
 * stored, and answers hover and panel queries from them. The LSP layer (../lsp) only converts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE } from '../core/config/config';
import { GlassboxError, echo } from '../core/errors';
import { DEFAULT_SUSPECT_DIAGNOSTICS, ProjectState } from './project-state';
import { dashboardState, checkResults, statusLine } from './dashboard';
import type { CompareResult } from './steps/compare';
import type { ReportResult } from './steps/report';
import type { CheckResult, DashboardParams, DashboardState } from '../protocol/panels';
import type { GlassboxSettings } from '../protocol/settings';
import { Scheduler, type Job } from './scheduler';
import { ResultsStore } from './store';
import { OwnWatcher } from './watcher';
import { StreamEndpoint } from './stream';
import { WorkerHost, type EngineStatus } from './worker-host';
import { cellIndexAt, splitCells } from './csv-cells';
import { headerHover, pendingRowHover, rowHover, rowOfLine, staleNote } from './hover';
import type { ImportanceResult } from './steps/importance';
import type { RowExplanation } from './steps/explain-row';
import type { PlainDiagnostic } from './types';
import type { Health, ServerStatusParams } from '../protocol';

/**
 * How long a data-row hover waits for what is being computed (its row explanation, or the first
 * predictions) before answering with the rest marked pending. The goal is hover p99 < 50 ms while
 * analysis runs (issue 18); a warm KernelSHAP row explanation measured 26-45 ms on the worker under
 * load and a cold one ~300 ms, so a 200 ms budget made every first hover of a row the p99 (216 ms).
 * 25 ms leaves the main thread's own work and the LSP round trip inside the goal; an explanation
 * that misses it is shown by the next hover of that row (results are kept per row).
 */
export const HOVER_BUDGET_MS = 25;

export interface DaemonOptions {
  /** The bundled worker (dist/server/worker.js). */
  workerScript: string;
  /** Force a tensor backend in the worker (tests). */
  backend?: string;
  /** Watch files ourselves (the client sends no file events). */
  ownWatcher: boolean;
  /** Gap between the two observations that make a checkpoint stable. */
  stableDelayMs?: number;
  /** How long a hover waits for a row explanation before answering without it. */
  hoverWaitMs?: number;
  /** Delay before a changed store is written back. */
  flushMs?: number;
  /** Open the WebSocket endpoint for training processes (default true). */
  stream?: boolean;
  /** Suspect-row diagnostics per training CSV (default DEFAULT_SUSPECT_DIAGNOSTICS). */
  suspectRows?: number;
  /** Attribution method of row explanations when a request names none (default: the model's). */
  explainMethod?: string;
  /** First delay before a failed store write is tried again (default 5 s). */
  storeRetryMs?: number;
}

/** The daemon's status is exactly what it sends the client (`glassbox/serverStatus`). */
export type DaemonStatus = ServerStatusParams;

export interface DaemonEvents {
  status(s: DaemonStatus): void;
  /** Every file's diagnostics, complete each time (files missing from the map have none). */
  diagnostics(byFile: Map<string, PlainDiagnostic[]>): void;
  jobStarted(job: Job): void;
  jobProgress(job: Job, fraction: number, message?: string): void;
  jobEnded(job: Job, outcome: 'done' | 'failed' | 'cancelled'): void;
  /** A project's side panel state changed (a checkpoint appeared, a step finished); `state.project` says which. */
  dashboard?(state: DashboardState): void;
  /** One line for the daemon's log: a fault it survived (a peer's bad frame, a watcher error). */
  log?(message: string): void;
}

export class Daemon {
  readonly host: WorkerHost;
  private readonly scheduler: Scheduler;
  private readonly projects = new Map<string, ProjectState>();
  /** Each project's streaming endpoint, which also serves its read-only browser dashboard. */
  private readonly streams: Array<{ endpoint: StreamEndpoint; project: ProjectState }> = [];
  private watcher: OwnWatcher | undefined;
  private engine: EngineStatus = {};
  private pending: NodeJS.Timeout | undefined;
  private changedTimer: NodeJS.Timeout | undefined;
  private lastStatus = '';
  /** The last side panel state sent, per project (glassbox.json path). */
  private readonly lastDashboard = new Map<string, string>();
  /**
   * Client settings in force (initializationOptions, then workspace/didChangeConfiguration). One
   * object, changed in place: every project reads its limits from it, so a change applies at once.
   */
  private readonly settings: { suspectRows: number; explainMethod: string | undefined };
  private disposed = false;
  /** The workspace folders; a glassbox.json at the root of one is a project. */
  private folders: string[] = [];
  /** Serialises opening and closing projects (file events arrive in bursts). */
  private syncing: Promise<void> = Promise.resolve();
  private pendingSync = false;
  /** The last progress shown in the status, in tenths (status updates stay few). */
  private lastTenth = -1;

  constructor(
    private readonly events: DaemonEvents,
    private readonly options: DaemonOptions,
  ) {
    this.settings = { suspectRows: options.suspectRows ?? DEFAULT_SUSPECT_DIAGNOSTICS, explainMethod: options.explainMethod };
    this.host = new WorkerHost(options.workerScript, (e) => {
      this.engine = e;
      this.emitStatus();
    }, options.backend ? { backend: options.backend } : {});
    this.host.warm();
    this.scheduler = new Scheduler(this.host, {
      started: (job) => {
        events.jobStarted(job);
        this.lastTenth = 0;
        this.emitStatus();
        if (events.dashboard) this.changed();
      },
      progress: (job, f, m) => {
        events.jobProgress(job, f, m);
        const tenth = Math.floor(f * 10);
        if (tenth !== this.lastTenth) {
          this.lastTenth = tenth;
          this.emitStatus();
          if (events.dashboard) this.changed();
        }
      },
      ended: (job, outcome) => events.jobEnded(job, outcome),
      busy: () => this.emitStatus(),
    });
  }

  /** Opens the projects of these workspace folders (a glassbox.json at the folder root). */
  async setFolders(folders: string[]): Promise<void> {
    this.folders = folders.map((f) => path.resolve(f));
    await this.syncProjects();
  }

  /**
   * Opens the project of every folder that has a glassbox.json and closes those whose file is gone
   * (created or deleted while running, e.g. by "Create glassbox.json"), then re-reads them all.
   */
  private syncProjects(): Promise<void> {
    const work = this.syncing.then(async () => {
      if (this.disposed) return;
      let changed = false;
      for (const folder of this.folders) {
        const configFile = path.join(folder, CONFIG_FILE);
        if (this.projects.has(configFile) || !fs.existsSync(configFile)) continue;
        changed = true;
        // One folder's fault (an unreadable store, a busy port) never keeps the others from loading.
        try {
          await this.open(configFile);
        } catch (e) {
          this.log(`Glassbox: could not open ${configFile}: ${(e as Error)?.stack ?? String(e)}`);
        }
      }
      for (const [configFile, p] of [...this.projects]) {
        if (fs.existsSync(configFile)) continue;
        changed = true;
        await this.close(configFile, p);
      }
      if (this.options.ownWatcher && (changed || !this.watcher)) await this.watch();
      for (const p of this.projects.values()) p.refresh();
      this.changed();
    });
    this.syncing = work.catch((e: unknown) => this.log(`Glassbox: opening projects failed: ${(e as Error)?.stack ?? String(e)}`));
    return work;
  }

  /** Our own watcher: every workspace folder (so a new glassbox.json is seen) and every project's checkpoints and data. */
  private async watch(): Promise<void> {
    await this.watcher?.close();
    if (this.disposed) return;
    const paths = [...new Set([...this.folders, ...[...this.projects.values()].flatMap((p) => [p.root, ...(p.config ? [p.config.checkpoints, ...p.dataFiles()] : [])])])];
    this.watcher = new OwnWatcher(paths, (f) => this.filesChanged([f]), (e) => this.log(`Glassbox file watcher: ${e.message} (watching goes on)`));
    await this.watcher.ready();
  }

  private async close(configFile: string, p: ProjectState): Promise<void> {
    this.projects.delete(configFile);
    this.scheduler.cancelWhere((job) => job.configFile === configFile);
    const i = this.streams.findIndex((s) => s.project === p);
    if (i >= 0) await this.streams.splice(i, 1)[0]!.endpoint.close();
    p.dispose();
  }

  private async open(configFile: string): Promise<void> {
    const store = await ResultsStore.open(path.dirname(configFile), {
      ...(this.options.flushMs !== undefined ? { flushMs: this.options.flushMs } : {}),
      ...(this.options.storeRetryMs !== undefined ? { retryMs: this.options.storeRetryMs } : {}),
      onProblem: (problem) => {
        if (problem) this.log(problem);
        this.changed();
      },
    });
    if (store.rebuiltBecause) this.log(`Glassbox: ${store.rebuiltBecause}`);
    const state = new ProjectState(configFile, store, this.scheduler, { changed: () => this.changed(), guard: (work) => this.guard('re-reading the checkpoints', work) }, this.options.stableDelayMs ?? 500, this.settings);
    this.projects.set(configFile, state);
    if (this.options.stream === false) return;
    try {
      const endpoint = await StreamEndpoint.start(
        state.root,
        (m) => {
          if (m.type === 'metrics') state.store.addMetrics(m.step, m.values);
          else state.refresh();
        },
        { log: (m) => this.log(m) },
      );
      endpoint.dashboard.setSource({
        getDashboard: async (params) => this.dashboardOf(state, params?.checkpoint),
        getReport: (format) => this.exportReport(format, state.configFile),
      });
      this.streams.push({ endpoint, project: state });
    } catch (e) {
      const why = (e as Error)?.message ?? String(e);
      // A refused .glassbox is already the store's diagnostic, which says the endpoint is off.
      if (why !== state.store.problem) state.endpointProblem = `the training endpoint is off: ${why}`;
      this.log(`Glassbox: the training endpoint is off: ${why}`);
    }
  }

  private log(message: string): void {
    this.events.log?.(message);
  }

  /** The editor's unsaved text of a glassbox.json (undefined when closed): diagnostics as you type. */
  configEdited(file: string, text: string | undefined): void {
    this.projects.get(path.resolve(file))?.setEditedText(text);
  }

  get projectList(): ProjectState[] {
    return [...this.projects.values()];
  }

  /**
   * Applies client settings now, no restart: suspect-row diagnostics are republished with the new
   * count, the explain method is the default of the next row explanations. The settings are
   * replaced whole (each change carries all of them): an absent one is back to its default.
   */
  applySettings(s: GlassboxSettings): void {
    this.settings.suspectRows = s.suspectRows ?? this.options.suspectRows ?? DEFAULT_SUSPECT_DIAGNOSTICS;
    this.settings.explainMethod = s.explainMethod ?? this.options.explainMethod;
    this.changed();
  }

  /**
   * The project a request is about: the one `name` names (its glassbox.json path, its folder, or
   * the folder's name), else the one `file` belongs to, else the only one. Several and none named
   * is an error listing them: a panel never shows one project's numbers under another's name.
   */
  project(name?: string, file?: string): ProjectState {
    const all = this.projectList;
    const list = () => all.map((p) => p.configFile).join(', ');
    if (name !== undefined && name !== '') {
      const abs = path.resolve(name);
      const exact = this.projects.get(abs) ?? all.find((p) => p.root === abs);
      const byName = exact ? [exact] : all.filter((p) => path.basename(p.root) === name);
      if (byName.length === 1) return byName[0]!;
      if (byName.length > 1) throw new GlassboxError('usage', `'${echo(name)}' names ${byName.length} Glassbox projects (${byName.map((p) => p.configFile).join(', ')}): name one by its glassbox.json path`);
      throw new GlassboxError('usage', all.length ? `no Glassbox project '${echo(name)}' in this workspace (projects: ${list()})` : `no Glassbox project '${echo(name)}': this workspace has no glassbox.json`);
    }
    const owner = file !== undefined ? this.projectOf(file) : undefined;
    if (owner) return owner;
    if (all.length === 1) return all[0]!;
    if (all.length === 0) throw new GlassboxError('usage', 'no Glassbox project in this workspace: add a glassbox.json at the root of a workspace folder (Glassbox: Create glassbox.json)');
    throw new GlassboxError('usage', `${all.length} Glassbox projects in this workspace (${list()}): name one with 'project'`);
  }

  /**
   * Files changed on disk (from the client's watcher or ours): re-examine shortly, once. A
   * glassbox.json appearing or disappearing (or a folder, which may hold one) opens or closes its
   * project; everything else re-reads the projects (new data files and checkpoint folders included).
   */
  filesChanged(files: string[]): void {
    if (this.disposed) return;
    const configs = files.some((f) => path.basename(f) === CONFIG_FILE && this.folders.includes(path.dirname(path.resolve(f))));
    const missing = [...this.projects.keys()].some((c) => !fs.existsSync(c));
    this.pendingSync ||= configs || missing || this.folders.some((f) => !this.projects.has(path.join(f, CONFIG_FILE)) && fs.existsSync(path.join(f, CONFIG_FILE)));
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.guard('re-reading the project', () => {
      if (this.pendingSync) {
        this.pendingSync = false;
        void this.syncProjects();
        return;
      }
      for (const p of this.projects.values()) p.refresh();
    }), 30);
  }

  /** Re-runs every scheduled step for the newest checkpoint, ignoring stored results' freshness. */
  analyze(): void {
    for (const p of this.projects.values()) p.refresh(true);
  }

  /** The project a file belongs to: the one naming it as data, else the innermost whose folder holds it. */
  projectOf(file: string): ProjectState | undefined {
    const abs = path.resolve(file);
    const all = this.projectList;
    const under = all.filter((p) => abs.startsWith(p.root + path.sep)).sort((a, b) => b.root.length - a.root.length);
    return all.find((p) => p.dataFiles().includes(abs)) ?? under[0];
  }

  /** Markdown for a hover at 0-based (line, character) of a CSV file, or undefined. */
  async hoverCsv(file: string, line: number, character: number, lineText: string, headerText: string): Promise<string | undefined> {
    const p = this.projectOf(file);
    if (!p?.config || !p.dataFiles().includes(path.resolve(file))) return undefined;
    if (line === 0) {
      const feature = splitCells(headerText)[cellIndexAt(lineText, character)];
      if (!feature) return undefined;
      const importance = p.shown.get('importance');
      // The current run only: a retrain's checkpoints never extend the old run's trend.
      const trend = p
        .runHistory('importance')
        .filter((h) => h.value.features.includes(feature))
        .map((h) => ({ name: h.checkpoint.name, share: h.value.share[h.value.features.indexOf(feature)]! }));
      const role = feature === p.config.raw.label ? 'the label' : 'ignored by the encoding';
      return headerHover(feature, importance, trend, role, p.shown.get('drift')) + staleNote(p.latest, importance?.checkpoint);
    }
    // One budget for the whole hover: what arrives within it is shown, the rest is marked pending.
    const deadline = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), this.options.hoverWaitMs ?? HOVER_BUDGET_MS));
    const abs = path.resolve(file);
    const filePredictions = () => {
      const shown = p.shown.get('predictions');
      const fp = shown?.value.files.find((f) => f.file === abs);
      return shown && fp ? { shown, fp } : undefined;
    };
    let known = filePredictions();
    if (!known && p.analysed) {
      await Promise.race([p.whenShown('predictions'), deadline]);
      known = filePredictions();
    }
    if (!known) return pendingRowHover(line, p.analysed ? { checkpoint: p.analysed.name } : {});
    const { shown: predictions, fp } = known;
    const row = rowOfLine(fp, line + 1);
    if (row < 0) return undefined;
    // The worker runs one job at a time: while a scheduled step or an explicit request runs, this
    // row's explanation cannot arrive within the budget, so the hover waits only for one already
    // computed (settled before the next turn of the event loop) and answers with it pending.
    const running = this.scheduler.current()?.job;
    const canArrive = !running || running.hover === true;
    const explain = p.explainRow(file, line + 1, { hover: true, ...(this.settings.explainMethod ? { method: this.settings.explainMethod } : {}) }).catch(() => undefined) as Promise<RowExplanation | undefined>;
    const explanation = await Promise.race([explain, canArrive ? deadline : new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
    const inf = p.shown.get('influence');
    const rank = inf && inf.value.file === abs ? inf.value.selfInfluenceRank[row] : undefined;
    const influencePending = !inf && p.dataFiles()[0] === abs;
    const text = rowHover(predictions, fp, row, explanation, rank !== undefined ? { selfInfluenceRank: rank, n: inf!.value.n, checkpoint: inf!.checkpoint.name, score: inf!.value.score } : undefined, 5, influencePending);
    return text + staleNote(p.latest, predictions.checkpoint);
  }

  /**
   * The Explain panel's state for the row at a 1-based line (influential rows unless told not to);
   * the method: the request's, else the `explainMethod` setting, else the model's default.
   */
  async explainRow(file: string, line: number, options: { method?: string; influence?: boolean; checkpoint?: string; project?: string } = {}): Promise<RowExplanation> {
    const p = this.project(options.project, file);
    const method = options.method ?? this.settings.explainMethod;
    return p.explainRow(file, line, { ...(options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {}), ...(method ? { method } : {}), influence: options.influence ?? true });
  }

  /**
   * A project's side panel state, from the results shown and stored; `checkpoint` picks whose
   * results every section shows. No project in the workspace: an empty state saying so.
   */
  dashboard(params: DashboardParams = {}): DashboardState {
    if (this.projects.size === 0 && !params.project) return { projects: [], status: 'no glassbox.json in the workspace folders', checkpoints: [] };
    return this.dashboardOf(this.project(params.project), params.checkpoint);
  }

  private dashboardOf(p: ProjectState, checkpoint?: string): DashboardState {
    return dashboardState(p, this.scheduler, { projects: [...this.projects.keys()], ...(checkpoint !== undefined ? { checkpoint } : {}) });
  }

  /** Compares two ready checkpoints (default: the two newest of the current run). */
  async compare(a?: string, b?: string, project?: string): Promise<CompareResult> {
    const p = this.project(project);
    const ready = p.runs.current(p.series).filter((c) => c.state === 'ready' && c.hash);
    const pick = (name: string | undefined, fallback: number) => {
      const c = name === undefined ? ready[ready.length - fallback] : p.checkpointNamed(name);
      if (!c) throw new Error(name === undefined ? 'comparing needs two ready checkpoints' : `no ready checkpoint named '${name}'`);
      return c;
    };
    const ca = pick(a, 2);
    const cb = pick(b, 1);
    return p.onDemand('compare', { other: cb }, ca.name);
  }

  /** The shareable report (HTML or Markdown) of the newest ready checkpoint against the one before. */
  async exportReport(format: 'html' | 'md' = 'html', project?: string): Promise<ReportResult> {
    const p = this.project(project);
    const ready = p.series.filter((c) => c.state === 'ready' && c.hash);
    const latest = ready[ready.length - 1];
    if (!latest) throw new Error('no ready checkpoint to report on yet');
    return (await p.onDemand('report', { format }, latest.name)) as ReportResult;
  }

  /** Runs the model checks again now on the analysed checkpoint (findings become diagnostics too). */
  async runChecks(signal?: AbortSignal, project?: string): Promise<CheckResult[]> {
    const p = this.project(project);
    return checkResults(await p.rerun('checks', signal));
  }

  /** The project's global importance shown now (null before any). */
  importance(project?: string): { project: string; checkpoint: string; value: ImportanceResult } | null {
    if (this.projects.size === 0 && !project) return null;
    const p = this.project(project);
    const s = p.shown.get('importance');
    // Results stored before the step recorded its file: it always explains training rows.
    return s ? { project: p.configFile, checkpoint: s.checkpoint.name, value: { ...s.value, file: s.value.file ?? p.config?.data.train ?? '' } } : null;
  }

  timeline(project?: string): Array<{ checkpoint: string; hash: string; order: number; metrics: Record<string, number>; importance: Record<string, number> | null }> {
    if (this.projects.size === 0 && !project) return [];
    const p = this.project(project);
    // The current run only (runs are never mixed in a trend).
    const imp = new Map(p.runHistory('importance').map((h) => [h.checkpoint.hash, h.value]));
    return p.store.checkpoints().filter((c) => p.runs.inCurrent(c.hash)).map((c) => {
      const v = imp.get(c.hash);
      return { checkpoint: c.name, hash: c.hash, order: c.order, metrics: c.metrics, importance: v ? Object.fromEntries(v.features.map((f, i) => [f, v.share[i]!])) : null };
    });
  }

  /** Coalesces bursts of changes into one diagnostics + status update. */
  private changed(): void {
    if (this.changedTimer || this.disposed) return;
    this.changedTimer = setTimeout(() => this.guard('publishing results', () => {
      this.changedTimer = undefined;
      const byFile = new Map<string, PlainDiagnostic[]>();
      for (const p of this.projects.values()) {
        for (const d of p.diagnostics()) {
          const list = byFile.get(d.file) ?? [];
          list.push(d);
          byFile.set(d.file, list);
        }
      }
      this.events.diagnostics(byFile);
      this.emitStatus();
      if (this.events.dashboard) {
        for (const [configFile, p] of this.projects) {
          const state = this.dashboardOf(p);
          const key = JSON.stringify(state);
          if (key === this.lastDashboard.get(configFile)) continue;
          this.lastDashboard.set(configFile, key);
          this.events.dashboard(state);
        }
        for (const configFile of this.lastDashboard.keys()) if (!this.projects.has(configFile)) this.lastDashboard.delete(configFile);
      }
      // Browser dashboards follow their own project live (the endpoint drops unchanged states).
      for (const { endpoint, project } of this.streams) endpoint.dashboard.publish(this.dashboardOf(project));
    }), 10);
  }

  /** Runs a timer's work: an unexpected error is logged, never an uncaught exception in the daemon. */
  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.log(`Glassbox: ${what} failed: ${(e as Error)?.stack ?? String(e)}`);
    }
  }

  status(): DaemonStatus {
    const ps = this.projectList;
    const busy = this.scheduler.busy;
    const configErr = ps.find((p) => p.shownConfigError);
    const storeErr = ps.find((p) => p.store.problem || p.scanError);
    const stepErr = ps.find((p) => p.stepErrors.size > 0);
    // Reopened: stored results are shown before the newest checkpoint is seen stable; they name it.
    const analysed = ps.find((p) => p.analysed)?.analysed ?? ps.map((p) => p.shown.get('importance')?.checkpoint).find((c) => c !== undefined);
    let health: Health = 'ok';
    let message: string;
    if (this.engine.error) {
      health = 'error';
      message = `Glassbox engine failed: ${this.engine.error}`;
    } else if (configErr) {
      health = 'error';
      message = `glassbox.json: ${configErr.shownConfigError!.message}`;
    } else if (stepErr) {
      health = 'warning';
      const [step, e] = [...stepErr.stepErrors][0]!;
      message = `${step} failed: ${e.message}`;
    } else if (storeErr) {
      health = 'warning';
      message = `Glassbox: ${storeErr.scanError ?? storeErr.store.problem}`;
    } else if (ps.length === 0) message = 'Glassbox: no glassbox.json in the workspace folders';
    else if (busy) {
      // The running checkpoint and step with its progress, what of it is ready, and what waits.
      const current = this.scheduler.current();
      const owner = current ? this.projects.get(current.job.configFile) : undefined;
      const queued = this.scheduler.queued().length;
      message = owner ? `Glassbox: ${statusLine(owner, this.scheduler).replace(/ · \d+ queued$/, '')}${queued ? ` · ${queued} queued` : ''}` : `Glassbox: analysing${queued ? ` · ${queued} queued` : ''}`;
    }
    else if (analysed) message = `Glassbox: ${analysed.name} analysed`;
    else message = 'Glassbox: waiting for a complete checkpoint';
    return {
      health,
      busy,
      message,
      ...(this.engine.backend ? { backend: this.engine.backend } : {}),
      ...(this.engine.notes?.length ? { backendNotes: this.engine.notes } : {}),
      ...(analysed ? { checkpoint: analysed.name } : {}),
    };
  }

  private emitStatus(): void {
    const s = this.status();
    const key = JSON.stringify(s);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.events.status(s);
  }

  /**
   * Stops everything, in an order that lets an analysis in flight end quietly: the worker first
   * (its job ends as cancelled), then the projects and their stores (a late result is dropped).
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.pending);
    clearTimeout(this.changedTimer);
    await this.watcher?.close();
    await Promise.all(this.streams.map((s) => s.endpoint.close()));
    await this.host.dispose();
    for (const p of this.projects.values()) p.dispose();
  }
}
