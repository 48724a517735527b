/**
 * A checkpoint's robustness over a sample of rows: the minimal flip radius per row under L2 and
 * L∞ (flip.ts) summarised overall and per predicted class, and local sensitivity (sensitivity.ts)
 * with the unstable rows. Plain numbers out, so results of two checkpoints compare directly.
 */
import type { Encoding } from '../data/encoding';
import { GlassboxError } from '../errors';
import type { ModelHandle } from '../model/model';
import { minimalFlip, type FlipMethod, type FlipOptions, type FlipResult, type Norm } from './flip';
import { localSensitivity, type SensitivityOptions, type SensitivityResult } from './sensitivity';

export interface RadiusSummary {
  rows: number;
  /** Share of rows flipped within the largest radius searched. */
  flipped: number;
  /** Quantiles of the radius over all rows (Infinity for rows not flipped). */
  q10: number;
  q25: number;
  median: number;
  q75: number;
}

export interface NormReport {
  norm: Norm;
  method: FlipMethod;
  exact: boolean;
  maxRadius: number;
  overall: RadiusSummary;
  perClass: Array<{ class: number; label: string } & RadiusSummary>;
}

export interface RobustnessReport {
  rows: number;
  norms: NormReport[];
  sensitivity: {
    radius: number;
    threshold: number;
    method: SensitivityResult['method'];
    /** Share of rows flagged unstable. */
    unstableShare: number;
    /** Per numeric feature: mean and largest |Δp| moving it alone by ±radius. */
    perFeature: Array<{ feature: string; mean: number; max: number }>;
    joint: { mean: number; median: number; max: number };
  };
}

export interface RobustnessOptions {
  norms?: Norm[];
  flip?: Omit<FlipOptions, 'norm'>;
  sensitivity?: SensitivityOptions;
  classLabels?: string[];
}

export interface RobustnessResult {
  report: RobustnessReport;
  flips: FlipResult[];
  sensitivity: SensitivityResult;
}

export function robustness(model: ModelHandle, encoding: Encoding, X: Float32Array, n: number, options: RobustnessOptions = {}): RobustnessResult {
  if (n < 1) throw new GlassboxError('usage', 'robustness needs at least one row');
  const labels = options.classLabels ?? encoding.label?.classes ?? [];
  const flips = (options.norms ?? ['l2', 'linf']).map((norm) => minimalFlip(model, encoding, X, n, { ...options.flip, norm }));
  const sensitivity = localSensitivity(model, encoding, X, n, options.sensitivity);
  const norms = flips.map((f): NormReport => ({ norm: f.norm, method: f.method, exact: f.exact, maxRadius: f.maxRadius, ...summariseRadiiByClass(f, n, labels) }));
  const F = sensitivity.features.length;
  const perFeature = sensitivity.features.map((feature, j) => {
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = sensitivity.perFeature[i * F + j]!;
      sum += v;
      max = Math.max(max, v);
    }
    return { feature, mean: sum / n, max };
  });
  const joint = Array.from(sensitivity.joint).sort((a, b) => a - b);
  return {
    flips,
    sensitivity,
    report: {
      rows: n,
      norms,
      sensitivity: {
        radius: sensitivity.radius,
        threshold: sensitivity.threshold,
        method: sensitivity.method,
        unstableShare: sensitivity.unstable.length / n,
        perFeature,
        joint: { mean: joint.reduce((s, v) => s + v, 0) / n, median: quantile(joint, 0.5), max: joint[n - 1]! },
      },
    },
  };
}

/** Radius quantiles over `rows` of a flip result (Infinity for rows not flipped). */
export function summariseRadii(f: FlipResult, rows: number[]): RadiusSummary {
  const r = rows.map((i) => f.radius[i]!).sort((a, b) => a - b);
  const finite = r.filter((v) => v <= f.maxRadius);
  return { rows: rows.length, flipped: rows.length ? finite.length / rows.length : 0, q10: quantile(r, 0.1), q25: quantile(r, 0.25), median: quantile(r, 0.5), q75: quantile(r, 0.75) };
}

/**
 * Radius quantiles over all n rows of a flip result, and per predicted class (ascending class
 * index) labelled from `labels` (the class index where it has no label).
 */
export function summariseRadiiByClass(f: FlipResult, n: number, labels: readonly string[]): { overall: RadiusSummary; perClass: Array<{ class: number; label: string } & RadiusSummary> } {
  const all = Array.from({ length: n }, (_, i) => i);
  const classes = [...new Set(f.predicted)].sort((a, b) => a - b);
  return {
    overall: summariseRadii(f, all),
    perClass: classes.map((c) => ({
      class: c,
      label: labels[c] ?? String(c),
      ...summariseRadii(
        f,
        all.filter((i) => f.predicted[i] === c),
      ),
    })),
  };
}

/** Lower quantile of sorted values (no interpolation, so Infinity stays exact). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}
