/**
 * One Glassbox project in the workspace (a folder with glassbox.json): its config, the checkpoint
 * series as last observed, which checkpoint is analysed, the results shown, and its store.
 *
 * Invariants: a config or data error never drops results already shown (they stay until a newer
 * result replaces them); a checkpoint is analysed only once it is `ready` and its fingerprint was
 * the same on two observations `stableDelayMs` apart; results are stored per (checkpoint content
 * hash, step, input key), the input key covering the config and data files the step depends on.
 * Every stable checkpoint of the current training run is analysed: the newest first (its results
 * are the ones shown), then the older ones in the background, cheap steps first across them, so
 * trends cover the whole run. Runs are told apart (runs.ts): only the current run is analysed, and
 * history and trends read only its checkpoints.
 * Nothing read from disk throws out of here: an unreadable config, checkpoint location or store
 * becomes a diagnostic and the project stays loaded. Unsaved edits of glassbox.json are checked
 * as typed (diagnostics only: analysis uses the saved file, which is what the worker reads).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { loadConfig, parseConfig, type Config } from '../core/config/config';
import { GlassboxError, isGlassboxError } from '../core/errors';
import { scanCheckpoints, type CheckpointInfo } from '../core/model/checkpoints';
import { rowAddressing } from '../core/data/format';
import { ResultsStore, type StoredCheckpoint } from './store';
import { LiteralIndex } from './literals';
import { RunTracker } from './runs';
import { scheduledSteps, stepInfo, ShownResults, type Shown, type StepId, type StepInfo, type StepResults } from './steps/catalog';
import type { StepOutput } from './steps/types';
import { JobError } from './worker-host';
import type { Scheduler } from './scheduler';
import type { WireError } from './worker-protocol';
import { diagnosticAt, type PlainDiagnostic } from './types';

export type { Shown };

/** Added to a step's priority for checkpoints older than the newest: they run after all of its steps. */
export const BACKGROUND_PRIORITY = 1000;

/** How many suspect rows get a diagnostic in the training CSV by default. */
export const DEFAULT_SUSPECT_DIAGNOSTICS = 20;

/** Read at every publish: the daemon passes its settings object, changed in place when the client's settings change. */
export interface ProjectLimits {
  /** Suspect-row diagnostics shown (the most suspect first); 0 shows only the summary. */
  suspectRows: number;
}

export interface ProjectEvents {
  changed(): void;
  /** Runs timer work, logging (not throwing) an unexpected error; absent: run it as is. */
  guard?(work: () => void): void;
}

export class ProjectState {
  config: Config | undefined;
  configError: GlassboxError | undefined;
  /** The newest stable checkpoint being (or having been) analysed. */
  analysed: CheckpointInfo | undefined;
  series: CheckpointInfo[] = [];
  /** Per step: the latest result, whichever checkpoint it came from. */
  readonly shown = new ShownResults();
  readonly stepErrors = new Map<string, WireError>();
  /** Failures of background steps (older checkpoints), by checkpoint hash then step: shown in the panel, never retried until the inputs change. */
  readonly backgroundErrors = new Map<string, Map<string, WireError>>();
  /** The training runs seen in the checkpoint location (kept in the store across restarts). */
  readonly runs: RunTracker;
  /** Why the checkpoint location could not be scanned (the last series stays in use). */
  scanError: string | undefined;
  /** Why the streaming endpoint is off for this project (set by the daemon). */
  endpointProblem: string | undefined;
  /** The text of glassbox.json as open in the editor, when it is open; and its error, if any. */
  private edited: { text: string; error: GlassboxError | undefined } | undefined;
  private rerunPending = false;
  private disposed = false;
  private readonly observed = new Map<string, string | undefined>();
  /** `hash|step|inputKey` known to be stored: spares the store a query per checkpoint and step on every refresh. */
  private readonly stored = new Set<string>();
  private readonly shownWaiters = new Map<StepId, Array<() => void>>();
  private readonly explained = new Map<string, Promise<StepOutput>>();
  /**
   * Run histories as last read, valid while `storeRevision` is unchanged. A header hover reads the
   * importance trend on every hover; reading it from the store (one query and one JSON parse per
   * checkpoint, plus the checkpoints' metrics) cost the main thread tens of ms under load.
   * Contract: every store write this project makes goes through `touchStore`.
   */
  private readonly histories = new Map<string, { revision: number; value: unknown }>();
  private storeRevision = 0;
  private recheck: NodeJS.Timeout | undefined;
  private configHash = '';
  private dataHash = '';
  readonly literals: LiteralIndex;

