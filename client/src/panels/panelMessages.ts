/** Pure helpers for the panels' messages (no VS Code API, so unit tests run them directly). */
import type { TimelineEntry } from '../../../server/src/protocol';
import type { CounterfactualParams, WhatIfParams } from '../../../server/src/protocol/counterfactual';
import type { CheckpointSummary, DashboardParams, DashboardState, ExplainRowParams, RawValue } from '../../../server/src/protocol/panels';
import { isState, type FromWebview, type ToWebview } from '../../../server/src/protocol/webview';

/** One analysed checkpoint's importance (the side panel's `importanceHistory`, webviews/common/state.ts). */
export interface ImportancePoint {
  checkpoint: string;
  features: { feature: string; importance: number }[];
}

type ExportMessage = Extract<FromWebview, { type: 'export' }>;

/** The bytes to write: the text as UTF-8, or the PNG decoded from its base64 data URL. */
export function exportBytes(m: Pick<ExportMessage, 'format' | 'content'>): Uint8Array {
  if (m.format === 'png') return Buffer.from(m.content.slice(m.content.indexOf(',') + 1), 'base64');
  return Buffer.from(m.content, 'utf8');
}

/** `vscode.ColorThemeKind` (1 light, 2 dark, 3 high contrast, 4 high contrast light) as the webview message. */
export function themeMessage(kind: number): Extract<ToWebview, { type: 'theme' }> {
  return { type: 'theme', kind: kind === 1 ? 'light' : kind === 3 ? 'highContrast' : kind === 4 ? 'highContrastLight' : 'dark' };
}

/** Where the cursor is, in the editor's terms (0-based line). */
export interface CursorPlace {
  uri: string;
  line: number;
  /** The document's language id (`csv` with a CSV extension installed) and file path. */
  languageId: string;
  path: string;
}

/**
 * The row an unpinned Explain panel should move to, or undefined to stay: the cursor is on a data
 * line (not the header, line 0) of a CSV file and not on the row already shown.
 */
export function followTarget(current: { uri: string; line: number } | undefined, cursor: CursorPlace): { uri: string; line: number } | undefined {
  const csv = cursor.languageId === 'csv' || /\.csv$/i.test(cursor.path);
  if (!csv || cursor.line < 1) return undefined;
  if (current && current.uri === cursor.uri && current.line === cursor.line) return undefined;
  return { uri: cursor.uri, line: cursor.line };
}

/**
 * The side panel's importance trend from the daemon's timeline (`glassbox/timeline`: the current
 * run's checkpoints in series order, with importance shares where computed): the analysed
 * checkpoints among those the panel lists, in series order.
 */
export function importanceHistory(timeline: TimelineEntry[], checkpoints: CheckpointSummary[]): ImportancePoint[] {
  const listed = new Set(checkpoints.map((c) => c.name));
  return [...timeline]
    .filter((t) => t.importance && listed.has(t.checkpoint))
    .sort((a, b) => a.order - b.order)
    .map((t) => ({ checkpoint: t.checkpoint, features: Object.entries(t.importance!).map(([feature, importance]) => ({ feature, importance })) }));
}

/**
 * What the side panel shows: the project of the last state shown and the checkpoint the user
 * picked (undefined: the newest). The daemon pushes the newest checkpoint's state of each project;
 * with a pick, a push is a cue to ask for the picked checkpoint's state again, and another
 * project's push is not shown over this one.
 */
export class DashboardSelection {
  checkpoint: string | undefined;
  project: string | undefined;

  pick(checkpoint: string | null): void {
    this.checkpoint = checkpoint ?? undefined;
  }

  /** Another project: its newest checkpoint (a picked checkpoint belongs to the project it was picked in). */
  pickProject(project: string): void {
    this.project = project;
    this.checkpoint = undefined;
  }

  /** `glassbox/dashboard` params for what the panel shows. */
  params(): DashboardParams {
    return { ...(this.project ? { project: this.project } : {}), ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}) };
  }

  shown(state: DashboardState): void {
    if (state.project) this.project = state.project;
  }

  /** A state the daemon pushed (`glassbox/dashboardChanged`): show it, ask again for the picked checkpoint, or ignore it. */
  onPushed(state: DashboardState): 'show' | 'refetch' | 'ignore' {
    if (this.project && state.project && state.project !== this.project) return 'ignore';
    return this.checkpoint ? 'refetch' : 'show';
  }
}

/** `glassbox/whatIf` params for the shown row (`checkpoint`: the one it was explained on) with the user's edits. */
export function whatIfParams(row: ExplainRowParams, values: Record<string, RawValue>, checkpoint: string | undefined): WhatIfParams {
  return {
    uri: row.uri, line: row.line, values,
    ...(row.method ? { method: row.method } : {}),
    ...(checkpoint ?? row.checkpoint ? { checkpoint: checkpoint ?? row.checkpoint } : {}),
    ...(row.project ? { project: row.project } : {}),
  };
}

/** `glassbox/counterfactual` params for the shown row. */
export function counterfactualParams(row: ExplainRowParams, options: { target?: string; maxChanges?: number }, checkpoint: string | undefined): CounterfactualParams {
  return {
    uri: row.uri, line: row.line,
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.maxChanges !== undefined ? { maxChanges: options.maxChanges } : {}),
    ...(checkpoint ?? row.checkpoint ? { checkpoint: checkpoint ?? row.checkpoint } : {}),
    ...(row.project ? { project: row.project } : {}),
  };
}

/**
 * Runs one request at a time of a kind: starting one aborts the one still running (its signal
 * cancels it on the daemon too), and only the newest one's outcome is returned; a superseded or
 * cancelled one resolves with undefined.
 */
export class LatestOnly {
  private current: AbortController | undefined;

  async run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<{ value: T } | { error: unknown } | undefined> {
    this.current?.abort();
    const mine = new AbortController();
    this.current = mine;
    try {
      const value = await task(mine.signal);
      return mine.signal.aborted ? undefined : { value };
    } catch (error) {
      return mine.signal.aborted ? undefined : { error };
    } finally {
      if (this.current === mine) this.current = undefined;
    }
  }

  cancel(): void {
    this.current?.abort();
    this.current = undefined;
  }
}

/**
 * What a webview is sent again when its app says `ready` (it mounted late, or VS Code recreated a
 * hidden view and dropped what was posted meanwhile): the last state, then the newest
 * counterfactuals answer about the same row (not a state: the panel keeps it with its row, and an
 * answer that arrived while the view was hidden would otherwise leave it "searching"). What-if
 * answers are not kept: a reloaded panel asks again for its persisted edits.
 */
export class Replay {
  private last: ToWebview | undefined;
  private counterfactuals: ToWebview | undefined;

  remember(m: ToWebview): void {
    if (m.type === 'counterfactuals') this.counterfactuals = m;
    else if (isState(m)) {
      if (!sameRow(this.last, m)) this.counterfactuals = undefined;
      this.last = m;
    }
  }

  messages(): ToWebview[] {
    return [this.last, this.counterfactuals].filter((m): m is ToWebview => m !== undefined);
  }

  get lastState(): ToWebview | undefined {
    return this.last;
  }
}

function sameRow(a: ToWebview | undefined, b: ToWebview): boolean {
  return a?.type === 'explain' && b.type === 'explain' && a.state.file === b.state.file && a.state.line === b.state.line;
}
