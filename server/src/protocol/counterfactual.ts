/**
 * Counterfactuals and what-if editing served by the daemon: "what is the smallest change of this
 * row's raw values that changes the model's answer?" and "what does the model say if I edit this
 * value?". Both are answered on the daemon's worker (the same core as `glassbox counterfactual` and
 * `glassbox explain`) and are cancellable. Documented in docs/protocol.md ("Counterfactuals and
 * what-if"). Plain JSON only.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { RawValue } from './panels';

/**
 * Which row: either a CSV document and a 0-based editor line (what a hover or code lens has), or a
 * data file of the project and a 0-based data row (what a panel listing rows has). Exactly one of
 * the two forms.
 */
export type RowRef = { uri: string; line: number } | { file: string; row: number };

/** Regression goal: a value to reach, or an interval the prediction must fall into. */
export interface TargetValue {
  /** Lower end (inclusive); absent = unbounded. */
  min?: number;
  /** Upper end (inclusive); absent = unbounded. */
  max?: number;
}

export type CounterfactualParams = RowRef & {
  /**
   * Classifiers: the class to reach, by label or 0-based index (default: any class other than the
   * predicted one). Regression (required): a `TargetValue` interval, or a number `v` to reach: at
   * least `v` when the row's prediction is below it, at most `v` when above (the result's `goal`
   * states the interval used).
   */
  target?: string | number | TargetValue;
  /** Minimum probability of the target class (classifiers with a `target`). */
  probability?: number;
  /** Most raw features one counterfactual changes (default 3). */
  maxChanges?: number;
  /** Raw features that must keep their value (default: glassbox.json `protected`). */
  immutable?: string[];
  /** Numeric features that may only go up or down. */
  directions?: Record<string, 'increase' | 'decrease'>;
  /** Allowed raw values of numeric features (inclusive). */
  bounds?: Record<string, { min?: number; max?: number }>;
  /** Counterfactuals to return (default 3). */
  count?: number;
  /** Checkpoint name (default: the newest analysed one). */
  checkpoint?: string;
  /** Project folder (the directory of its glassbox.json) when the workspace has several. */
  project?: string;
};

/** The model's answer for one row. */
export type RowPrediction =
  | { kind: 'classification'; class: string; classIndex: number; probability: number; probabilities: number[] }
  | { kind: 'regression'; value: number };

/** One raw feature changed: its value in the row and in the counterfactual. */
export interface FeatureChange {
  feature: string;
  from: RawValue;
  to: RawValue;
}

export interface Plausibility {
  /** Mean distance (same units as `distance`) to the 5 nearest training rows of the reached class. */
  nearestTargetDistance: number;
  /** Calibrated out-of-distribution p-value of the counterfactual row (the drift OOD score). */
  oodPValue: number;
  /** `oodPValue` below 0.05. */
  outOfDistribution: boolean;
}

export interface CounterfactualItem {
  changes: FeatureChange[];
  /** The whole counterfactual row, raw values by feature. */
  values: Record<string, RawValue>;
  /** Re-encoded from `values` and re-evaluated through the model. */
  prediction: RowPrediction;
  /** MAD-scaled L1 over numeric features + 1 per changed categorical feature. */
  distance: number;
  /** Number of features changed. */
  sparsity: number;
  plausibility: Plausibility;
  /** `gradient` or `search` (model-agnostic). */
  method: string;
}

export interface NearestTargetRow {
  /** Absolute path of the training CSV, 1-based line and 0-based data row. */
  file: string;
  line: number;
  row: number;
  distance: number;
  sparsity: number;
  changes: FeatureChange[];
  prediction: RowPrediction;
}

export interface CounterfactualResult {
  file: string;
  /** 1-based line of the row in `file`, and its 0-based data row. */
  line: number;
  row: number;
  checkpoint: string;
  values: Record<string, RawValue>;
  prediction: RowPrediction;
  /** The goal as resolved: a class (label) and probability, or a value interval. */
  goal: { class?: string; probability?: number; min?: number; max?: number };
  /** `found`: at least one; `none`: nothing within the constraints; `already`: the row meets the goal. */
  status: 'found' | 'none' | 'already';
  /** Cheapest first, plausible (in-distribution) before out-of-distribution at similar cost. */
  counterfactuals: CounterfactualItem[];
  /** The nearest real training row that reaches the goal within the constraints (null: none). */
  nearestTrainingRow: NearestTargetRow | null;
  /** For `none` and `already`: one line saying why. */
  message?: string;
  /** For `none`: the constraints that bind (relaxing any one alone finds a counterfactual). */
  binding?: string[];
}

/** client -> daemon: counterfactuals for a data row. Bad input answers `InvalidRequest` with one line. */
export namespace CounterfactualRequest {
  export const method = 'glassbox/counterfactual';
  export const type = new RequestType<CounterfactualParams, CounterfactualResult, void>(method);
}

export type WhatIfParams = Partial<RowRef> & {
  /**
   * The row's raw values by feature, with the user's edits (strings as typed are parsed per column
   * type; numbers as numbers; null or '' = missing). Features absent here keep the referenced
   * row's value; without a row reference every model feature must be given.
   */
  values: Record<string, RawValue>;
  /** Attribution method (default: the model's row method, as `glassbox/explainRow`). */
  method?: string;
  checkpoint?: string;
  project?: string;
};

/** A value that does not parse for its column: the feature, the value and why. */
export interface ParseError {
  feature: string;
  value: RawValue;
  message: string;
}

export type WhatIfResult =
  | {
      ok: true;
      checkpoint: string;
      /** The row's values as the model saw them (parsed). */
      values: Record<string, RawValue>;
      prediction: RowPrediction;
      method: string;
      /** Per raw feature, for the predicted class (regression: the value). */
      attributions: Record<string, number>;
      baseline?: number;
    }
  | { ok: false; errors: ParseError[] };

/** client -> daemon: the model's prediction and attributions for an edited row. */
export namespace WhatIfRequest {
  export const method = 'glassbox/whatIf';
  export const type = new RequestType<WhatIfParams, WhatIfResult, void>(method);
}