  constructor(
    readonly configFile: string,
    readonly store: ResultsStore,
    private readonly scheduler: Scheduler,
    private readonly events: ProjectEvents,
    private readonly stableDelayMs: number,
    private readonly limits: ProjectLimits = { suspectRows: DEFAULT_SUSPECT_DIAGNOSTICS },
  ) {
    this.runs = new RunTracker({ load: () => store.runRecords(), save: (r) => {
        this.touchStore();
        store.putRun(r);
      },
    });
    this.literals = new LiteralIndex(this.root, () => [this.configFile], () => (this.config ? [this.config.checkpoints] : []));
    this.restore();
  }

  get root(): string {
    return path.dirname(this.configFile);
  }

  get projectVersion(): string {
    return `${this.configHash}:${this.dataHash}`;
  }

  /** Shows what the store holds for the newest checkpoint on disk, before any analysis runs. */
  private restore(): void {
    this.loadConfig();
    if (!this.config) return;
    const series = this.scan();
    this.runs.observe(series);
    const ready = this.runs.current(series).filter((c) => c.state === 'ready' && c.hash);
    for (const c of ready.reverse()) {
      for (const step of scheduledSteps()) {
        if (this.shown.has(step.id)) continue;
        const hit = this.store.get(c.hash!, step.id, this.inputKey(step));
        if (hit) this.shown.set(step.id, { checkpoint: { name: c.name, hash: c.hash! }, value: hit.value });
      }
    }
  }

  private loadConfig(): void {
    let text = '';
    try {
      // A FIFO or device in place of glassbox.json would block here: regular files only.
      if (!fs.statSync(this.configFile).isFile()) {
        this.configError = new GlassboxError('config', 'glassbox.json is not a regular file', { file: this.configFile });
        return;
      }
      text = fs.readFileSync(this.configFile, 'utf8');
    } catch {
      /* loadConfig reports the missing file */
    }
    try {
      this.config = loadConfig(this.configFile);
      this.configError = undefined;
    } catch (e) {
      // Keep the last good config and its input keys: results and on-demand work go on with them.
      this.configError = isGlassboxError(e) ? e : new GlassboxError('config', `glassbox.json cannot be read: ${(e as Error)?.message ?? String(e)}`, { file: this.configFile });
      return;
    }
    this.configHash = hash(text);
    const files = this.config ? [...new Set(Object.values(this.config.data))] : [];
    this.dataHash = hash(files.map((f) => `${f}:${statKey(f)}`).join('|'));
  }

  /** The checkpoint series on disk; a location that cannot be read keeps the last series. */
  private scan(): CheckpointInfo[] {
    if (!this.config) return [];
    try {
      const series = scanCheckpoints(this.config.checkpoints);
      this.scanError = undefined;
      return series;
    } catch (e) {
      this.scanError = `the checkpoints at ${path.relative(this.root, this.config.checkpoints) || '.'} cannot be read: ${(e as Error)?.message ?? String(e)}`;
      return this.series;
    }
  }

  /**
   * The editor's text of glassbox.json (undefined: closed, the file on disk counts again). Checked
   * at once, so errors show while typing; the saved file stays the one analysed.
   */
  setEditedText(text: string | undefined): void {
    if (text === undefined) this.edited = undefined;
    else {
      let error: GlassboxError | undefined;
      try {
        parseConfig(text, this.configFile);
      } catch (e) {
        error = isGlassboxError(e) ? e : new GlassboxError('config', (e as Error)?.message ?? String(e), { file: this.configFile });
      }
      this.edited = { text, error };
    }
    this.events.changed();
  }

