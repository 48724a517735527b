/**
 * One robustness number per checkpoint for the timeline: the median minimal flip distance (L2 by
 * default, standardised units) over a fixed row sample, overall and per predicted class, with the
 * share of rows flipped within the radius searched. Measured as `glassbox robustness` measures it
 * (flip.ts, same seed), so a point equals that command's overall median on the same rows, and two
 * checkpoints measured on the same rows and seed compare directly.
 */
import type { Encoding } from '../data/encoding';
import type { ModelHandle } from '../model/model';
import { minimalFlip, type FlipMethod, type Norm } from './flip';
import { summariseRadiiByClass } from './robustness';

export interface FlipSummary {
  norm: Norm;
  method: FlipMethod;
  /** The radii are exact minima (closed form), not upper bounds. */
  exact: boolean;
  maxRadius: number;
  rows: number;
  /** Share of rows flipped within `maxRadius`. */
  flipped: number;
  /** Median minimal flip distance; null when half the rows or more do not flip within `maxRadius`. */
  median: number | null;
  perClass: Array<{ class: number; label: string; rows: number; flipped: number; median: number | null }>;
}

export interface FlipSummaryOptions {
  norm?: Norm;
  seed?: number;
  classLabels?: string[];
  signal?: AbortSignal;
}

export function flipSummary(model: ModelHandle, encoding: Encoding, X: Float32Array, n: number, options: FlipSummaryOptions = {}): FlipSummary {
  const f = minimalFlip(model, encoding, X, n, { norm: options.norm ?? 'l2', seed: options.seed ?? 0, ...(options.signal ? { signal: options.signal } : {}) });
  const finite = (v: number) => (v <= f.maxRadius ? v : null);
  const { overall, perClass } = summariseRadiiByClass(f, n, options.classLabels ?? encoding.label?.classes ?? []);
  return {
    norm: f.norm,
    method: f.method,
    exact: f.exact,
    maxRadius: f.maxRadius,
    rows: n,
    flipped: overall.flipped,
    median: finite(overall.median),
    perClass: perClass.map((s) => ({ class: s.class, label: s.label, rows: s.rows, flipped: s.flipped, median: finite(s.median) })),
  };
}
