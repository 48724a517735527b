/**
 * The panels render the states of server/src/protocol/panels.ts. The daemon's first answers use
 * smaller shapes (`glassbox/explainRow` with attributions as a list and class indices,
 * `glassbox/timeline` and `glassbox/importance` instead of `glassbox/dashboard`); these pure
 * functions accept both, so the panels show real data from either. Drop a branch once the daemon
 * answers with the panel states directly.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { DashboardState, ExplainState, RawValue } from '../../server/src/protocol/panels';
import { DashboardRequest } from '../../server/src/protocol/panels';
import type { Daemon } from './daemon';

export interface RowExplanationWire {
  file: string;
  line: number;
  row: number;
  method: string;
  classes: string[] | null;
  predicted: number;
  confidence: number | null;
  label: number | null;
  values: Record<string, RawValue>;
  attributions: Array<{ feature: string; value: number }>;
  checkpoint?: string;
}

export interface TimelineEntryWire {
  checkpoint: string;
  order: number;
  metrics: Record<string, number>;
  importance: Record<string, number> | null;
}

export interface ImportanceWire {
  checkpoint: string;
  method: string;
  features: string[];
  meanAbs: number[];
  share: number[];
}

export function toExplainState(x: ExplainState | RowExplanationWire): ExplainState {
  if (!Array.isArray(x.attributions)) return x as ExplainState;
  const w = x as RowExplanationWire;
  const className = (i: number) => w.classes?.[i] ?? String(i);
  return {
    file: w.file,
    line: w.line,
    row: w.row,
    checkpoint: w.checkpoint ?? 'newest analysed checkpoint',
    classes: w.classes ?? [],
    values: w.values,
    ...(w.label !== null ? { label: className(w.label) } : {}),
    prediction: w.classes && w.confidence !== null ? { class: className(w.predicted), probability: w.confidence } : { value: w.predicted },
    methods: [w.method],
    method: w.method,
    attributions: Object.fromEntries(w.attributions.map((a) => [a.feature, a.value])),
  };
}

export function dashboardFromParts(timeline: TimelineEntryWire[], importance: ImportanceWire | null): DashboardState {
  return {
    checkpoints: [...timeline].sort((a, b) => a.order - b.order).map((t) => ({
      name: t.checkpoint,
      state: 'ready',
      ...(typeof t.metrics.epoch === 'number' ? { epoch: t.metrics.epoch } : {}),
      metrics: t.metrics,
      analysis: t.importance ? 'done' : 'pending',
    })),
    ...(importance ? {
      importance: { checkpoint: importance.checkpoint, method: importance.method, classes: [], features: importance.features.map((f, i) => ({ feature: f, importance: importance.meanAbs[i]! })) },
    } : {}),
  };
}

const METHOD_NOT_FOUND = -32601;
const TimelineRequest = new RequestType<Record<string, never>, TimelineEntryWire[], void>('glassbox/timeline');
const ImportanceRequest = new RequestType<Record<string, never>, ImportanceWire | null, void>('glassbox/importance');

/** The side panel's state from `glassbox/dashboard`, else assembled from timeline + importance. */
export async function fetchDashboard(daemon: Daemon): Promise<DashboardState> {
  try {
    return await daemon.request(DashboardRequest.type, {});
  } catch (e) {
    if ((e as { code?: number }).code !== METHOD_NOT_FOUND) throw e;
    try {
      const [timeline, importance] = await Promise.all([daemon.request(TimelineRequest, {}), daemon.request(ImportanceRequest, {})]);
      return dashboardFromParts(timeline, importance);
    } catch {
      throw e;
    }
  }
}
