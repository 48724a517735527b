/**
 * ONNX-imported networks against the same weights as a TF.js layers model, measured in the same
 * run: gradient saliency and Integrated Gradients (50 steps) over 2,000 rows through each handle,
 * the two sides alternating. Goal (issue: models from where users train): the imported graph within
 * 1.2x of the layers model. The graph is the torch MLP fixture (server/test/fixtures/onnx/mlp.onnx).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, tfl } from '../src/core/engine/tf';
import { initEngine } from '../src/core/engine/backend';
import { inspectCheckpoint } from '../src/core/model/checkpoints';
import { loadCheckpointModel } from '../src/core/model/formats/load';
import { wrapModel, type ModelHandle } from '../src/core/model/model';
import { getMethod } from '../src/core/methods/registry';
import { resolveParams } from '../src/core/methods/params';
import type { Encoding } from '../src/core/data/encoding';
import { printTable } from './util';

const ROWS = 2000;
const PAIRS = 9;

async function main(): Promise<void> {
  const engine = await initEngine();
  const fixture = path.resolve('server/test/fixtures/onnx/mlp.onnx');
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'glassbox-onnx-bench-'));
  fs.copyFileSync(fixture, path.join(dir, 'model.onnx'));
  const d = 14;
  const encoding: Encoding = {
    features: Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
    ignored: [],
    missing: [],
    width: d,
  };
  const onnxModel = await loadCheckpointModel(inspectCheckpoint(dir), { encoding, task: 'binary', output: 'logits' });
  // The same weights as a TF.js layers model (dense stack read from the graph).
  const layers = onnxModel.layers!;
  const seq = tfl.sequential({ layers: layers.map((l, i) => tfl.layers.dense({ units: l.kernel.shape[1], activation: l.activation, ...(i === 0 ? { inputShape: [d] } : {}) })) });
  seq.layers.forEach((layer, i) => layer.setWeights([layers[i]!.kernel, layers[i]!.bias!]));
  const tfjsModel = wrapModel(seq, dir, {}, { encoding, task: 'binary', output: 'logits' });
  let s = 1;
  const X = Float32Array.from({ length: ROWS * d }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2);
  const rows: Array<Array<string | number>> = [];
  for (const id of ['saliency', 'integrated-gradients']) {
    const method = getMethod(id);
    const params = resolveParams(id, method.params, id === 'integrated-gradients' ? { steps: 50 } : {});
    const run = async (model: ModelHandle) => {
      const t0 = performance.now();
      const r = await method.attribute({ model, encoding, X, n: ROWS, target: { kind: 'class', index: 1 }, background: X.subarray(0, 64 * d), backgroundN: 64 }, params);
      return { ms: performance.now() - t0, r };
    };
    await run(onnxModel);
    await run(tfjsModel);
    const ratios: number[] = [];
    const onnxMs: number[] = [];
    const tfjsMs: number[] = [];
    let maxDiff = 0;
    for (let p = 0; p < PAIRS; p++) {
      const a = await run(onnxModel);
      const b = await run(tfjsModel);
      onnxMs.push(a.ms);
      tfjsMs.push(b.ms);
      ratios.push(a.ms / b.ms);
      for (let i = 0; i < a.r.encoded.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.r.encoded[i]! - b.r.encoded[i]!));
    }
    const q = (v: number[], f: number) => [...v].sort((x, y) => x - y)[Math.floor(f * (v.length - 1))]!;
    rows.push([id, q(onnxMs, 0.5).toFixed(1), q(tfjsMs, 0.5).toFixed(1), q(ratios, 0.5).toFixed(2), `${q(ratios, 0.25).toFixed(2)}-${q(ratios, 0.75).toFixed(2)}`, maxDiff.toExponential(1)]);
  }
  printTable(
    `ONNX-imported MLP vs the same weights as TF.js layers, ${ROWS} rows, ${PAIRS} alternating pairs, backend ${engine.backend} (goal: ratio <= 1.2)`,
    ['method', 'onnx ms', 'tf.js ms', 'ratio', 'IQR', 'max |diff|'],
    rows,
  );
  onnxModel.dispose();
  tfjsModel.dispose();
  tf.disposeVariables();
}

void main();
