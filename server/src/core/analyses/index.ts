/**
 * The use cases of Glassbox, each a function of (project, options) returning plain data, called by
 * the CLI commands (parse -> call -> print) and the daemon's steps (call -> findings) alike:
 * explain rows, predict rows with their metrics, global importance over rows, compare two
 * checkpoints, the timeline of a series. Shared policies (background rows, class names, numbers)
 * are in shared.ts.
 */
export { attributeRows, defaultExplainMethod, explainRows, methodKind, type Attribution, type AttributeOptions, type ExplainedRow, type ExplainOptions, type RowsExplanation } from './explain';
export { predictRows, classificationMetrics, regressionMetrics, type Metrics, type PredictOptions, type RowsPrediction } from './predict';
export { importanceOver, type ImportanceOptions, type RowsImportance } from './importance';
export { backgroundFor, className, classNamesOf, DEFAULT_SEED, formatNumber, formatPercent, type CheckpointRef } from './shared';
export { requireBackground } from '../methods/batching';
