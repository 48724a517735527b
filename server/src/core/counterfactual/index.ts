/** Counterfactual explanations: the public API (see counterfactual.ts). */
export { prepareCounterfactuals, counterfactualsForRow, checkRequest } from './counterfactual';
export type { CounterfactualModel, CounterfactualRequest, RowCounterfactuals, CounterfactualExample, NearestTrainingRow, Change, ClassPrediction, RawValue } from './counterfactual';
export type { CounterfactualConstraints, ConstraintNames, Direction } from './constraints';
export { DEFAULT_MAX_CHANGES } from './constraints';
