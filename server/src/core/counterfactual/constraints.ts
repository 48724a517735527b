/**
 * What a counterfactual may change: immutable features, allowed directions, per-feature bounds,
 * leaving the training range, and the number of features changed. Validated against the feature
 * space once per request, so every error names the argument and the feature.
 */
import { suggest } from '../data/schema';
import { GlassboxError } from '../errors';
import type { FeatureSpace, NumericDimension } from './space';

export type Direction = 'increase' | 'decrease';

export interface CounterfactualConstraints {
  /** Raw features that must keep their value (glassbox.json `protected` by default in the CLI). */
  immutable?: string[];
  /** Numeric features that may only go up (`increase`) or down (`decrease`). */
  directions?: Record<string, Direction>;
  /** Allowed raw values of numeric features (inclusive). */
  bounds?: Record<string, { min?: number; max?: number }>;
  /** Most features one counterfactual changes (default 3). */
  maxChanges?: number;
  /**
   * Numeric features whose values may leave the training range (`true`: all). Without bounds the
   * range is then widened by its own width on each side.
   */
  outsideRange?: string[] | boolean;
}

/** How arguments are named in messages (the CLI passes its flags). */
export interface ConstraintNames {
  immutable: string;
  directions: string;
  bounds: string;
  maxChanges: string;
  outsideRange: string;
}

const DEFAULT_NAMES: ConstraintNames = { immutable: 'immutable', directions: 'directions', bounds: 'bounds', maxChanges: 'maxChanges', outsideRange: 'outsideRange' };

export const DEFAULT_MAX_CHANGES = 3;

export interface ResolvedConstraints {
  /** Per raw feature (index in `space.dims`). */
  mutable: boolean[];
  /** Numeric: the allowed raw interval (before the row's direction); categorical: unused. */
  lo: number[];
  hi: number[];
  direction: Array<Direction | undefined>;
  maxChanges: number;
  /** The request as given (for relaxing it when nothing is found). */
  given: CounterfactualConstraints;
}

export function resolveConstraints(space: FeatureSpace, c: CounterfactualConstraints = {}, names: ConstraintNames = DEFAULT_NAMES): ResolvedConstraints {
  const featureNames = space.dims.map((d) => d.name);
  const indexOf = (name: string, arg: string): number => {
    const i = featureNames.indexOf(name);
    if (i < 0) throw new GlassboxError('usage', `${arg}: unknown feature '${name}'${suggest(name, featureNames)}; the model's features are ${featureNames.join(', ')}`);
    return i;
  };
  const numericAt = (name: string, arg: string, what: string): NumericDimension => {
    const dim = space.dims[indexOf(name, arg)]!;
    if (dim.kind !== 'numeric') throw new GlassboxError('usage', `${arg}: '${name}' is categorical; ${what} apply to numeric features only`);
    return dim;
  };
  const F = space.dims.length;
  const mutable = space.dims.map((d) => (d.kind === 'numeric' ? d.mad > 0 : d.observed.length > 1));
  for (const name of c.immutable ?? []) mutable[indexOf(name, names.immutable)] = false;

  const outside = new Set<number>();
  if (c.outsideRange === true) space.dims.forEach((d, i) => d.kind === 'numeric' && outside.add(i));
  else if (Array.isArray(c.outsideRange)) for (const name of c.outsideRange) outside.add(space.dims.indexOf(numericAt(name, names.outsideRange, 'ranges')));

  const lo = new Array<number>(F).fill(NaN);
  const hi = new Array<number>(F).fill(NaN);
  space.dims.forEach((d, i) => {
    if (d.kind !== 'numeric') return;
    const width = d.max - d.min;
    lo[i] = outside.has(i) ? d.min - width : d.min;
    hi[i] = outside.has(i) ? d.max + width : d.max;
  });
  for (const [name, b] of Object.entries(c.bounds ?? {})) {
    const dim = numericAt(name, names.bounds, 'bounds');
    const i = dim.feature;
    const min = b.min ?? -Infinity;
    const max = b.max ?? Infinity;
    if (Number.isNaN(min) || Number.isNaN(max)) throw new GlassboxError('usage', `${names.bounds}: the bounds of '${name}' are not numbers`);
    if (min > max) throw new GlassboxError('usage', `${names.bounds}: '${name}' has min ${min} above max ${max}`);
    if (!outside.has(i) && (min > dim.max || max < dim.min)) {
      throw new GlassboxError(
        'usage',
        `${names.bounds}: ${name} ${fmtRange(min, max)} lies outside the training data's ${fmtRange(dim.min, dim.max)} (allow it with ${names.outsideRange} ${name})`,
      );
    }
    if (outside.has(i)) {
      lo[i] = Number.isFinite(min) ? min : lo[i]!;
      hi[i] = Number.isFinite(max) ? max : hi[i]!;
    } else {
      lo[i] = Math.max(lo[i]!, min);
      hi[i] = Math.min(hi[i]!, max);
    }
  }
  const direction = new Array<Direction | undefined>(F).fill(undefined);
  for (const [name, dir] of Object.entries(c.directions ?? {})) {
    const dim = numericAt(name, names.directions, 'directions');
    if (dir !== 'increase' && dir !== 'decrease') throw new GlassboxError('usage', `${names.directions}: '${name}' must be increase or decrease, got '${String(dir)}'`);
    direction[dim.feature] = dir;
  }
  const maxChanges = c.maxChanges ?? DEFAULT_MAX_CHANGES;
  if (!Number.isInteger(maxChanges) || maxChanges < 1) throw new GlassboxError('usage', `${names.maxChanges} must be a positive integer, got ${maxChanges}`);
  return { mutable, lo, hi, direction, maxChanges: Math.min(maxChanges, F), given: c };
}

/** The raw interval feature `f` may take for a row whose value is `v0` (direction applied). */
export function allowedInterval(r: ResolvedConstraints, f: number, v0: number): [number, number] {
  let a = r.lo[f]!;
  let b = r.hi[f]!;
  if (r.direction[f] === 'increase') a = Math.max(a, v0);
  if (r.direction[f] === 'decrease') b = Math.min(b, v0);
  return [a, b];
}

/** Relaxations tried, one at a time, when no counterfactual satisfies the request. */
export interface Relaxation {
  /** Which constraint is dropped, as users name it. */
  name: keyof ConstraintNames;
  apply(c: CounterfactualConstraints, F: number): CounterfactualConstraints | undefined;
}

export const RELAXATIONS: Relaxation[] = [
  { name: 'maxChanges', apply: (c, F) => ((c.maxChanges ?? DEFAULT_MAX_CHANGES) < F ? { ...c, maxChanges: F } : undefined) },
  { name: 'immutable', apply: (c) => (c.immutable?.length ? { ...c, immutable: [] } : undefined) },
  { name: 'directions', apply: (c) => (c.directions && Object.keys(c.directions).length ? { ...c, directions: {} } : undefined) },
  { name: 'bounds', apply: (c) => (c.bounds && Object.keys(c.bounds).length ? { ...c, bounds: {} } : undefined) },
  { name: 'outsideRange', apply: (c) => (c.outsideRange === true ? undefined : { ...c, outsideRange: true }) },
];

function fmtRange(a: number, b: number): string {
  return `${Number.isFinite(a) ? a : '-inf'}..${Number.isFinite(b) ? b : 'inf'}`;
}

