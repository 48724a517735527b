import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../engine/tf';
import { getMethod } from '../methods/registry';
import { anchorProject, expectClose, readAnchor, REPO } from '../../../test/helpers';
import { rowInfidelity } from './infidelity';
import { maxSensitivity } from './sensitivity';
import { explainFor, rowCoalitionValues, uniformBackground } from './perturbation';

/** Captum's own numbers and random draws: scripts/fixtures/quality_fixtures.py. */
const captum = JSON.parse(fs.readFileSync(path.join(REPO, 'server/test/fixtures/quality/captum_metrics.json'), 'utf8')) as {
  rows: number;
  target: number;
  radius: number;
  infidelitySamples: number;
  sensitivitySamples: number;
  igGrouped: number[][];
  infidelityMasks: number[][][];
  infidelity: number[];
  infidelityNormalized: number[];
  sensitivityNoise: number[][];
  sensitivityMax: number[];
};

describe('explanation quality against Captum on the Adult MLP', () => {
  it('infidelity (raw and normalised) and max-sensitivity agree with captum.metrics on the same draws', async () => {
    const project = await anchorProject();
    const { encoding } = await project.schema();
    const model = await project.model(project.latestCheckpoint());
    const n = captum.rows;
    const X = Float32Array.from((readAnchor('attr_gradients.json').X as number[][]).slice(0, n).flat());
    const mean = Float32Array.from(readAnchor('encoding.json').baseline_mean as number[]);
    const q = { model, encoding, background: { X: mean, n: 1 } };
    const F = encoding.features.length;
    const S = captum.infidelitySamples;
    const before = tf.memory().numTensors;
    const raw: number[] = [];
    const scaled: number[] = [];
    const attr = Float64Array.from(captum.igGrouped.flat());
    for (let i = 0; i < n; i++) {
      const masks = new Uint8Array((S + 1) * F).fill(1);
      masks.set(captum.infidelityMasks[i]!.flat());
      const v = await rowCoalitionValues(q, uniformBackground(q.background), X.subarray(i * encoding.width, (i + 1) * encoding.width), captum.target, masks, S + 1);
      const r = rowInfidelity(attr, i * F, F, masks, S, v[S]!, v);
      raw.push(r.raw);
      scaled.push(r.scaled);
    }
    // Measured max relative differences: raw 3.5e-6, normalised 2.8e-4 (float32 cancellation in
    // β²a − 2βab + b), max-sensitivity 1.3e-7.
    expectClose(raw, captum.infidelity, 1e-4, 1e-8);
    expectClose(scaled, captum.infidelityNormalized, 1e-3, 1e-8);
    const classes = new Int32Array(n).fill(captum.target);
    const saliency = getMethod('saliency');
    const original = await explainFor(q, saliency, X, n, classes, 0);
    const s = await maxSensitivity(q, saliency, X, n, classes, original, {
      radius: captum.radius,
      samples: captum.sensitivitySamples,
      seed: 0,
      noise: Float32Array.from(captum.sensitivityNoise.flat()),
    });
    expectClose(s, captum.sensitivityMax, 1e-5, 1e-8);
    expect(tf.memory().numTensors).toBe(before);
    await project.dispose();
  });
});
