import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from '../../engine/tf';
import { initEngine } from '../../engine/backend';
import { expectClose, REPO } from '../../../../test/helpers';
import { loadOnnxGraph, SUPPORTED_OPERATORS } from './index';

/** One small graph per operator form (scripts/fixtures/onnx_fixtures.py, ops_cases): outputs from
 * onnxruntime in float64 (or torch in float64 where onnxruntime has only float32 kernels), input
 * gradients of sum(output·w) by central differences of the float64 run (or torch autograd).
 * Glassbox computes in float32, hence tolerances at float32 resolution. */
const DIR = path.join(REPO, 'server/test/fixtures/onnx');

interface OpCase {
  model: string;
  note: string;
  opset: number;
  n: number;
  d: number;
  k: number;
  input: number[];
  output: number[];
  weights: number[];
  gradOfWeightedSum: number[];
}

const CASES: Record<string, OpCase> = JSON.parse(fs.readFileSync(path.join(DIR, 'ops/ops.json'), 'utf8'));

describe('ONNX operator forms, against onnxruntime (float64)', () => {
  beforeAll(() => initEngine());

  it('covers every supported operator but the comparison variants it needs no case for', () => {
    const used = new Set<string>();
    for (const c of Object.values(CASES)) for (const op of loadOnnxGraph(path.join(DIR, c.model)).operators) used.add(op);
    for (const file of ['mlp', 'norm17', 'norm13', 'norm_gelu20', 'embedding', 'softmax3', 'regression']) {
      for (const op of loadOnnxGraph(path.join(DIR, `${file}.onnx`)).operators) used.add(op);
    }
    const untested = SUPPORTED_OPERATORS.filter((op) => !used.has(op));
    expect(untested).toEqual(['GreaterOrEqual', 'Less', 'LessOrEqual', 'Not']);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: ${c.note}`, () => {
      const g = loadOnnxGraph(path.join(DIR, c.model));
      expect(g.opsetVersion).toBe(c.opset);
      expect(g.outputWidth).toBe(c.k);
      const before = tf.memory().numTensors;
      const [out, grad] = tf.tidy(() => {
        const x = tf.tensor2d(c.input, [c.n, c.d]);
        const w = tf.tensor1d(c.weights);
        const f = (z: tf.Tensor) => tf.sum(tf.mul(g.forward(z as tf.Tensor2D), w));
        return [g.forward(x).dataSync(), tf.grad(f)(x).dataSync()];
      });
      expect(tf.memory().numTensors).toBe(before);
      expectClose(out, c.output, 2e-5, 2e-6);
      expectClose(grad, c.gradOfWeightedSum, 1e-4, 1e-5);
      g.dispose();
    });
  }
});
