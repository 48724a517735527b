/**
 * A tiny synthetic project for the check tests: numeric x1, x2, noise, a categorical grp (A/B) and
 * a column `leak`, a binary label y = [x1 + 0.5 x2 + 0.3 e > 0], and hand-built dense models whose
 * weights plant (or do not plant) each bug. Encoded columns: x1, x2, noise, grp=A, grp=B, leak.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, tfl } from '../src/core/engine/tf';
import { initEngine } from '../src/core/engine/backend';
import { saveCheckpoint } from '../src/core/model/io';
import { createRng } from '../src/core/util/random';
import { Project } from '../src/core/project';
import { tmpDir } from './helpers';

export const COLUMNS = ['x1', 'x2', 'noise', 'grp=A', 'grp=B', 'leak'] as const;

export interface FixtureOptions {
  /** `leak` equals the label in training rows (random in test rows); else random in both. */
  leak?: boolean;
  /** Extra glassbox.json keys (merged over the defaults). */
  config?: Record<string, unknown>;
}

export const DEFAULT_EXPECTATIONS = {
  irrelevant: [{ feature: 'noise', maxShare: 0.05 }],
  monotonic: { x1: 'increasing' },
  expectedTop: { features: ['x1'], k: 2 },
};

function writeData(file: string, n: number, seed: number, leak: boolean): void {
  const rng = createRng(seed);
  const lines = ['x1,x2,noise,grp,leak,y'];
  for (let i = 0; i < n; i++) {
    const x1 = rng.normal();
    const x2 = rng.normal();
    const y = x1 + 0.5 * x2 + 0.3 * rng.normal() > 0 ? 1 : 0;
    const grp = rng.next() < 0.5 ? 'A' : 'B';
    const l = leak ? y : rng.int(2);
    lines.push([x1.toFixed(4), x2.toFixed(4), rng.normal().toFixed(4), grp, l, y].join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Writes the data and glassbox.json into a fresh directory; returns the directory. */
export function writeFixture(options: FixtureOptions = {}): string {
  const dir = tmpDir('checks');
  writeData(path.join(dir, 'train.csv'), 600, 1, Boolean(options.leak));
  writeData(path.join(dir, 'test.csv'), 300, 2, false);
  const config = {
    data: { train: 'train.csv', test: 'test.csv' },
    label: 'y',
    task: 'binary',
    features: { x1: { type: 'numeric' }, x2: { type: 'numeric' }, noise: { type: 'numeric' }, grp: { type: 'categorical' }, leak: { type: 'numeric' } },
    checkpoints: { path: 'checkpoints' },
    model: { output: 'logits' },
    protected: ['grp'],
    expectations: DEFAULT_EXPECTATIONS,
    ...options.config,
  };
  fs.writeFileSync(path.join(dir, 'glassbox.json'), JSON.stringify(config, null, 2) + '\n');
  return dir;
}

/** A model whose class-1 logit minus class-0 logit is w . x (per encoded column). */
export function linear(w: number[]): tfl.Sequential {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [COLUMNS.length], units: 2, name: 'logits' })] });
  const kernel = tf.tensor2d(w.flatMap((v) => [-v / 2, v / 2]), [COLUMNS.length, 2]);
  const bias = tf.zeros([2]);
  m.setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
  return m;
}

/**
 * Logit difference 2 relu(x1 + 4) - kink * relu(x1) + relu(x2 + 5) - 13: increasing in x1 for
 * kink < 2, falling for x1 > 0 when kink > 2 (a monotonic relation broken on purpose).
 */
export function kinked(kink: number): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [COLUMNS.length], units: 3, activation: 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 2, name: 'logits' }),
    ],
  });
  const k1 = new Float32Array(COLUMNS.length * 3);
  k1[0 * 3 + 0] = 1; // x1 -> u1
  k1[0 * 3 + 1] = 1; // x1 -> u2
  k1[1 * 3 + 2] = 1; // x2 -> u3
  const out = [2, -kink, 1];
  const weights = [tf.tensor2d(k1, [COLUMNS.length, 3]), tf.tensor1d([4, 0, 5]), tf.tensor2d(out.flatMap((v) => [-v / 2, v / 2]), [3, 2]), tf.tensor1d([6.5, -6.5])];
  m.setWeights(weights);
  tf.dispose(weights);
  return m;
}

/** Saves `model` as checkpoint `name` of the fixture and opens the project. */
export async function withModel(dir: string, model: tfl.LayersModel, name = 'epoch-1', epoch = 1): Promise<Project> {
  await initEngine();
  await saveCheckpoint(model, path.join(dir, 'checkpoints', name), { epoch });
  model.dispose();
  return Project.open(path.join(dir, 'glassbox.json'));
}
