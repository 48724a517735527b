/**
 * The k-means background summary is computed once per training-row array: a second request for
 * the same summary is the same object, equal to what a fresh computation (on a copy of the rows)
 * gives, and other sizes or seeds are their own summaries.
 */
import { describe, expect, it } from 'vitest';
import { backgroundFrom } from './perturb';
import type { AttributionInput } from './types';

const WIDTH = 3;
const N = 300;
const rows = Float32Array.from({ length: N * WIDTH }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
const input = (background: Float32Array) => ({ encoding: { width: WIDTH }, background, backgroundN: N }) as unknown as AttributionInput;

describe('k-means background summary cache', () => {
  it('answers a repeated request with the same summary a fresh computation gives', () => {
    const first = backgroundFrom(input(rows), 'kernel-shap', 8, 'kmeans', 0);
    expect(backgroundFrom(input(rows), 'kernel-shap', 8, 'kmeans', 0)).toBe(first);
    const fresh = backgroundFrom(input(rows.slice()), 'kernel-shap', 8, 'kmeans', 0);
    expect(fresh).not.toBe(first);
    expect([Array.from(fresh.B), fresh.m, Array.from(fresh.w)]).toEqual([Array.from(first.B), first.m, Array.from(first.w)]);
    expect(first.w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('keeps other sizes, seeds and the sampled summary apart', () => {
    const a = backgroundFrom(input(rows), 'kernel-shap', 8, 'kmeans', 0);
    expect(backgroundFrom(input(rows), 'kernel-shap', 4, 'kmeans', 0).m).toBe(4);
    expect(backgroundFrom(input(rows), 'kernel-shap', 8, 'kmeans', 1)).not.toBe(a);
    const sampled = backgroundFrom(input(rows), 'kernel-shap', 8, 'sample', 0);
    expect(sampled).not.toBe(a);
    expect(Array.from(sampled.w)).toEqual(new Array(8).fill(1 / 8));
  });
});
