/** Counterfactual explanations: the public API (see counterfactual.ts). */
export { prepareCounterfactuals, counterfactualsForRow, checkRequest, assessRows } from './counterfactual';
export type { AssessedRow, CounterfactualModel, CounterfactualRequest, RowCounterfactuals, CounterfactualExample, NearestTrainingRow, Change, ClassPrediction, RawValue } from './counterfactual';
export type { CounterfactualConstraints, ConstraintNames, Direction } from './constraints';
export { DEFAULT_MAX_CHANGES } from './constraints';
