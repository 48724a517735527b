/**
 * Robustness in the timeline: on two checkpoints whose logit difference is linear (w · x over the
 * encoded columns), the minimal L2 flip distance of a row is |w · x| / ‖w_S‖₂ over the perturbed
 * (numeric) columns S, so each point's median is checked against that closed form; PGD's radius is
 * an upper bound within a few percent of it. The points use one fixed sample and equal what
 * `glassbox robustness --norm l2` reports for each checkpoint with the same sample and seed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { initEngine } from '../engine/backend';
import { Project } from '../project';
import { takeRows } from '../data/dataset';
import { timeline, robustnessRows } from './timeline';
import { COLUMNS, linear, withModel, writeFixture } from '../../../test/checks-fixture';
import { runCli } from '../../cli/main';

const W1 = [2, 1, 0, 0, 0, 0];
const W2 = [0.5, 2, 0, 0, 0, 0];
const NUMERIC = new Set(['x1', 'x2', 'noise', 'leak']);

beforeAll(async () => {
  await initEngine();
});

/** The closed-form minimal L2 flip distance of each row, and their lower median (as summariseRadii takes it). */
function closedFormMedian(w: number[], X: Float32Array, n: number): number {
  const d = COLUMNS.length;
  const norm = Math.sqrt(COLUMNS.reduce((s, c, j) => s + (NUMERIC.has(c) ? w[j]! ** 2 : 0), 0));
  const r = Array.from({ length: n }, (_, i) => Math.abs(w.reduce((s, v, j) => s + v * X[i * d + j]!, 0)) / norm).sort((a, b) => a - b);
  return r[Math.floor(0.5 * (n - 1))]!;
}

describe('timeline robustness', () => {
  it('gives each checkpoint the median minimal L2 flip distance over one fixed sample, matching the closed form and `glassbox robustness`', async () => {
    const dir = writeFixture();
    await withModel(dir, linear(W1), 'epoch-1', 1);
    await withModel(dir, linear(W2), 'epoch-2', 2);
    const project = Project.open(path.join(dir, 'glassbox.json'));
    const t = await timeline(project, { checks: false, robustness: { sample: 60, seed: 3 } });
    const { dataset, rows } = await robustnessRows(project, 60, 3);
    expect(t.robustnessSample).toEqual({ file: dataset.file, rows, seed: 3 });
    expect(dataset.file).toBe(path.join(dir, 'test.csv'));
    expect(rows).toHaveLength(60);
    // Another seed, other rows: the sample is what makes points comparable.
    expect((await robustnessRows(project, 60, 4)).rows).not.toEqual(rows);
    const X = takeRows(dataset, rows);
    for (const [k, w] of [W1, W2].entries()) {
      const r = t.points[k]!.robustness!;
      expect(r.norm).toBe('l2');
      expect(r.method).toBe('pgd');
      expect(r.rows).toBe(60);
      expect(r.flipped).toBe(1);
      const exact = closedFormMedian(w, X, 60);
      // PGD finds a flip at most a few percent beyond the true minimum, never below it.
      expect(r.median!).toBeGreaterThanOrEqual(exact * (1 - 1e-3));
      expect(r.median!).toBeLessThanOrEqual(exact * 1.05);
      expect(r.perClass.reduce((s, c) => s + c.rows, 0)).toBe(60);
      // The same number `glassbox robustness` prints for this checkpoint, sample and seed.
      let out = '';
      const code = await runCli(['robustness', '--json', '--norm', 'l2', '--sample', '60', '--seed', '3', '--checkpoint', `epoch-${k + 1}`], { cwd: dir, stdout: (s) => (out += s), stderr: () => undefined });
      expect(code).toBe(0);
      const cli = JSON.parse(out);
      expect(cli.perRow.map((p: { row: number }) => p.row)).toEqual(rows);
      expect(cli.norms[0].overall.median).toBe(r.median);
    }
    // W2 weighs x2 (spread like x1) more and x1 less: its boundary distances differ from W1's.
    expect(t.points[0]!.robustness!.median).not.toBeCloseTo(t.points[1]!.robustness!.median!, 3);
    const off = await timeline(project, { checks: false, robustness: false });
    expect(off.robustnessSample).toBeUndefined();
    expect(off.points.every((p) => p.robustness === null && p.robustnessReason === 'robustness not measured')).toBe(true);
    await project.dispose();
  });

  it('refuses a sample that is not a positive whole number', async () => {
    const dir = writeFixture();
    await withModel(dir, linear(W1), 'epoch-1', 1);
    const project = Project.open(path.join(dir, 'glassbox.json'));
    await expect(robustnessRows(project, 0)).rejects.toThrow('the robustness sample must be a positive whole number of rows, got 0');
    await project.dispose();
  });
});
