/**
 * Every analysis step the daemon knows. Adding one: a file in this folder exporting an object that
 * `satisfies AnalysisStep<Result>`, one import and one entry here (see ARCHITECTURE.md).
 */
import type { AnalysisStep } from './types';
import { predictionsStep } from './predictions';
import { importanceStep } from './importance';
import { explainRowStep } from './explain-row';
import { driftStep } from './drift';
import { influenceStep } from './influence';
import { checksStep } from './checks';
import { compareStep } from './compare';
import { reportStep } from './report';

export const STEPS: readonly AnalysisStep[] = [predictionsStep, importanceStep, driftStep, influenceStep, checksStep, explainRowStep, compareStep, reportStep];

export function getStep(id: string): AnalysisStep {
  const s = STEPS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown analysis step '${id}'`);
  return s;
}

/** Steps scheduled on every new checkpoint, in priority order. */
export function scheduledSteps(): AnalysisStep[] {
  return STEPS.filter((s) => !s.onDemand).sort((a, b) => a.priority - b.priority);
}
