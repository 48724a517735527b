/**
 * TracInCP against the Captum/closed-form references on the fixed Adult MLP (5 checkpoints,
 * learning-rate weight 1 each, all weights and biases; and the last-layer variant).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANCHORS, anchorProject, expectClose, readAnchor, tmpDir } from '../../../test/helpers';
import { tf } from '../engine/tf';
import type { Project } from '../project';
import { spearman, pearson } from '../util/stats';
import { InfluenceIndex } from './index';
import { FileInfluenceStore } from './store';

let project: Project;
let index: InfluenceIndex;
let storeDir: string;
const ref = { tracin: [] as number[], fast: [] as number[] };

beforeAll(async () => {
  project = await anchorProject();
  storeDir = tmpDir('influence');
  index = await InfluenceIndex.open(project, { learningRate: 1, store: new FileInfluenceStore(storeDir) });
  const lines = fs.readFileSync(path.join(ANCHORS, 'tracin_self_influence_clean.csv'), 'utf8').trim().split('\n').slice(1);
  for (const l of lines) {
    const c = l.split(',');
    ref.tracin.push(Number(c[2]));
    ref.fast.push(Number(c[3]));
  }
}, 120_000);

afterAll(async () => {
  index?.close();
  await project?.dispose();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

describe('TracInCP on the anchor MLP', () => {
  it('self-influence of all 32,561 training rows matches the closed form', () => {
    const si = index.selfInfluence();
    expect(si.length).toBe(ref.tracin.length);
    const rho = spearman(si, ref.tracin);
    const r = pearson(si, ref.tracin);
    console.log(`self-influence vs anchor: spearman ${rho.toFixed(5)} pearson ${r.toFixed(5)}`);
    expect(rho).toBeGreaterThan(0.99);
    let worst = 0;
    for (let i = 0; i < si.length; i++) worst = Math.max(worst, Math.abs(si[i]! - ref.tracin[i]!) / (Math.abs(ref.tracin[i]!) + 1e-3));
    console.log(`max relative gap ${worst}`);
    expect(worst).toBeLessThan(1e-2);
  });

  it('last-layer self-influence (final kernel only, no bias) matches TracInCPFast', () => {
    const si = index.selfInfluence({ layers: 'last', bias: false });
    const rho = spearman(si, ref.fast);
    console.log(`last-layer self-influence vs anchor: spearman ${rho.toFixed(5)}`);
    expect(rho).toBeGreaterThan(0.99);
  });

  it('top-10 proponents of the first 20 test rows match', async () => {
    const test = await project.dataset('test');
    const nq = 20;
    index.query(test.X.subarray(0, test.width), test.y!, 1, 10, 'tracin'); // uploads the resident factors once
    const tensors = tf.memory().numTensors;
    const res = index.query(test.X.subarray(0, nq * test.width), test.y!, nq, 10, 'tracin');
    expect(tf.memory().numTensors).toBe(tensors);
    const expected = readAnchor('tracin_clean.json').proponents.top_indices as number[][];
    let overlap = 0;
    res.forEach((r, q) => {
      const got = new Set(r.proponents.map((p) => p.index));
      overlap += expected[q]!.filter((i) => got.has(i)).length;
    });
    console.log(`top-10 proponent overlap ${overlap}/${nq * 10}`);
    expect(overlap / (nq * 10)).toBeGreaterThan(0.9);
  });

  it('the streamed (JavaScript) path gives the same scores as the resident (backend) path', async () => {
    const test = await project.dataset('test');
    const streamed = await InfluenceIndex.open(project, { learningRate: 1, store: new FileInfluenceStore(storeDir, 0) });
    const nq = 3;
    const a = index.allScores(test.X.subarray(0, nq * test.width), test.y!, nq);
    const b = streamed.allScores(test.X.subarray(0, nq * test.width), test.y!, nq);
    for (const m of ['tracin', 'tracin-cos', 'relatif'] as const) {
      const scale = Math.max(...Array.from(a[m]!, Math.abs));
      expectClose(b[m]!, a[m]!, 0, 1e-4 * scale);
    }
    streamed.close();
  });

  it('reuses the precomputed entries for unchanged checkpoints', async () => {
    const again = await InfluenceIndex.open(project, { learningRate: 1, store: new FileInfluenceStore(storeDir) });
    expect(again.entries.every((e) => e.reused)).toBe(true);
    again.close();
  });
});
