/**
 * Forward passes of any ONNX model through onnxruntime-node (an optional dependency), for models
 * whose operators Glassbox cannot rebuild as TF.js ops. No gradients: the model-agnostic methods
 * (Shapley family, LIME, ablations, permutation), drift, predictions and the checks that need no
 * gradients run on it.
 *
 * `ModelHandle.logits` is synchronous (it runs inside `tf.tidy`), and onnxruntime's `run` is not: the
 * session lives in a worker thread, inputs and outputs cross in SharedArrayBuffers, and the caller
 * blocks on `Atomics.wait` until the worker has written the result. One call per batch, so the
 * hand-off costs microseconds against the model's own work.
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { onnx } from 'onnx-proto';
import { GlassboxError } from '../../errors';

const requireHere = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'));

/** Where onnxruntime-node is installed, or why it is not usable. */
export function onnxRuntimeAvailable(): { ok: true; entry: string } | { ok: false; why: string } {
  try {
    const entry = requireHere.resolve('onnxruntime-node');
    return { ok: true, entry };
  } catch {
    return {
      ok: false,
      why: 'onnxruntime-node is not installed (optional; `npm install onnxruntime-node` with `onnxruntime-node-install=skip` in .npmrc, which this repository sets, so its install does not download CUDA)',
    };
  }
}

export interface OnnxRuntimeForward {
  inputWidth: number;
  outputWidth: number;
  /** n x outputWidth outputs of n x inputWidth inputs (row-major). */
  run(X: Float32Array, n: number): Float32Array;
  dispose(): void;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.entry);
let session;
const ready = ort.InferenceSession.create(workerData.file, { intraOpNumThreads: 1, interOpNumThreads: 1 }).then((s) => { session = s; });
parentPort.on('message', async (m) => {
  const flag = new Int32Array(m.flag);
  try {
    await ready;
    const x = new Float32Array(m.input, 0, m.n * m.d).slice(); // onnxruntime refuses shared memory
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [m.n, m.d]) };
    const out = (await session.run(feeds))[session.outputNames[0]];
    const data = out.data instanceof Float32Array ? out.data : Float32Array.from(out.data, Number);
    const dims = out.dims;
    const width = dims.length <= 1 ? 1 : dims.slice(1).reduce((a, b) => a * b, 1);
    if (data.length > m.capacity) throw new Error('output of ' + data.length + ' values exceeds the buffer of ' + m.capacity);
    new Float32Array(m.output, 0, data.length).set(data);
    Atomics.store(flag, 1, width);
    Atomics.store(flag, 0, 1);
  } catch (e) {
    const msg = String(e && e.message || e).split('\\n')[0];
    const bytes = new TextEncoder().encode(msg.slice(0, 500));
    new Uint8Array(m.error).set(bytes);
    Atomics.store(flag, 1, bytes.length);
    Atomics.store(flag, 0, 2);
  }
  Atomics.notify(flag, 0);
});
`;

/**
 * Opens `file` in onnxruntime in a worker thread. `inputWidth` is the model's feature count
 * (read from the graph by the caller); the output width is measured with one row.
 */
export function openOnnxRuntime(file: string, inputWidth: number, timeoutMs = 120_000): OnnxRuntimeForward {
  const available = onnxRuntimeAvailable();
  if (!available.ok) throw new GlassboxError('model', available.why, { file });
  const worker = new Worker(WORKER, { eval: true, workerData: { entry: available.entry, file } });
  worker.unref();
  let capacity = 0;
  let input = new SharedArrayBuffer(4);
  let output = new SharedArrayBuffer(4);
  const flagBuffer = new SharedArrayBuffer(8);
  const error = new SharedArrayBuffer(512);
  const flag = new Int32Array(flagBuffer);
  let outputWidth = 0;
  let closed = false;
  const call = (X: Float32Array, n: number, outCapacity: number): { data: Float32Array; width: number } => {
    if (closed) throw new GlassboxError('model', 'the onnxruntime session was closed', { file });
    if (X.length !== n * inputWidth) throw new GlassboxError('shape', `onnxruntime: X has ${X.length} values, expected ${n} x ${inputWidth}`, { file });
    if (input.byteLength < X.byteLength) input = new SharedArrayBuffer(X.byteLength);
    if (capacity < outCapacity) {
      capacity = outCapacity;
      output = new SharedArrayBuffer(capacity * 4);
    }
    new Float32Array(input, 0, X.length).set(X);
    Atomics.store(flag, 0, 0);
    worker.postMessage({ input, output, flag: flagBuffer, error, n, d: inputWidth, capacity });
    const waited = Atomics.wait(flag, 0, 0, timeoutMs);
    if (waited === 'timed-out') throw new GlassboxError('model', `onnxruntime did not answer within ${timeoutMs / 1000} s`, { file });
    if (Atomics.load(flag, 0) === 2) {
      const len = Atomics.load(flag, 1);
      const why = new TextDecoder().decode(new Uint8Array(error).slice(0, len));
      throw new GlassboxError('model', `onnxruntime cannot run the model: ${why}`, { file });
    }
    const width = Atomics.load(flag, 1);
    return { data: new Float32Array(output, 0, n * width).slice(), width };
  };
  const first = call(new Float32Array(inputWidth), 1, 4096);
  outputWidth = first.width;
  return {
    inputWidth,
    outputWidth,
    run: (X, n) => call(X, n, n * outputWidth).data,
    dispose: () => {
      if (closed) return;
      closed = true;
      void worker.terminate();
    },
  };
}

/** The feature width of an ONNX model's single [batch, d] float input, read without building it. */
export function onnxInputWidth(bytes: Uint8Array, file: string): number {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new GlassboxError('model', `not a readable ONNX model (${(e as Error).message.split('\n')[0]})`, { file });
  }
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph?.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  const dims = inputs[0]?.type?.tensorType?.shape?.dim ?? [];
  const d = dims[1]?.dimValue;
  const width = d === undefined || d === null ? NaN : Number(d);
  if (inputs.length !== 1 || dims.length !== 2 || !(width > 0)) {
    throw new GlassboxError('model', 'the model needs one [batch, features] input with a fixed number of features', { file });
  }
  return width;
}
