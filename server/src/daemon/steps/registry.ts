/**
 * The step runners by id (worker only: importing this loads TensorFlow.js and the analysis core).
 * Adding a step: its metadata and result type in `catalog.ts`, a file in this folder exporting an
 * object that spreads its catalog entry and `satisfies AnalysisStep<Result>`, and one entry here
 * (see ARCHITECTURE.md). The main thread reads only the catalog.
 */
import type { StepId, StepResults } from './catalog';
import type { AnalysisStep } from './types';
import { predictionsStep } from './predictions';
import { importanceStep } from './importance';
import { explainRowStep } from './explain-row';
import { driftStep } from './drift';
import { influenceStep } from './influence';
import { checksStep } from './checks';
import { compareStep } from './compare';
import { reportStep } from './report';
import { counterfactualStep, whatIfStep } from './counterfactual';

export const RUNNERS: { readonly [K in StepId]: AnalysisStep<StepResults[K]> } = {
  predictions: predictionsStep,
  importance: importanceStep,
  drift: driftStep,
  influence: influenceStep,
  checks: checksStep,
  explainRow: explainRowStep,
  compare: compareStep,
  report: reportStep,
  counterfactual: counterfactualStep,
  whatIf: whatIfStep,
};

export function getRunner(id: string): AnalysisStep {
  const s = (RUNNERS as Record<string, AnalysisStep | undefined>)[id];
  if (!s) throw new Error(`unknown analysis step '${id}'`);
  return s;
}
