/**
 * Slots for checks whose analysis lives in another module of Glassbox (label suspects from the
 * influence analysis, out-of-distribution reference data from the drift analysis, influential rows
 * for protected attributes). Until that module is part of the build, the slot reports the check as
 * skipped (never as passed), so a CI gate cannot mistake "not run" for "fine". Replacing a slot is
 * one line in registry.ts.
 */
import type { Check, CheckNeed, Severity } from './types';

export function unavailableCheck(id: string, title: string, description: string, needs: CheckNeed[], defaultSeverity: Severity = 'warning'): Check {
  return {
    id,
    title,
    description,
    needs,
    defaultSeverity,
    async run() {
      return { status: 'skip', summary: 'not available on this build', findings: [] };
    },
  };
}

export const labelSuspects = unavailableCheck('label-suspects', 'Label problems', 'training rows whose labels look wrong, from the influence analysis (self-influence and loss)', ['model', 'train', 'labels']);
export const oodReference = unavailableCheck('ood-reference', 'Out-of-distribution reference data', 'reference rows far outside the training distribution, from the drift analysis', ['model', 'train', 'reference']);
export const protectedInfluence = unavailableCheck('protected-influence', 'Influential rows for protected attributes', 'training rows that push the model toward using a protected attribute, from the influence analysis', ['model', 'train', 'expectation']);