  /** The config error to show: the editor's text when it is open, else the saved file's. */
  get shownConfigError(): GlassboxError | undefined {
    return this.edited ? this.edited.error : this.configError;
  }

  inputKey(step: StepInfo): string {
    return [step.invalidatedBy.includes('config') ? this.configHash : '', step.invalidatedBy.includes('data') ? this.dataHash : ''].join(':');
  }

  /** Re-reads the config, data stamps and checkpoint series; schedules what became stale. */
  refresh(force = false): void {
    if (this.disposed) return;
    if (force) this.rerunPending = true;
    const before = this.projectVersion;
    this.loadConfig();
    if (!this.config) return this.events.changed();
    const inputsChanged = before !== this.projectVersion;
    if (inputsChanged) {
      this.explained.clear();
      this.stepErrors.clear();
      this.backgroundErrors.clear();
      this.stored.clear();
    }
    this.series = this.scan();
    this.runs.observe(this.series);
    const ready = this.runs.current(this.series).filter((c) => c.state === 'ready' && c.hash);
    // Every ready checkpoint must read the same twice `stableDelayMs` apart (a writer may be busy).
    const stable: CheckpointInfo[] = [];
    let unstable = false;
    for (const c of ready) {
      if (this.observed.has(c.dir) && this.observed.get(c.dir) === c.fingerprint) stable.push(c);
      else unstable = true;
      this.observed.set(c.dir, c.fingerprint);
    }
    const onDisk = new Set(this.series.map((c) => c.dir));
    for (const dir of this.observed.keys()) if (!onDisk.has(dir)) this.observed.delete(dir);
    if (unstable) {
      // Seen once: look again shortly; analysed only if nothing moved in between.
      clearTimeout(this.recheck);
      this.recheck = setTimeout(() => (this.events.guard ? this.events.guard(() => this.refresh()) : this.refresh()), this.stableDelayMs);
    }
    if (stable.length) {
      this.analyse(stable, { rerun: this.rerunPending, inputsChanged });
      this.rerunPending = false;
    }
    this.events.changed();
  }

  /** The newest ready checkpoint of the current run (stable or not): what "stale" is measured against. */
  get latest(): CheckpointInfo | undefined {
    const ready = this.runs.current(this.series).filter((c) => c.state === 'ready' && c.hash);
    return ready[ready.length - 1];
  }

  /**
   * Schedules the stable checkpoints of the current run (series order): the newest in the
   * foreground (step priorities; its results are shown), the others in the background. `rerun`:
   * run the newest's steps even when a result is stored (the analyze command).
   */
  private analyse(stable: CheckpointInfo[], how: { rerun: boolean; inputsChanged: boolean }): void {
    const newest = stable[stable.length - 1]!;
    const isNew = this.analysed?.hash !== newest.hash;
    if (isNew || how.rerun || how.inputsChanged) {
      this.analysed = newest;
      this.touchStore();
      this.store.noteCheckpoint(newest);
      for (const step of scheduledSteps()) this.schedule(step, newest, { rerun: how.rerun, background: false });
    }
    for (const c of stable.slice(0, -1).reverse()) {
      let queued = false;
      for (const step of scheduledSteps()) queued = this.schedule(step, c, { rerun: false, background: true }) || queued;
      if (queued) {
        this.touchStore();
        this.store.noteCheckpoint(c);
      }
    }
    // After submitting, so the queue never looks idle in between. Dropped: work for other inputs or
    // checkpoints no longer in the run; the newest's old foreground jobs when a newer one took over
    // (resubmitted above as background work under another key).
    const version = this.projectVersion;
    const wanted = new Set(stable.map((c) => c.hash));
    const ready = new Set(this.series.map((c) => c.hash).filter(Boolean));
    this.scheduler.cancelWhere(
      (job) =>
        job.configFile === this.configFile &&
        (job.projectVersion !== version || (job.onDemand ? !ready.has(job.checkpoint.hash) : !wanted.has(job.checkpoint.hash) || (!job.background && job.checkpoint.hash !== newest.hash))),
    );
  }

