import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tf } from '../engine/tf';
import { initEngine } from '../engine/backend';
import type { Encoding } from '../data/encoding';
import { predict, type ModelHandle } from '../model/model';
import { inspectCheckpoint } from '../model/checkpoints';
import { loadCheckpointModel } from '../model/formats/load';
import { treeTestModel } from '../../../test/models';
import { CF_ENCODING, cfRows } from '../counterfactual/fixtures';
import { minimalFlip, localSensitivity, robustness } from './index';

async function linearModel(encoding: Encoding, coef: number[][], intercept: number[], link: string, task: 'binary' | 'multiclass'): Promise<ModelHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-robust-'));
  fs.writeFileSync(path.join(dir, 'glassbox-linear.json'), JSON.stringify({ format: 'glassbox-linear', version: 1, coef, intercept, link }));
  return loadCheckpointModel(inspectCheckpoint(dir), { encoding, task });
}

const COEF = [0.8, -1.5, 0.2, -0.3, 0.1, 0.0, 0.4];
const rows = cfRows(30, 5);
const d = CF_ENCODING.width;

/** Class-1 log-odds. */
const zOf = (i: number) => COEF.reduce((s, w, j) => s + w * rows.X[i * d + j]!, -0.1);

describe('minimal prediction flips', () => {
  let binary: ModelHandle;
  beforeAll(async () => {
    await initEngine();
    binary = await linearModel(CF_ENCODING, [COEF], [-0.1], 'logistic', 'binary');
  });

  it('on a logistic model equals the distance to the hyperplane, |z| / ‖w_S‖ (L2) and |z| / ‖w_S‖₁ (L∞), confirmed by moving across it', () => {
    for (const norm of ['l2', 'linf'] as const) {
      for (const columns of ['numeric', 'all'] as const) {
        const S = columns === 'numeric' ? [0, 1] : [0, 1, 2, 3, 4, 5, 6];
        const dual = norm === 'l2' ? Math.hypot(...S.map((j) => COEF[j]!)) : S.reduce((s, j) => s + Math.abs(COEF[j]!), 0);
        const f = minimalFlip(binary, CF_ENCODING, rows.X, rows.n, { norm, columns });
        expect(f.method).toBe('closed-form');
        expect(f.exact).toBe(true);
        for (let i = 0; i < rows.n; i++) {
          const z = zOf(i);
          expect(f.radius[i]).toBeCloseTo(Math.abs(z) / dual, 5);
          // Brute check: the worst-case direction (w_S / ‖w_S‖ or sign(w_S)) just past and just short of the radius.
          const dir = COEF.map((w, j) => (S.includes(j) ? (norm === 'l2' ? w / Math.hypot(...S.map((k) => COEF[k]!)) : Math.sign(w)) : 0));
          const at = (t: number) => Float32Array.from(rows.X.subarray(i * d, (i + 1) * d), (v, j) => v - Math.sign(z) * t * dir[j]!);
          const P = new Float32Array(2 * d);
          P.set(at(f.radius[i]! * 1.001 + 1e-4), 0);
          P.set(at(f.radius[i]! * 0.999 - 1e-4 > 0 ? f.radius[i]! * 0.999 - 1e-4 : 0), d);
          const p = predict(binary, P, 2).predicted!;
          expect(p[0]).toBe(f.flippedTo[i]);
          expect(p[1]).toBe(f.predicted[i]);
        }
      }
    }
  });

  it('PGD finds the same radius within 1 % on binary and multiclass linear models', async () => {
    const enc3: Encoding = { ...CF_ENCODING, label: { name: 'y', classes: ['a', 'b', 'c'] } };
    const coef3 = [COEF, [-0.5, 0.9, 0, 0.3, -0.2, 0.1, 0], [0.3, 0.4, -0.1, 0, 0.2, 0, -0.3]];
    const multi = await linearModel(enc3, coef3, [0.1, 0, -0.2], 'softmax', 'multiclass');
    for (const model of [binary, multi]) {
      for (const norm of ['l2', 'linf'] as const) {
        const exact = minimalFlip(model, model === multi ? enc3 : CF_ENCODING, rows.X, rows.n, { norm, columns: 'all' });
        const before = tf.memory().numTensors;
        const found = minimalFlip(model, model === multi ? enc3 : CF_ENCODING, rows.X, rows.n, { norm, columns: 'all', method: 'pgd', bisections: 16 });
        expect(tf.memory().numTensors).toBe(before);
        expect(found.method).toBe('pgd');
        for (let i = 0; i < rows.n; i++) {
          if (exact.radius[i]! > found.maxRadius) {
            expect(found.radius[i]).toBe(Infinity);
            continue;
          }
          // PGD's radius is that of a perturbation that flips: never below the true minimum.
          expect(found.radius[i]!).toBeGreaterThanOrEqual(exact.radius[i]! * (1 - 1e-4));
          expect(Math.abs(found.radius[i]! - exact.radius[i]!) / Math.max(exact.radius[i]!, 0.01)).toBeLessThan(0.01);
          expect(found.flippedTo[i]).toBe(exact.flippedTo[i]);
        }
      }
    }
    multi.dispose();
  });

  it('on a tree ensemble, random directions give an upper bound close to a brute-force grid minimum (L2, two numeric columns)', async () => {
    const trees = await treeTestModel(CF_ENCODING, 'binary', 2);
    const f = minimalFlip(trees, CF_ENCODING, rows.X, 8, { norm: 'l2', directions: 128, bisections: 16 });
    expect(f.method).toBe('random-directions');
    expect(f.exact).toBe(false);
    // Brute force: a polar grid of radii and angles over the two numeric columns.
    const R = f.maxRadius;
    const radii = 400;
    const angles = 720;
    let compared = 0;
    for (let i = 0; i < 8; i++) {
      const P = new Float32Array(radii * angles * d);
      for (let a = 0; a < angles; a++) {
        for (let k = 0; k < radii; k++) {
          const q = a * radii + k;
          const t = ((k + 1) / radii) * R;
          P.set(rows.X.subarray(i * d, (i + 1) * d), q * d);
          P[q * d]! += t * Math.cos((2 * Math.PI * a) / angles);
          P[q * d + 1]! += t * Math.sin((2 * Math.PI * a) / angles);
        }
      }
      const p = predict(trees, P, radii * angles).predicted!;
      let best = Infinity;
      for (let q = 0; q < p.length; q++) if (p[q] !== f.predicted[i]) best = Math.min(best, (((q % radii) + 1) / radii) * R);
      if (!Number.isFinite(best)) {
        expect(f.radius[i]).toBe(Infinity);
        continue;
      }
      compared++;
      // Upper bound (up to the grid's radial step), and not far above.
      expect(f.radius[i]!).toBeGreaterThanOrEqual(best - R / radii - 1e-9);
      expect(f.radius[i]!).toBeLessThan(best * 1.25 + R / radii);
    }
    expect(compared).toBeGreaterThan(4);
    trees.dispose();
  });
});

