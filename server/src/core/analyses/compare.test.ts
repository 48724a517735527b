import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../engine/tf';
import { initEngine } from '../engine/backend';
import { Project } from '../project';
import { compare, rankOf } from './compare';
import { timeline } from './timeline';
import { linear, withModel, writeFixture } from '../../../test/checks-fixture';
import { GlassboxError } from '../errors';
import { runCli } from '../../cli/main';

beforeAll(async () => {
  await initEngine();
});

// Encoded columns: x1, x2, noise, grp=A, grp=B, leak; the logit difference is w . x.
const W1 = [2, 1, 0, 0, 0, 0];
const W2 = [0.5, 2, 0, 0, 0, 0];

async function twoCheckpoints(): Promise<{ dir: string; project: Project }> {
  const dir = writeFixture();
  await withModel(dir, linear(W1), 'epoch-1', 1);
  await withModel(dir, linear(W2), 'epoch-2', 2);
  return { dir, project: Project.open(path.join(dir, 'glassbox.json')) };
}

describe('compare', () => {
  it('reports no change for a checkpoint compared with itself, and leaks no tensor', async () => {
    const { project } = await twoCheckpoints();
    const ck = project.resolveCheckpoint('epoch-2');
    const before = tf.memory().numTensors;
    const c = await compare({ project, checkpoint: ck }, { project, checkpoint: ck });
    // What stays is the project's model cache (the checks load earlier checkpoints too); freed here.
    await project.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(c.changed).toBe(false);
    expect(c.flipped.rows).toBe(0);
    expect(c.checks).toEqual([]);
    expect(c.ranks.every((r) => r.change === 0 && r.shareA === r.shareB)).toBe(true);
    expect(c.agreement.spearman).toBeCloseTo(1, 12);
    expect(c.agreement.overlap).toBe(c.agreement.topK);
    expect(c.disagreement.every((d) => d.spearman === 1)).toBe(true);
    expect(c.metrics.every((m) => m.change === 0)).toBe(true);
    expect(c.drift.every((d) => d.change === 0 && d.quadrantA === d.quadrantB)).toBe(true);
  });

  it('finds exactly the rows whose predicted class flipped (brute force on w . x) and the rank swap', async () => {
    const { project } = await twoCheckpoints();
    const a = { project, checkpoint: project.resolveCheckpoint('epoch-1') };
    const b = { project, checkpoint: project.resolveCheckpoint('epoch-2') };
    const c = await compare(a, b, { checks: false, drift: false });
    const test = await project.dataset('test');
    const W = test.width;
    const flipped: number[] = [];
    for (let i = 0; i < test.n; i++) {
      const z1 = W1.reduce((s, w, j) => s + w * test.X[i * W + j]!, 0);
      const z2 = W2.reduce((s, w, j) => s + w * test.X[i * W + j]!, 0);
      if (z1 > 0 !== z2 > 0) flipped.push(i);
    }
    expect(flipped.length).toBeGreaterThan(5);
    expect(c.flipped.rows).toBe(flipped.length);
    expect(c.flipped.listed.map((r) => r.row).sort((x, y) => x - y)).toEqual(flipped.slice().sort((x, y) => x - y).filter((r) => c.flipped.listed.some((l) => l.row === r)));
    for (const r of c.flipped.listed) expect(flipped).toContain(r.row);
    // Listed rows carry the line of the row in the file and attributions under both models.
    const first = c.flipped.listed[0]!;
    expect(first.line).toBe(test.lines[first.row]);
    expect(Object.keys(first.attributionsA).sort()).toEqual(['grp', 'leak', 'noise', 'x1', 'x2']);
    // x1 leads in A (weight 2 vs 1), x2 in B (2 vs 0.5): the two swap ranks 1 and 2.
    const x1 = c.ranks.find((r) => r.feature === 'x1')!;
    const x2 = c.ranks.find((r) => r.feature === 'x2')!;
    expect([x1.rankA, x1.rankB, x2.rankA, x2.rankB]).toEqual([1, 2, 2, 1]);
    expect(c.changed).toBe(true);
    // Accuracy on each data set as `glassbox predict` computes it.
    let out = '';
    await runCli(['predict', '--json', '--checkpoint', 'epoch-2', '--data', 'test', '--limit', String(test.n)], { cwd: project.root, stdout: (s) => (out += s), stderr: () => undefined });
    expect(c.metrics.find((m) => m.role === 'test' && m.metric === 'accuracy')!.b).toBeCloseTo(JSON.parse(out).accuracy, 12);
    await project.dispose();
  });

  it('refuses sides with different features, naming them, at the other project', async () => {
    const { project } = await twoCheckpoints();
    const other = writeFixture();
    const cfg = JSON.parse(fs.readFileSync(path.join(other, 'glassbox.json'), 'utf8'));
    cfg.features = { ...cfg.features, leak: { type: 'categorical' } };
    fs.writeFileSync(path.join(other, 'glassbox.json'), JSON.stringify(cfg));
    await withModel(other, linear(W1));
    const p2 = Project.open(path.join(other, 'glassbox.json'));
    const err = await compare({ project, checkpoint: project.latestCheckpoint() }, { project: p2, checkpoint: p2.latestCheckpoint() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect((err as GlassboxError).message).toMatch(/different encodings \(leak is numeric in A, categorical in B\)/);
    expect((err as GlassboxError).location?.file).toBe(path.join(other, 'glassbox.json'));
    await project.dispose();
    await p2.dispose();
  });

  it('ranks ties to the better rank, in feature order', () => {
    expect(rankOf([0.1, 0.5, 0.1, 0.3])).toEqual([3, 1, 3, 2]);
  });
});

describe('timeline', () => {
  it('gives one point per ready checkpoint with the checks and the shares of that checkpoint', async () => {
    const { project } = await twoCheckpoints();
    const t = await timeline(project);
    expect(t.points.map((p) => p.checkpoint.name)).toEqual(['epoch-1', 'epoch-2']);
    for (const p of t.points) {
      expect(p.shares.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
      expect(p.perRowMean.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    }
    const x1 = t.features.indexOf('x1');
    const x2 = t.features.indexOf('x2');
    expect(t.points[0]!.shares[x1]!).toBeGreaterThan(t.points[0]!.shares[x2]!);
    expect(t.points[1]!.shares[x2]!).toBeGreaterThan(t.points[1]!.shares[x1]!);
    // The check status per point is what `glassbox check` says for that checkpoint.
    let out = '';
    const code = await runCli(['check', '--json', '--checkpoint', 'epoch-1'], { cwd: project.root, stdout: (s) => (out += s), stderr: () => undefined });
    const report = JSON.parse(out);
    expect(t.points[0]!.ok).toBe(code === 0);
    expect(t.points[0]!.checks!.map((c) => [c.id, c.status])).toEqual(report.results.map((r: { id: string; status: string }) => [r.id, r.status]));
    const ls = report.results.find((r: { id: string }) => r.id === 'label-suspects');
    // The count the check states in its summary ("N of the top K suspects ...").
    expect(t.points[0]!.suspects.count).toBe(ls.status === 'skip' ? null : Number(/^(\d+) of the top/.exec(ls.summary)![1]));
    await project.dispose();
  });
});