  /** Submits one scheduled step unless its result is stored (or failed in the background); true if submitted. */
  private schedule(step: StepInfo, c: CheckpointInfo, how: { rerun: boolean; background: boolean }): boolean {
    const hash = c.hash!;
    const key = this.inputKey(step);
    const id = `${hash}|${step.id}|${key}`;
    if (how.background && (this.stored.has(id) || this.backgroundErrors.get(hash)?.has(step.id))) return false;
    if (!how.rerun && (how.background ? this.store.has(hash, step.id, key) : true)) {
      const hit = how.background ? undefined : this.store.get(hash, step.id, key);
      if (how.background || hit) {
        this.stored.add(id);
        if (hit) {
          this.shown.set(step.id, { checkpoint: { name: c.name, hash }, value: hit.value });
          this.stepErrors.delete(step.id);
        }
        return false;
      }
    }
    this.run(step, c, {}, how.background).then(
      (value) => {
        if (this.disposed) return;
        this.touchStore();
        this.store.put(hash, step.id, key, value);
        this.stored.add(id);
        if (this.analysed?.hash === hash) {
          this.shown.set(step.id, { checkpoint: { name: c.name, hash }, value });
          this.stepErrors.delete(step.id);
          this.noteShown(step.id);
        }
        this.events.changed();
      },
      (e: unknown) => {
        if (this.disposed || (e instanceof JobError && e.cancelled)) return;
        if (this.analysed?.hash === hash) return this.failed(step.id, e);
        const errors = this.backgroundErrors.get(hash) ?? new Map<string, WireError>();
        errors.set(step.id, e instanceof JobError ? e.wire : { message: (e as Error)?.message ?? String(e) });
        this.backgroundErrors.set(hash, errors);
        this.events.changed();
      },
    );
    return true;
  }

  private jobKey(stepId: StepId, c: CheckpointInfo, params: Record<string, unknown>, background: boolean): string {
    return `${this.configFile}|${c.hash}|${stepId}|${this.projectVersion}|${JSON.stringify(params)}${background ? '|background' : ''}`;
  }

  private run<K extends StepId>(step: StepInfo<K>, c: CheckpointInfo, params: Record<string, unknown>, background = false, hover = false): Promise<StepResults[K]> {
    // The worker runs the runner of `step.id`, whose result type the catalog states. Background
    // work has its own key, so it never joins (and dies with) a cancelled foreground job.
    return this.scheduler.submit({
      key: this.jobKey(step.id, c, params, background),
      priority: background ? BACKGROUND_PRIORITY + step.priority : step.priority,
      title: `${step.title} (${c.name})`,
      step: step.id,
      configFile: this.configFile,
      projectVersion: this.projectVersion,
      checkpoint: c,
      params,
      ...(background ? { background: true } : {}),
      ...(step.onDemand ? { onDemand: true } : {}),
      ...(hover ? { hover: true } : {}),
    }) as Promise<StepResults[K]>;
  }

  private failed(stepId: string, e: unknown): void {
    if (this.disposed || (e instanceof JobError && e.cancelled)) return;
    this.stepErrors.set(stepId, e instanceof JobError ? e.wire : { message: (e as Error)?.message ?? String(e) });
    // A hover waiting for this step answers now (with the part marked pending) rather than at its deadline.
    this.noteShown(stepId as StepId);
    this.events.changed();
  }

