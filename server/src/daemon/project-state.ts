/**
 * One Glassbox project in the workspace (a folder with glassbox.json): its config, the checkpoint
 * series as last observed, which checkpoint is analysed, the results shown, and its store.
 *
 * Invariants: a config or data error never drops results already shown (they stay until a newer
 * result replaces them); a checkpoint is analysed only once it is `ready` and its fingerprint was
 * the same on two observations `stableDelayMs` apart; results are stored per (checkpoint content
 * hash, step, input key), the input key covering the config and data files the step depends on.
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
import { ResultsStore } from './store';
import { LiteralIndex } from './literals';
import { scheduledSteps, stepInfo, ShownResults, type Shown, type StepId, type StepInfo, type StepResults } from './steps/catalog';
import type { StepOutput } from './steps/types';
import { JobError } from './worker-host';
import type { Scheduler } from './scheduler';
import type { WireError } from './worker-protocol';
import { diagnosticAt, type PlainDiagnostic } from './types';

export type { Shown };

/** How many suspect rows get a diagnostic in the training CSV by default. */
export const DEFAULT_SUSPECT_DIAGNOSTICS = 20;

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
  /** Why the checkpoint location could not be scanned (the last series stays in use). */
  scanError: string | undefined;
  /** Why the streaming endpoint is off for this project (set by the daemon). */
  endpointProblem: string | undefined;
  /** The text of glassbox.json as open in the editor, when it is open; and its error, if any. */
  private edited: { text: string; error: GlassboxError | undefined } | undefined;
  private rerunPending = false;
  private disposed = false;
  private readonly observed = new Map<string, string | undefined>();
  private readonly explained = new Map<string, Promise<StepOutput>>();
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
    const ready = this.scan().filter((c) => c.state === 'ready' && c.hash);
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
    if (before !== this.projectVersion) {
      this.explained.clear();
      this.stepErrors.clear();
    }
    this.series = this.scan();
    const ready = this.series.filter((c) => c.state === 'ready');
    const newest = ready[ready.length - 1];
    if (newest) {
      const stable = this.observed.has(newest.dir) && this.observed.get(newest.dir) === newest.fingerprint;
      this.observed.set(newest.dir, newest.fingerprint);
      if (!stable) {
        // Seen once: look again shortly; analysed only if nothing moved in between.
        clearTimeout(this.recheck);
        this.recheck = setTimeout(() => (this.events.guard ? this.events.guard(() => this.refresh()) : this.refresh()), this.stableDelayMs);
      } else {
        this.analyse(newest, { rerun: this.rerunPending, inputsChanged: before !== this.projectVersion });
        this.rerunPending = false;
      }
    }
    this.events.changed();
  }

  /** `rerun`: run every step even when a result is stored (the analyze command). */
  private analyse(c: CheckpointInfo, how: { rerun: boolean; inputsChanged: boolean }): void {
    if (!c.hash) return;
    const isNew = this.analysed?.hash !== c.hash;
    if (!isNew && !how.rerun && !how.inputsChanged) return;
    this.analysed = c;
    this.store.noteCheckpoint(c);
    for (const step of scheduledSteps()) {
      const key = this.inputKey(step);
      const hit = how.rerun ? undefined : this.store.get(c.hash, step.id, key);
      if (hit) {
        this.shown.set(step.id, { checkpoint: { name: c.name, hash: c.hash }, value: hit.value });
        this.stepErrors.delete(step.id);
        continue;
      }
      this.run(step, c, {}).then(
        (value) => {
          if (this.disposed) return;
          this.store.put(c.hash!, step.id, key, value);
          if (this.analysed?.hash === c.hash) this.shown.set(step.id, { checkpoint: { name: c.name, hash: c.hash! }, value });
          this.stepErrors.delete(step.id);
          this.events.changed();
        },
        (e: unknown) => this.failed(step.id, e),
      );
    }
    // After submitting, so the queue never looks idle in between.
    const version = this.projectVersion;
    this.scheduler.cancelWhere((job) => job.configFile === this.configFile && (job.checkpoint.hash !== c.hash || job.projectVersion !== version));
  }

  private run<K extends StepId>(step: StepInfo<K>, c: CheckpointInfo, params: Record<string, unknown>): Promise<StepResults[K]> {
    // The worker runs the runner of `step.id`, whose result type the catalog states.
    return this.scheduler.submit({
      key: `${this.configFile}|${c.hash}|${step.id}|${this.projectVersion}|${JSON.stringify(params)}`,
      priority: step.priority,
      title: `${step.title} (${c.name})`,
      step: step.id,
      configFile: this.configFile,
      projectVersion: this.projectVersion,
      checkpoint: c,
      params,
    }) as Promise<StepResults[K]>;
  }

  private failed(stepId: string, e: unknown): void {
    if (this.disposed || (e instanceof JobError && e.cancelled)) return;
    this.stepErrors.set(stepId, e instanceof JobError ? e.wire : { message: (e as Error)?.message ?? String(e) });
    this.events.changed();
  }

  /**
   * Runs an on-demand step (explain a row, compare) for a checkpoint of the series (default: the
   * one whose results are shown); the same request while one is pending or done joins it.
   */
  onDemand<K extends StepId>(stepId: K, params: Record<string, unknown>, checkpoint?: string): Promise<StepResults[K]> {
    const c = checkpoint === undefined ? this.analysed : this.checkpointNamed(checkpoint);
    if (!c?.hash) return Promise.reject(new Error(checkpoint === undefined ? 'no checkpoint has been analysed yet' : `no ready checkpoint named '${checkpoint}'`));
    const step = stepInfo(stepId) as StepInfo<K>;
    const key = `${stepId}|${c.hash}|${this.projectVersion}|${JSON.stringify(params)}`;
    let p = this.explained.get(key) as Promise<StepResults[K]> | undefined;
    if (!p) {
      p = this.run(step, c, params);
      p.catch(() => this.explained.delete(key));
      this.explained.set(key, p);
      // Bounded: hovering many rows must not grow memory without end.
      if (this.explained.size > 500) this.explained.delete(this.explained.keys().next().value!);
    }
    return p;
  }

  /** Explains one data row (1-based line); `influence` adds the influential training rows. */
  explainRow(file: string, line: number, options: { method?: string; influence?: boolean; checkpoint?: string } = {}): Promise<StepResults['explainRow']> {
    const params: Record<string, unknown> = { file: path.resolve(file), line };
    if (options.method) params.method = options.method;
    if (options.influence) params.influence = true;
    return this.onDemand('explainRow', params, options.checkpoint);
  }

  checkpointNamed(name: string): CheckpointInfo | undefined {
    return this.series.find((c) => c.state === 'ready' && c.hash && c.name === name);
  }

  /** Runs a scheduled step again now for the analysed checkpoint, storing and showing its result. */
  async rerun<K extends StepId>(stepId: K): Promise<StepResults[K]> {
    const c = this.analysed;
    if (!c?.hash) throw new Error('no checkpoint has been analysed yet');
    const step = stepInfo(stepId) as StepInfo<K>;
    const value = await this.run(step, c, { rerun: Date.now() });
    if (this.disposed) return value;
    this.store.put(c.hash, step.id, this.inputKey(step), value);
    if (this.analysed?.hash === c.hash) this.shown.set(step.id, { checkpoint: { name: c.name, hash: c.hash }, value });
    this.stepErrors.delete(step.id);
    this.events.changed();
    return value;
  }

  /** Whether every scheduled step has a stored result for this checkpoint. */
  analysedFully(c: CheckpointInfo): boolean {
    return Boolean(c.hash) && scheduledSteps().every((s) => this.store.has(c.hash!, s.id, this.inputKey(s)));
  }

  /** Data files of the project (absolute). */
  dataFiles(): string[] {
    return this.config ? [...new Set(Object.values(this.config.data))] : [];
  }

  diagnostics(): PlainDiagnostic[] {
    const out: PlainDiagnostic[] = [];
    const configError = this.shownConfigError;
    if (configError) out.push(diagnosticAt(configError.location ?? { file: this.configFile }, 'error', configError.message, configError.code));
    const config = this.config;
    const checkpointsKey = config?.locate(['checkpoints', 'path']) ?? { file: this.configFile };
    if (this.scanError) out.push(diagnosticAt(checkpointsKey, 'error', this.scanError, 'checkpoint'));
    if (this.store.problem) out.push(diagnosticAt({ file: this.configFile }, 'warning', this.store.problem, 'store'));
    if (this.endpointProblem && this.endpointProblem !== this.store.problem) out.push(diagnosticAt({ file: this.configFile }, 'warning', this.endpointProblem, 'stream'));
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
    for (const { steps, e } of failures.values()) {
      // A checkpoint file has no line to point at and is rarely open: report on the config's key.
      const inCheckpoints = e.location && config && e.location.line === undefined && path.resolve(e.location.file).startsWith(config.checkpoints + path.sep);
      const where = !e.location || inCheckpoints ? checkpointsKey : e.location;
      const suffix = inCheckpoints ? ` (${path.relative(this.root, e.location!.file)})` : '';
      out.push(diagnosticAt(where, 'error', `${steps.join(', ')} failed: ${e.message}${suffix}`, e.code));
    }
    const findings = [...this.shown.values()]
      .flatMap((s) => (s.value.findings ?? []).map((f) => ({ ...f, checkpoint: s.checkpoint.name })))
      .filter((f) => f.code !== 'suspect-row' || (f.rank ?? 0) <= this.limits.suspectRows);
    const byFeature = this.literals.find([...new Set(findings.map((f) => f.feature).filter((f): f is string => Boolean(f)))]);
    for (const f of findings) {
      const evidence = (f.related ?? []).map((r) => ({ file: r.file, line: Math.max(0, r.line - 1), message: r.message }));
      const related = [...(f.file ? [{ file: f.file, line: Math.max(0, (f.line ?? 1) - 1), message: 'evidence' }] : []), ...evidence];
      const code = f.code ?? 'finding';
      if (f.file) out.push({ ...diagnosticAt({ file: f.file, ...(f.line !== undefined ? { line: f.line } : {}) }, f.severity, f.message, code), ...(evidence.length ? { related: evidence } : {}) });
      for (const hit of f.feature ? byFeature.get(f.feature) ?? [] : []) {
        if (f.file && hit.file === f.file && hit.line === (f.line ?? 1) - 1) continue;
        out.push({ file: hit.file, line: hit.line, start: hit.start, end: hit.end, severity: f.severity, message: f.message, code, related });
      }
    }
    return out;
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
