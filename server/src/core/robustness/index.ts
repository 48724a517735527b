/** Robustness: minimal prediction flips and local sensitivity (see flip.ts, sensitivity.ts). */
export { minimalFlip, perturbedColumns } from './flip';
export type { FlipMethod, FlipOptions, FlipResult, Norm } from './flip';
export { localSensitivity } from './sensitivity';
export type { SensitivityOptions, SensitivityResult } from './sensitivity';
export { robustness } from './robustness';
export type { NormReport, RadiusSummary, RobustnessOptions, RobustnessReport, RobustnessResult } from './robustness';
export { flipSummary } from './summary';
export type { FlipSummary, FlipSummaryOptions } from './summary';
