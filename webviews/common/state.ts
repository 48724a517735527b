/**
 * What the panels read from a state beyond the fields every daemon sends. The daemon is growing
 * runs, progress, staleness and per-checkpoint history (issue 13); the fields are declared here
 * structurally (the same names and shapes as protocol/panels.ts, where they land) so the panels
 * render them when present and degrade when absent: a section then says less, never something
 * false. `importanceHistory` and `suspectScore` are read when a daemon sends them.
 */
import type { CheckpointSummary, DashboardState, GlobalImportance } from '../../server/src/protocol/panels';

/** The analysis step running now. */
export interface RunningStepView {
  checkpoint: string;
  step: string;
  title: string;
  /** 0..1 */
  fraction: number;
  message?: string;
}

export type SectionName = 'importance' | 'drift' | 'suspects' | 'checks';

/** Which checkpoint (and run) a section's numbers come from, and whether a newer one will replace them. */
export interface ProvenanceView {
  checkpoint: string;
  run: string;
  stale: boolean;
}

/** One analysed checkpoint's importance, for the trend (and the picker). */
export interface ImportancePoint {
  checkpoint: string;
  features: { feature: string; importance: number }[];
}

export type DashboardView = DashboardState & {
  /** The current training run; `checkpoints` lists only its checkpoints. */
  run?: string;
  previousRun?: { run: string; checkpoints: CheckpointSummary[]; importance?: GlobalImportance };
  running?: RunningStepView;
  provenance?: Partial<Record<SectionName, ProvenanceView>>;
  /** Importance of every analysed checkpoint of the current run, in training order. */
  importanceHistory?: ImportancePoint[];
  /** What the suspects' `score` is (`self-influence`, `aum`, `loss`); higher = more suspect. */
  suspectScore?: string;
  importance?: GlobalImportance & { rows?: number };
};

/**
 * A checkpoint's analysis state, `queued` included (a daemon that has no queue state sends
 * `pending` for waiting checkpoints).
 */
export type AnalysisView = 'pending' | 'queued' | 'running' | 'done' | 'failed';
export function analysisOf(c: CheckpointSummary): AnalysisView {
  return c.analysis as AnalysisView;
}

/** A checkpoint with the per-checkpoint progress a daemon may send: steps finished of all its steps. */
export type CheckpointView = CheckpointSummary & { stepsDone?: number; stepsTotal?: number };

/** "3/6 steps" when the daemon says how many of the checkpoint's steps are done, else undefined. */
export function stepsText(c: CheckpointSummary): string | undefined {
  const { stepsDone, stepsTotal } = c as CheckpointView;
  return Number.isInteger(stepsDone) && Number.isInteger(stepsTotal) && stepsTotal! > 0 ? `${stepsDone}/${stepsTotal} steps` : undefined;
}

/**
 * Whether some of the checkpoint's results exist: its analysis is done, the daemon counts finished
 * steps, or a shown section's numbers come from it (a daemon that sends neither still shows
 * importance computed on a checkpoint whose later steps are running).
 */
export function hasResults(state: DashboardView, c: CheckpointSummary): boolean {
  if (c.analysis === 'done' || ((c as CheckpointView).stepsDone ?? 0) > 0) return true;
  return sectionCheckpoints(state).has(c.name);
}

/** The checkpoints the shown sections' numbers come from. */
function sectionCheckpoints(state: DashboardView): Set<string> {
  const names = new Set<string>();
  for (const p of Object.values(state.provenance ?? {})) if (p) names.add(p.checkpoint);
  if (state.importance) names.add(state.importance.checkpoint);
  if (state.drift) names.add(state.drift.checkpoint);
  return names;
}

/**
 * The newest checkpoint with results and whether its analysis is complete: what the status line
 * names, so it never says "none analysed" beside a section showing numbers.
 */
export function newestWithResults(state: DashboardView): { name: string; complete: boolean; steps?: string } | undefined {
  const c = [...state.checkpoints].reverse().find((x) => hasResults(state, x));
  if (!c) {
    // Numbers from a checkpoint the list no longer holds (another run's): name them anyway.
    const other = [...sectionCheckpoints(state)][0];
    return other ? { name: other, complete: false } : undefined;
  }
  return { name: c.name, complete: c.analysis === 'done', steps: stepsText(c) };
}

/** The newest checkpoint with a finished analysis, or undefined. */
export function newestAnalysed(cks: CheckpointSummary[]): string | undefined {
  return [...cks].reverse().find((c) => c.state === 'ready' && c.analysis === 'done')?.name;
}

/**
 * Whether a section's numbers (computed on `checkpoint`) are stale: the daemon's provenance says
 * so, or, when it sends none, a newer ready checkpoint is queued or being analysed (its numbers will
 * replace these). Numbers on an older checkpoint whose successor failed are not stale: nothing
 * will replace them.
 */
export function isStale(state: DashboardView, section: SectionName, checkpoint: string | undefined): boolean {
  const p = state.provenance?.[section];
  if (p) return p.stale;
  if (!checkpoint) return false;
  const i = state.checkpoints.findIndex((c) => c.name === checkpoint);
  if (i < 0) return false;
  return state.checkpoints.slice(i + 1).some((c) => c.state === 'ready' && ['pending', 'queued', 'running'].includes(analysisOf(c)));
}

/** "epoch-003 · run 2" from the daemon's provenance, else from what the section says. */
export function sourceText(state: DashboardView, section: SectionName, checkpoint: string | undefined, prefix = ''): string | undefined {
  const p = state.provenance?.[section];
  const ck = p?.checkpoint ?? checkpoint;
  if (!ck) return undefined;
  const run = p?.run ?? state.run;
  return `${prefix}${ck}${run ? ` · run ${run}` : ''}`;
}

/**
 * A project as people name it: the folder of its glassbox.json (the daemon identifies a project by
 * the config file's path; older daemons sent the folder name itself).
 */
export function projectName(project: string): string {
  const parts = project.split(/[\\/]/).filter(Boolean);
  if (parts.length >= 2 && /\.json$/i.test(parts[parts.length - 1]!)) return parts[parts.length - 2]!;
  return parts[parts.length - 1] ?? project;
}