describe('local sensitivity', () => {
  it('on a logistic model matches σ(z ± w_j r) per feature and σ(z ± r ‖w_S‖₁) jointly', async () => {
    await initEngine();
    const model = await linearModel(CF_ENCODING, [COEF], [-0.1], 'logistic', 'binary');
    const r = 0.3;
    const before = tf.memory().numTensors;
    const s = localSensitivity(model, CF_ENCODING, rows.X, rows.n, { radius: r, threshold: 0.12 });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.features).toEqual(['age', 'hours']);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const l1 = Math.abs(COEF[0]!) + Math.abs(COEF[1]!);
    for (let i = 0; i < rows.n; i++) {
      const z = zOf(i);
      const own = (v: number) => (z > 0 ? sig(v) : 1 - sig(v));
      const p0 = own(z);
      for (const [j, w] of [COEF[0]!, COEF[1]!].entries()) {
        const expected = Math.max(Math.abs(own(z + w * r) - p0), Math.abs(own(z - w * r) - p0));
        expect(s.perFeature[i * 2 + j]).toBeCloseTo(expected, 5);
      }
      const joint = Math.max(Math.abs(own(z + r * l1) - p0), Math.abs(own(z - r * l1) - p0));
      expect(s.joint[i]).toBeCloseTo(joint, 5);
      expect(s.unstable.includes(i)).toBe(joint >= 0.12);
    }
    expect(s.unstable.length).toBeGreaterThan(0);
    // The summary over classes partitions the rows.
    const rep = robustness(model, CF_ENCODING, rows.X, rows.n, { sensitivity: { radius: r } }).report;
    for (const nr of rep.norms) expect(nr.perClass.reduce((a, c) => a + c.rows, 0)).toBe(rows.n);
    expect(rep.sensitivity.perFeature.map((p) => p.feature)).toEqual(['age', 'hours']);
    model.dispose();
  });

  it('rejects regression models and bad norms with one-line errors', async () => {
    const reg = await linearModel({ ...CF_ENCODING, label: { name: 'y' } }, [COEF], [0], 'identity', 'binary').catch(() => undefined);
    void reg;
    const model = await linearModel(CF_ENCODING, [COEF], [-0.1], 'logistic', 'binary');
    expect(() => minimalFlip(model, CF_ENCODING, rows.X, 2, { norm: 'l3' as never })).toThrow(/the norm must be l2 or linf, got 'l3'/);
    expect(() => minimalFlip(model, CF_ENCODING, rows.X, 2, { norm: 'l2', maxRadius: -1 })).toThrow(/largest radius must be positive/);
    const trees = await treeTestModel(CF_ENCODING, 'binary', 2);
    expect(() => minimalFlip(trees, CF_ENCODING, rows.X, 2, { norm: 'l2', method: 'pgd' })).toThrow(/PGD needs gradients/);
    trees.dispose();
    model.dispose();
  });
});
