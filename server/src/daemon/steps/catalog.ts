/**
 * The step catalog: what the daemon's main thread knows about analysis steps (ids, titles,
 * priorities, what invalidates a result, on-demand or scheduled) and the type of each step's result.
 *
 * Contract: this module and everything the main thread imports from `steps/` carries metadata and
 * types only. The runners (`registry.ts` and the step files) load TensorFlow.js and the analysis
 * core; only the worker imports them (ESLint: "main thread: no value import of step runners", and
 * server/src/daemon/bundle.test.ts checks `dist/server/server.js` requires no `@tensorflow/*`).
 * Result types come in with `import type`, which the bundler erases.
 */
import type { PredictionsResult } from './predictions';
import type { ImportanceResult } from './importance';
import type { DriftResult } from './drift';
import type { InfluenceResult } from './influence';
import type { ChecksResult } from './checks';
import type { RowExplanation } from './explain-row';
import type { CompareResult } from './compare';
import type { ReportResult } from './report';
import type { CounterfactualStepResult, WhatIfStepResult } from './counterfactual';
import type { StepOutput } from './types';

/** What makes a stored result stale besides a new checkpoint (every result is per checkpoint). */
export type Invalidation = 'data' | 'config';

/** Each step's result, keyed by step id: `shown`, the store and the dashboard read through this. */
export interface StepResults {
  predictions: PredictionsResult;
  importance: ImportanceResult;
  drift: DriftResult;
  influence: InfluenceResult;
  checks: ChecksResult;
  explainRow: RowExplanation;
  compare: CompareResult;
  report: ReportResult;
  counterfactual: CounterfactualStepResult;
  whatIf: WhatIfStepResult;
}

export type StepId = keyof StepResults;

export interface StepInfo<K extends StepId = StepId> {
  id: K;
  /** Shown in progress reports. */
  title: string;
  /** Lower runs first. On-demand steps (hover) use 0; cheap steps before expensive ones. */
  priority: number;
  invalidatedBy: readonly Invalidation[];
  /** Run only when asked for (with params), never scheduled on a new checkpoint. */
  onDemand?: boolean;
}

/** Every step, by id. A runner spreads its entry (`...STEP_CATALOG.importance`), so they never disagree. */
export const STEP_CATALOG: { readonly [K in StepId]: StepInfo<K> } = {
  predictions: { id: 'predictions', title: 'Predictions', priority: 10, invalidatedBy: ['data', 'config'] },
  importance: { id: 'importance', title: 'Global importance', priority: 20, invalidatedBy: ['data', 'config'] },
  drift: { id: 'drift', title: 'Drift and drift impact', priority: 30, invalidatedBy: ['data', 'config'] },
  influence: { id: 'influence', title: 'Influence and suspect rows', priority: 40, invalidatedBy: ['data', 'config'] },
  checks: { id: 'checks', title: 'Model checks', priority: 50, invalidatedBy: ['data', 'config'] },
  explainRow: { id: 'explainRow', title: 'Explain row', priority: 0, invalidatedBy: ['data', 'config'], onDemand: true },
  compare: { id: 'compare', title: 'Compare checkpoints', priority: 0, invalidatedBy: ['data', 'config'], onDemand: true },
  report: { id: 'report', title: 'Export report', priority: 0, invalidatedBy: ['data', 'config'], onDemand: true },
  counterfactual: { id: 'counterfactual', title: 'Counterfactuals', priority: 0, invalidatedBy: ['data', 'config'], onDemand: true },
  whatIf: { id: 'whatIf', title: 'What-if', priority: 0, invalidatedBy: ['data', 'config'], onDemand: true },
};

export function isStepId(id: string): id is StepId {
  return Object.prototype.hasOwnProperty.call(STEP_CATALOG, id);
}

/** The catalog entry of `id`; an unknown id is a programming error, not a user's. */
export function stepInfo(id: string): StepInfo {
  if (!isStepId(id)) throw new Error(`unknown analysis step '${id}'`);
  return STEP_CATALOG[id];
}

/** Steps scheduled on every new checkpoint, in priority order. */
export function scheduledSteps(): StepInfo[] {
  return (Object.values(STEP_CATALOG) as StepInfo[]).filter((s) => !s.onDemand).sort((a, b) => a.priority - b.priority);
}

/** The latest result of a step and the checkpoint it belongs to. */
export interface Shown<T = StepOutput> {
  checkpoint: { name: string; hash: string };
  value: T;
}

/**
 * The latest result per step, typed by step id (`get('importance')` is a `Shown<ImportanceResult>`).
 * Values arrive as JSON from the worker or the store; the step id decides their type.
 */
export class ShownResults {
  private readonly map = new Map<StepId, Shown>();

  get<K extends StepId>(id: K): Shown<StepResults[K]> | undefined {
    return this.map.get(id) as Shown<StepResults[K]> | undefined;
  }

  set<K extends StepId>(id: K, shown: Shown<StepResults[K]> | Shown): void {
    this.map.set(id, shown);
  }

  has(id: StepId): boolean {
    return this.map.has(id);
  }

  delete(id: StepId): boolean {
    return this.map.delete(id);
  }

  clear(): void {
    this.map.clear();
  }

  values(): IterableIterator<Shown> {
    return this.map.values();
  }

  entries(): IterableIterator<[StepId, Shown]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }
}
