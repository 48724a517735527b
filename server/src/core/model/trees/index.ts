/**
 * Tree ensembles (XGBoost, LightGBM, scikit-learn via glassbox-trees JSON): read natively,
 * predicted, and explained exactly per encoded column. docs/model-formats.md "Tree ensembles".
 */
export type { Tree, TreeEnsemble, Decision, Aggregate, Link } from './types';
export { checkWidth, applyLink, validateEnsemble } from './types';
export { readTreeEnsemble } from './load';
export { readXGBoost, parseXGBoost } from './xgboost';
export { readLightGBM, parseLightGBM } from './lightgbm';
export { readGlassboxTrees, parseGlassboxTrees } from './glassbox-trees';
export { predictMargins, predictOutputs } from './predict';
export { treeShap, expectedValue, type TreeShapOptions, type TreeShapResult } from './treeshap';
export { interventionalTreeShap, type InterventionalResult } from './interventional';
export { treeShapInteractions, type InteractionResult } from './interactions';