  /**
   * Runs an on-demand step (explain a row, compare) for a checkpoint of the series (default: the
   * one whose results are shown); the same request while one is pending or done joins it.
   */
  onDemand<K extends StepId>(stepId: K, params: Record<string, unknown>, checkpoint?: string, signal?: AbortSignal, hover = false): Promise<StepResults[K]> {
    // Cancelled by the client: drop the job (queued or running) this request submitted.
    const cancel = () => this.scheduler.cancelWhere((j) => j.params === params);
    // Already cancelled: once the job below is submitted.
    if (signal?.aborted) queueMicrotask(cancel);
    else signal?.addEventListener('abort', cancel, { once: true });
    const c = checkpoint === undefined ? this.analysed : this.checkpointNamed(checkpoint);
    if (!c?.hash) return Promise.reject(new Error(checkpoint === undefined ? 'no checkpoint has been analysed yet' : `no ready checkpoint named '${checkpoint}'`));
    const step = stepInfo(stepId) as StepInfo<K>;
    const key = `${stepId}|${c.hash}|${this.projectVersion}|${JSON.stringify(params)}`;
    let p = this.explained.get(key) as Promise<StepResults[K]> | undefined;
    // Asked for explicitly while a hover's job of the same work is pending: joining it in the
    // scheduler makes it explicit, so the next hover does not supersede it.
    if (p && !hover && this.scheduler.has(this.jobKey(stepId, c, params, false))) void this.run(step, c, params);
    if (!p) {
      p = this.run(step, c, params, false, hover);
      p.catch(() => this.explained.delete(key));
      this.explained.set(key, p);
      // Bounded: hovering many rows must not grow memory without end.
      if (this.explained.size > 500) this.explained.delete(this.explained.keys().next().value!);
    }
    return p;
  }

  /**
   * Explains one data row (1-based line); `influence` adds the influential training rows. `hover`:
   * asked by a hover, so the next hover's request supersedes it while it is queued (scheduler.ts).
   */
  explainRow(file: string, line: number, options: { method?: string; influence?: boolean; checkpoint?: string; hover?: boolean } = {}): Promise<StepResults['explainRow']> {
    const params: Record<string, unknown> = { file: path.resolve(file), line };
    if (options.method) params.method = options.method;
    if (options.influence) params.influence = true;
    return this.onDemand('explainRow', params, options.checkpoint, undefined, options.hover ?? false);
  }

  checkpointNamed(name: string): CheckpointInfo | undefined {
    return this.series.find((c) => c.state === 'ready' && c.hash && c.name === name);
  }

  /** Runs a scheduled step again now for the analysed checkpoint, storing and showing its result. */
  async rerun<K extends StepId>(stepId: K, signal?: AbortSignal): Promise<StepResults[K]> {
    const c = this.analysed;
    if (!c?.hash) throw new Error('no checkpoint has been analysed yet');
    const step = stepInfo(stepId) as StepInfo<K>;
    const params = { rerun: Date.now() };
    const job = this.run(step, c, params);
    // Cancelled by the user (the notification's Cancel): drop this job, queued or running.
    const cancel = () => this.scheduler.cancelWhere((j) => j.params === params);
    signal?.addEventListener('abort', cancel, { once: true });
    const value = await job.finally(() => signal?.removeEventListener('abort', cancel));
    if (this.disposed) return value;
    this.touchStore();
    this.store.put(c.hash, step.id, this.inputKey(step), value);
    if (this.analysed?.hash === c.hash) this.shown.set(step.id, { checkpoint: { name: c.name, hash: c.hash }, value });
    this.stepErrors.delete(step.id);
    this.events.changed();
    return value;
  }

  /** Stored results of a step for the current run's checkpoints, in series order: the trend source. */
  runHistory<K extends StepId>(step: K): Array<{ checkpoint: StoredCheckpoint; value: StepResults[K] }> {
    type H = Array<{ checkpoint: StoredCheckpoint; value: StepResults[K] }>;
    const hit = this.histories.get(step);
    if (hit?.revision === this.storeRevision) return hit.value as H;
    const value: H = this.store.history<StepResults[K]>(step).filter((h) => this.runs.inCurrent(h.checkpoint.hash));
    this.histories.set(step, { revision: this.storeRevision, value });
    return value;
  }

  /** Marks the store as written (cached run histories are read again). */
  private touchStore(): void {
    this.storeRevision++;
  }

