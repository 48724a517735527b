/**
 * Unit-level kernel comparison (checkpoint-reset): a layer half re-initialised keeps a whole-kernel
 * cosine well above the 0.3 reset limit, and is caught by the share of its units that lost their
 * direction; small training steps move no unit that far. Hand-built kernels, so the cosines are
 * known in closed form.
 */
import { describe, it, expect } from 'vitest';
import type { ModelHandle } from '../model/model';
import { createRng } from '../util/random';
import { compareKernels, PARTIAL_RESET_SHARE, RESET_COSINE } from './checkpoint-reset';

/** A handle exposing one [R, C] kernel as its only parameter (all compareKernels reads). */
const handle = (values: Float32Array, R: number, C: number) => ({ parameters: () => [{ name: 'dense/kernel', group: 'dense', shape: [R, C], values }] }) as unknown as ModelHandle;

describe('checkpoint-reset, unit by unit', () => {
  const R = 32;
  const C = 16;
  const rng = createRng(5);
  const trained = Float32Array.from({ length: R * C }, () => rng.normal());

  it('rows replaced by fresh ones: the whole kernel still looks related, its rows do not', () => {
    // Rows 0..15 replaced by independent draws: each new row is orthogonal to its old one in
    // expectation (cosine ~ N(0, 1/16)); the kernel keeps the other half of its dot product: ≈ 0.5.
    const edited = Float32Array.from(trained);
    for (let i = 0; i < (R / 2) * C; i++) edited[i] = rng.normal();
    const [l] = compareKernels(handle(trained, R, C), handle(edited, R, C));
    expect(l!.cosine).toBeGreaterThan(RESET_COSINE);
    expect(l!.units).toBe(R);
    // Brute force: the rows below the limit are the replaced ones (a fresh row can land above 0.3 by
    // chance, P ≈ 0.12 each with 16 entries, so at least 10 of the 16 here).
    expect(l!.resetUnits).toBeGreaterThanOrEqual(10);
    expect(l!.resetUnits).toBeLessThanOrEqual(16);
    expect(l!.resetUnits / l!.units).toBeGreaterThanOrEqual(PARTIAL_RESET_SHARE);
  });

  it('columns replaced (the [in, out] layout) are counted along the other axis', () => {
    const edited = Float32Array.from(trained);
    for (let r = 0; r < R; r++) for (let c = 0; c < C / 2; c++) edited[r * C + c] = rng.normal();
    const [l] = compareKernels(handle(trained, R, C), handle(edited, R, C));
    expect(l!.units).toBe(C);
    expect(l!.resetUnits).toBeGreaterThanOrEqual(6);
  });

  it('a training step (5% relative noise on every weight) moves no unit below the limit', () => {
    const stepped = Float32Array.from(trained, (w) => w + 0.05 * rng.normal());
    const [l] = compareKernels(handle(trained, R, C), handle(stepped, R, C));
    expect(l!.cosine).toBeGreaterThan(0.99);
    expect(l!.resetUnits).toBe(0);
  });
});
