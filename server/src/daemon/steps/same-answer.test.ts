/**
 * "The same question gets the same answer everywhere": `glassbox explain --json` and the daemon's
 * row explanation (the explain-row step the worker runs for hovers and the Explain panel) give
 * identical numbers for the same row, method and seed; `glassbox importance --json --data train`
 * and the daemon's importance step give identical shares over the same rows. Both sides run their
 * real code (the CLI's runCli, the step's run as the worker calls it) on a small project: the MLP
 * of the anchors, an XGBoost booster, and 300 training rows (under the step's 1,000-row sample, so
 * both cover every training row). `glassbox compare --json` and the daemon's compare step (the
 * Compare panel) give the same ranks, shares, flipped rows and disagreement.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main';
import { initEngine } from '../../core/engine/backend';
import { tf } from '../../core/engine/tf';
import { Project } from '../../core/project';
import { ANCHORS, DATA, REPO, tmpDir } from '../../../test/helpers';
import { explainRowStep } from './explain-row';
import { importanceStep } from './importance';
import { compareStep } from './compare';
import type { StepContext } from './types';

const TRAIN_ROWS = 300;

function smallProject(name: string, config: Record<string, unknown>): string {
  const dir = tmpDir(`same-answer-${name}`);
  const lines = fs.readFileSync(path.join(DATA, 'adult_train.csv'), 'utf8').split('\n');
  fs.writeFileSync(path.join(dir, 'train.csv'), lines.slice(0, TRAIN_ROWS + 1).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'test.csv'), fs.readFileSync(path.join(DATA, 'adult_test.csv'), 'utf8').split('\n').slice(0, 41).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify({ data: { train: 'train.csv', test: 'test.csv' }, label: 'income', ...config }));
  return dir;
}

async function cli(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout);
}

async function daemonRun<R>(dir: string, run: (ctx: StepContext) => Promise<R>, params: Record<string, unknown>): Promise<R> {
  const project = Project.open(path.join(dir, 'glassbox.json'));
  try {
    return await run({ project, checkpoint: project.latestCheckpoint(), signal: new AbortController().signal, progress: () => undefined, params });
  } finally {
    await project.dispose();
  }
}

const projects = {
  mlp: () => smallProject('mlp', { encoding: path.join(ANCHORS, 'encoding.json'), checkpoints: { path: path.join(ANCHORS, 'adult-mlp/checkpoints') }, model: { output: 'logits' } }),
  xgboost: () => {
    const src = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
    return smallProject('xgb', { task: 'binary', classNames: ['<=50K', '>50K'], encoding: path.join(src, 'encoding.json'), checkpoints: { path: path.join(src, 'checkpoints') } });
  },
};

describe('one answer for the CLI and the daemon', () => {
  const dirs: Record<string, string> = {};
  beforeAll(async () => {
    await initEngine();
    dirs.mlp = projects.mlp();
    dirs.xgboost = projects.xgboost();
  });

  for (const [name, method, seed] of [
    ['mlp', 'kernel-shap', 7],
    ['mlp', undefined, undefined],
    ['xgboost', undefined, undefined],
  ] as const) {
    it(`explain: ${name}, ${method ?? 'default method'}${seed !== undefined ? `, seed ${seed}` : ''}: CLI JSON equals the daemon's row explanation`, async () => {
      const dir = dirs[name]!;
      const line = 5;
      const before = tf.memory().numTensors;
      const c = await cli(dir, ['explain', '--json', '--data', 'test', '--line', String(line), ...(method ? ['--method', method] : []), ...(seed !== undefined ? ['--seed', String(seed)] : [])]);
      const d = await daemonRun(dir, (ctx) => explainRowStep.run(ctx), { file: path.join(dir, 'test.csv'), line, ...(method ? { method } : {}), ...(seed !== undefined ? { seed } : {}) });
      expect(tf.memory().numTensors).toBe(before);
      expect(d.method).toBe(c.method);
      expect(d.attributions).toEqual(c.rows[0].attributions);
      const p = c.rows[0].prediction;
      expect(d.prediction).toEqual({ class: c.classes[p.class], probability: p.probability });
      // A non-trivial explanation: some feature carries weight.
      expect(Math.max(...Object.values(d.attributions).map(Math.abs))).toBeGreaterThan(1e-6);
      if (name === 'xgboost') expect(d.baseline).toBeTypeOf('number');
      // The default is additive for every model (KernelSHAP for the network, TreeSHAP for the
      // booster): the waterfall runs from the base value to the model output, both given.
      if (method === undefined) expect([d.method, d.methodKind]).toEqual([name === 'mlp' ? 'kernel-shap' : 'tree-shap', 'additive']);
      expect(d.output).toBe(c.rows[0].output);
      // What the panel calls the output: the booster's one margin is the class's log-odds (p is its
      // sigmoid); the network's two logits go through a softmax, so p is not the sigmoid of one.
      expect(d.outputKind).toBe(name === 'mlp' ? 'logit' : 'log-odds');
      if (d.outputKind === 'log-odds' && 'class' in d.prediction) expect(1 / (1 + Math.exp(-d.output!))).toBeCloseTo(d.prediction.probability, 5);
      if (d.methodKind === 'additive') {
        const sum = Object.values(d.attributions).reduce((a, b) => a + b, 0);
        expect(d.baseline! + sum).toBeCloseTo(d.output!, 4);
      }
    }, 120_000);
  }

  for (const name of ['mlp', 'xgboost'] as const) {
    it(`importance: ${name}: CLI JSON over the training rows equals the daemon's importance step`, async () => {
      const dir = dirs[name]!;
      const c = await cli(dir, ['importance', '--json', '--data', 'train']);
      const d = await daemonRun(dir, (ctx) => importanceStep.run(ctx), {});
      expect(c.rows).toBe(TRAIN_ROWS);
      expect(d.rows).toBe(TRAIN_ROWS);
      expect(d.method).toBe(c.method);
      expect(d.features).toEqual(c.features);
      expect(d.meanAbs).toEqual(c.meanAbs);
      expect(d.share).toEqual(c.shares);
      expect(d.perClass.map((k) => [k.label, k.rows, k.meanAbs])).toEqual(c.byPredictedClass.map((k: { label: string; n: number; meanAbs: number[] }) => [k.label, k.n, k.meanAbs]));
    }, 180_000);
  }

  for (const [name, a, b] of [
    ['mlp', 'epoch-1', 'epoch-5'],
    ['xgboost', 'round-10', 'round-30'],
  ] as const) {
    it(`compare: ${name}, ${a} vs ${b}: CLI JSON equals the daemon's compare step`, async () => {
      const dir = dirs[name]!;
      const before = tf.memory().numTensors;
      const c = await cli(dir, ['compare', '--json', '--no-checks', '--no-drift', a, b]);
      const d = await daemonRun(
        dir,
        (ctx) => compareStep.run({ ...ctx, checkpoint: ctx.project.resolveCheckpoint(a), params: { other: ctx.project.resolveCheckpoint(b) } }),
        {},
      );
      expect(tf.memory().numTensors).toBe(before);
      expect([d.a, d.b]).toEqual([a, b]);
      expect(d.method).toBe(c.a.importance.provider);
      expect([d.rows, d.file]).toEqual([c.flipped.of, c.flipped.file]);
      const byFeature = (rows: Array<{ feature: string }>) => [...rows].sort((x, y) => x.feature.localeCompare(y.feature));
      expect(byFeature(d.rankChanges!)).toEqual(
        byFeature(c.ranks.map((r: { feature: string; rankA: number; rankB: number; shareA: number; shareB: number }) => ({ feature: r.feature, rankA: r.rankA, rankB: r.rankB, importanceA: r.shareA, importanceB: r.shareB }))),
      );
      // Shares per side sum to 1, and the panel lists the largest rank change first.
      expect(d.rankChanges!.reduce((s, r) => s + r.importanceA, 0)).toBeCloseTo(1, 9);
      const moves = d.rankChanges!.map((r) => Math.abs(r.rankB - r.rankA));
      expect(moves).toEqual([...moves].sort((x, y) => y - x));
      expect(d.flipped).toEqual(c.flipped.listed.map((f: { file: string; line: number; row: number; before: string; after: string; label?: string }) => ({ file: f.file, line: f.line, row: f.row, before: f.before, after: f.after, ...(f.label !== undefined ? { label: f.label } : {}) })));
      // JSON writes an undefined correlation (constant attributions) as null; the panel leaves it out.
      expect(d.disagreement).toEqual(c.disagreement.filter((x: { spearman: number | null }) => x.spearman !== null).map((x: { feature: string; spearman: number }) => ({ feature: x.feature, spearman: x.spearman })));
      // Two different checkpoints: something moved.
      expect(c.changed).toBe(true);
    }, 240_000);
  }
});
