/**
 * What the use cases of core/analyses share, so every front end (CLI, daemon, hovers, panels)
 * answers the same question the same way:
 * - the background policy (`backgroundFor`): a method that needs background rows gets every row of
 *   the project's training data and summarises them as the method defines (KernelSHAP: k-means to
 *   `backgroundSize` rows; expected gradients, LIME and the ablations: a sample seeded by the
 *   request's seed, default 0); a method that needs none gets none;
 * - class names (`classNamesOf`, `className`): glassbox.json `classNames` over the label encoding's
 *   classes, else the class index as text;
 * - the "needs background rows" error: methods/batching.ts `requireBackground`, thrown by every
 *   method that needs them and is given none (re-exported from index.ts);
 * - one number formatter (`formatNumber`, and `formatPercent` for fractions shown as percentages).
 */
import type { Project } from '../project';
import type { AttributionMethod } from '../methods/types';
import type { Encoding } from '../data/encoding';
import type { CheckpointInfo } from '../model/checkpoints';

/** The seed used when a request names none (stochastic methods, samples of rows). */
export const DEFAULT_SEED = 0;

/** The background rows of `method` under the one policy above (none when it needs none). */
export async function backgroundFor(project: Project, method: Pick<AttributionMethod<never>, 'capabilities'>): Promise<{ background?: Float32Array; backgroundN?: number }> {
  if (!method.capabilities.background) return {};
  // The loader refuses a missing or empty training file with its own located error.
  const train = await project.dataset('train');
  return { background: train.X, backgroundN: train.n };
}

/** Display names of the classes: glassbox.json `classNames`, else the label's encoded classes; null for regression or none. */
export function classNamesOf(project: Project, encoding: Encoding): string[] | null {
  return project.config.raw.classNames ?? encoding.label?.classes ?? null;
}

/**
 * Labels of K classes, class by class: glassbox.json `classNames`, else the label encoding's class,
 * else the index as text (a `classNames` shorter than K still names the classes it lists).
 */
export function classLabelsOf(project: Project, encoding: Encoding, K: number): string[] {
  const names = project.config.raw.classNames;
  return Array.from({ length: K }, (_, k) => names?.[k] ?? encoding.label?.classes?.[k] ?? String(k));
}

/** The name of class `k`: its display name, else the index as text. */
export function className(classes: readonly string[] | null | undefined, k: number): string {
  return classes?.[k] ?? String(k);
}

/** How a result names its checkpoint. */
export interface CheckpointRef {
  name: string;
  dir: string;
  hash: string | undefined;
}

export function checkpointRef(c: CheckpointInfo): CheckpointRef {
  return { name: c.name, dir: c.dir, hash: c.hash };
}

/**
 * A number for people: integers as they are, tiny or huge magnitudes in exponent form (2
 * decimals), else `digits` decimals. Non-finite values print as JavaScript does (NaN, Infinity).
 */
export function formatNumber(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
  return x.toFixed(digits);
}

/**
 * A fraction as a percentage with always `digits` decimals (`0.9` -> `90.0%`), so shares and
 * confidences line up in lists; non-finite values print as JavaScript does.
 */
export function formatPercent(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : String(fraction);
}