  /** Resolves when a result of `step` is next shown (a hover waits on it within its budget). */
  whenShown(step: StepId): Promise<void> {
    return new Promise((resolve) => {
      const list = this.shownWaiters.get(step) ?? [];
      list.push(resolve);
      this.shownWaiters.set(step, list);
    });
  }

  private noteShown(step: StepId): void {
    const list = this.shownWaiters.get(step);
    this.shownWaiters.delete(step);
    for (const resolve of list ?? []) resolve();
  }

  /** Whether every scheduled step has a stored result for this checkpoint content. */
  analysedFully(hash: string): boolean {
    return this.stepsReady(hash).length === this.stepsTotal;
  }

  /** The scheduled steps (ids, priority order) with a stored result for this checkpoint content and the current inputs. */
  stepsReady(hash: string): StepId[] {
    return scheduledSteps().filter((s) => this.stored.has(`${hash}|${s.id}|${this.inputKey(s)}`) || this.store.has(hash, s.id, this.inputKey(s))).map((s) => s.id);
  }

  /** How many steps run on every checkpoint. */
  get stepsTotal(): number {
    return scheduledSteps().length;
  }

  /** A step's stored result for a checkpoint content under the current inputs (a picked checkpoint's section). */
  storedResult<K extends StepId>(hash: string, step: K): StepResults[K] | undefined {
    return this.store.get(hash, step, this.inputKey(stepInfo(step)))?.value;
  }

  /** Data files of the project (absolute). */
  dataFiles(): string[] {
    return this.config ? [...new Set(Object.values(this.config.data))] : [];
  }

