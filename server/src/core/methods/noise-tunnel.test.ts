import { describe, it, expect, beforeAll } from 'vitest';
import { initEngine } from '../engine/backend';
import { saliency, type SaliencyParams } from './saliency';
import { smoothgrad } from './smoothgrad';
import { smoothgradSq } from './smoothgrad-sq';
import { vargrad } from './vargrad';
import { zigguratNormal, type NoiseTunnelParams } from './noise-tunnel';
import { createRng } from '../util/random';
import { resolveParams } from './params';
import type { AttributionInput } from './types';
import { expectClose } from '../../../test/helpers';
import { MIXED, W, linearModel, mixedRows, mlpModel } from '../../../test/models';

const params = (given: Record<string, unknown> = {}) => resolveParams<NoiseTunnelParams>('smoothgrad', smoothgrad.params, given);

describe('smoothgrad, smoothgrad-sq, vargrad', () => {
  beforeAll(() => initEngine());
  const n = 5;
  const X = mixedRows(n);
  const bgN = 30;
  const background = mixedRows(bgN, 42);

  it('give w, w² and 0 for a linear model, whose gradient is the same everywhere', async () => {
    const model = linearModel('regression');
    const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'predicted' }, background, backgroundN: bgN, seed: 3 };
    const tile = (f: (w: number) => number) => Float32Array.from({ length: n * 5 }, (_, k) => f(W[k % 5]!));
    expectClose((await smoothgrad.attribute(input, params({ samples: 8 }))).encoded, tile((w) => w), 1e-6);
    expectClose((await smoothgradSq.attribute(input, params({ samples: 8 }))).encoded, tile((w) => w * w), 1e-6);
    expectClose((await vargrad.attribute(input, params({ samples: 8 }))).encoded, tile(() => 0), 0, 1e-6);
    model.dispose();
  });

  it('scale the noise by noiseLevel x the column range on the background, or use it as is', async () => {
    const model = linearModel('regression');
    const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'predicted' }, background, backgroundN: bgN };
    const range = [0, 1, 2, 3, 4].map((j) => {
      const col = Array.from({ length: bgN }, (_, i) => background[i * 5 + j]!);
      return Math.max(...col) - Math.min(...col);
    });
    const rel = await smoothgrad.attribute(input, params({ samples: 2, noiseLevel: 0.2 }));
    expectClose(rel.extras.noiseStd as number[], range.map((r) => 0.2 * r), 1e-6);
    const abs = await smoothgrad.attribute({ ...input, background: undefined, backgroundN: undefined }, params({ samples: 2, noiseLevel: 0.1, absoluteNoise: true }));
    expectClose(abs.extras.noiseStd as number[], [0.1, 0.1, 0.1, 0.1, 0.1], 1e-6);
    await expect(smoothgrad.attribute({ ...input, background: undefined }, params())).rejects.toThrow(/needs background .* absoluteNoise=true/);
    model.dispose();
  });

  it('on a nonlinear model: vargrad = smoothgrad-sq - smoothgrad² (same draws), seeded, batching-independent, saliency as noise -> 0', async () => {
    const model = mlpModel();
    const input: AttributionInput = { model, encoding: MIXED, X, n, target: { kind: 'class', index: 0 }, background, backgroundN: bgN, seed: 11 };
    const p = params({ samples: 40, noiseLevel: 0.3 });
    const sg = await smoothgrad.attribute(input, p);
    const sq = await smoothgradSq.attribute(input, p);
    const vg = await vargrad.attribute(input, p);
    expectClose(vg.encoded, Float32Array.from(sq.encoded, (v, k) => v - sg.encoded[k]! ** 2), 1e-4, 1e-6);
    expect(Math.max(...vg.encoded)).toBeGreaterThan(1e-4);
    expectClose((await smoothgrad.attribute(input, { ...p, batchSize: 7 })).encoded, sg.encoded, 1e-5, 1e-7);
    const other = await smoothgrad.attribute({ ...input, seed: 12 }, p);
    expect(Array.from(other.encoded)).not.toEqual(Array.from(sg.encoded));
    const sal = await saliency.attribute(input, resolveParams<SaliencyParams>('saliency', saliency.params));
    const tiny = await smoothgrad.attribute(input, params({ samples: 4, noiseLevel: 1e-5, absoluteNoise: true }));
    expectClose(tiny.encoded, sal.encoded, 1e-3, 1e-5);
    model.dispose();
  });
});

describe('zigguratNormal', () => {
  // Φ by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), ample for a KS bound of ~3e-3.
  const phi = (x: number) => {
    const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
    const y = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-(x * x) / 2);
    return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
  };

  it('draws standard normals: KS distance, moments and both tails beyond the ziggurat base', () => {
    const n = 400_000;
    const draw = zigguratNormal(createRng(7));
    const x = Float64Array.from({ length: n }, draw).sort();
    let d = 0;
    for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(phi(x[i]!) - i / n), Math.abs(phi(x[i]!) - (i + 1) / n));
    // KS critical value at alpha = 0.001: 1.95 / sqrt(n).
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    const mean = x.reduce((a, v) => a + v, 0) / n;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
    const kurtosis = x.reduce((a, v) => a + (v - mean) ** 4, 0) / n / variance ** 2;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(kurtosis - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    // P(X > 3.442619855899) = 2.8803e-4 per side: the tail branch, ~115 expected draws each.
    const r = 3.442619855899;
    const upper = x.filter((v) => v > r).length;
    const lower = x.filter((v) => v < -r).length;
    for (const c of [upper, lower]) expect(Math.abs(c - n * 2.8803e-4)).toBeLessThan(5 * Math.sqrt(n * 2.8803e-4));
  });

  it('is a function of the seed', () => {
    const a = zigguratNormal(createRng(3));
    const b = zigguratNormal(createRng(3));
    const c = zigguratNormal(createRng(4));
    const xs = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(xs);
    expect(Array.from({ length: 50 }, c)).not.toEqual(xs);
  });
});