  diagnostics(): PlainDiagnostic[] {
    const out: PlainDiagnostic[] = [];
    // Problems of the project as a whole sit on glassbox.json's first key, never at 1:1 before it.
    const whole = this.configAnchor();
    const configError = this.shownConfigError;
    if (configError) {
      // A key missing from the top level is located at the opening brace (1:1): show it on the first key instead.
      const loc = configError.location;
      const atStart = loc?.line === undefined || (loc.line === 1 && (loc.column ?? 1) === 1 && !configError.message.startsWith('invalid JSON'));
      out.push(diagnosticAt(atStart ? whole : loc!, 'error', configError.message, configError.code));
    }
    const config = this.config;
    const located = config?.locate(['checkpoints', 'path']);
    const checkpointsKey = located && !(located.line === 1 && located.column === 1) ? located : whole;
    if (this.scanError) out.push(diagnosticAt(checkpointsKey, 'error', this.scanError, 'checkpoint'));
    if (this.store.problem) out.push(diagnosticAt(whole, 'warning', this.store.problem, 'store'));
    if (this.endpointProblem && this.endpointProblem !== this.store.problem) out.push(diagnosticAt(whole, 'warning', this.endpointProblem, 'stream'));
    if (config && !this.scanError && this.series.length === 0) {
      // The next step for a new project: where the first checkpoint is expected.
      const where = path.relative(this.root, config.checkpoints) || '.';
      const exists = fs.existsSync(config.checkpoints);
      out.push(
        diagnosticAt(
          checkpointsKey,
          'info',
          `${exists ? `no checkpoint in ${where} yet` : `${where} does not exist yet`}: next, train the model and save a checkpoint there (a TF.js model.json folder, model.onnx, an XGBoost or LightGBM model); Glassbox analyses each one as it lands`,
          'no-checkpoint',
        ),
      );
    }
    const analysedOrder = this.analysed?.order ?? -Infinity;
    for (const c of this.series) {
      if (c.state === 'invalid') out.push(diagnosticAt(checkpointsKey, 'warning', `checkpoint ${c.name} cannot be analysed: ${c.problem}`, 'checkpoint'));
      // Normal while a writer is busy; stays visible if training died mid-write.
      else if (c.state === 'incomplete' && c.order > analysedOrder) out.push(diagnosticAt(checkpointsKey, 'info', `checkpoint ${c.name} is not complete yet: ${c.problem}`, 'checkpoint-incomplete'));
    }
    // Steps failing for the same reason (a broken data file, a wrong model) make one diagnostic.
    const failures = new Map<string, { steps: string[]; e: WireError }>();
    for (const [stepId, e] of this.stepErrors) {
      const key = JSON.stringify([e.message, e.location]);
      const f = failures.get(key) ?? { steps: [], e };
      f.steps.push(stepInfo(stepId).title);
      failures.set(key, f);
    }
    // A binary data file (Parquet, Arrow) has no lines to show anything on: its errors and findings
    // go to the glassbox.json key naming it, and its suspect rows are listed by row index in the
    // panel and the CLI only.
    const binaryAt = (file: string | undefined) => (file && rowAddressing(file) === 'row' ? (config?.dataLocation(file) ?? whole) : undefined);
    for (const { steps, e } of failures.values()) {
      // A checkpoint file has no line to point at and is rarely open: report on the config's key.
      const inCheckpoints = e.location && config && e.location.line === undefined && path.resolve(e.location.file).startsWith(config.checkpoints + path.sep);
      const inBinary = binaryAt(e.location?.file);
      const where = inBinary ?? (!e.location || inCheckpoints ? checkpointsKey : e.location);
      const suffix = inCheckpoints || inBinary ? ` (${path.relative(this.root, e.location!.file)})` : '';
      out.push(diagnosticAt(where, 'error', `${steps.join(', ')} failed: ${e.message}${suffix}`, e.code));
    }
    const findings = [...this.shown.values()]
      .flatMap((s) => (s.value.findings ?? []).map((f) => ({ ...f, checkpoint: s.checkpoint.name })))
      .filter((f) => f.code !== 'suspect-row' || (f.rank ?? 0) <= this.limits.suspectRows);
    const byFeature = this.literals.find([...new Set(findings.map((f) => f.feature).filter((f): f is string => Boolean(f)))]);
    for (const f of findings) {
      const evidence = (f.related ?? []).filter((r) => !binaryAt(r.file)).map((r) => ({ file: r.file, line: Math.max(0, r.line - 1), message: r.message }));
      const inBinary = binaryAt(f.file);
      const related = [...(f.file && !inBinary ? [{ file: f.file, line: Math.max(0, (f.line ?? 1) - 1), message: 'evidence' }] : []), ...evidence];
      const code = f.code ?? 'finding';
      const at = inBinary ?? (f.file && f.line === undefined && path.resolve(f.file) === this.configFile ? whole : { file: f.file!, ...(f.line !== undefined ? { line: f.line } : {}) });
      if (f.file && !(inBinary && code === 'suspect-row')) out.push({ ...diagnosticAt(at, f.severity, f.message, code), ...(evidence.length ? { related: evidence } : {}) });
      for (const hit of f.feature ? byFeature.get(f.feature) ?? [] : []) {
        if (f.file && hit.file === f.file && hit.line === (f.line ?? 1) - 1) continue;
        out.push({ file: hit.file, line: hit.line, start: hit.start, end: hit.end, severity: f.severity, message: f.message, code, related });
      }
    }
    // The same finding from two steps (or twice in one) is shown once.
    const seen = new Set<string>();
    return out.filter((d) => {
      const key = JSON.stringify([d.file, d.line, d.start, d.message, d.code]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** glassbox.json's first property name (1-based), where project-wide problems are shown. */
  private configAnchor(): { file: string; line?: number; column?: number } {
    let text = this.edited?.text;
    if (text === undefined) {
      try {
        text = fs.statSync(this.configFile).isFile() ? fs.readFileSync(this.configFile, 'utf8') : '';
      } catch {
        text = '';
      }
    }
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /"[^"]*"\s*:/.test(l));
    if (line < 0) return { file: this.configFile };
    return { file: this.configFile, line: line + 1, column: lines[line]!.indexOf('"') + 1 };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.recheck);
    this.store.close();
  }
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function statKey(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
