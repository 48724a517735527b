/**
 * Per-checkpoint precompute: stream the training set through the per-example-gradient pass in
 * chunks (memory bounded by one chunk's factors) and write the packed factors to the store. Reused
 * while the checkpoint's content hash and the training data are unchanged.
 */
import { createHash } from 'node:crypto';
import { throwIfAborted } from '../errors';
import { layerShapes, packedGradientFactors, type DenseStack } from './gradients';
import { factorLayout } from './tracin';
import { STORE_FORMAT, type InfluenceStore, type StoredFactors } from './store';

/** Rows per gradient pass: big enough for the backend, small enough to bound memory (~4096 × 366 floats). */
export const PRECOMPUTE_CHUNK = 4096;

export interface TrainingData {
  X: Float32Array;
  y: Float32Array;
  n: number;
  width: number;
}

/** Identity of the training data and the loss definition, for cache keys. */
export function dataKey(data: TrainingData, task: string): string {
  const h = createHash('sha256');
  h.update(`${STORE_FORMAT}|${task}|ce-logits|${data.n}|${data.width}|`);
  h.update(new Uint8Array(data.X.buffer, data.X.byteOffset, data.X.byteLength));
  h.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return h.digest('hex').slice(0, 32);
}

export interface PrecomputeResult {
  stored: StoredFactors;
  /** True when the store already held the entry. */
  reused: boolean;
  seconds: number;
}

export function precomputeCheckpoint(
  store: InfluenceStore,
  checkpointHash: string,
  stack: DenseStack,
  data: TrainingData,
  key: string,
  options: { chunk?: number; signal?: AbortSignal } = {},
): PrecomputeResult {
  const existing = store.open(checkpointHash, key);
  if (existing) return { stored: existing, reused: true, seconds: 0 };
  const started = performance.now();
  const shapes = layerShapes(stack);
  const inputStored = Boolean(stack.prefix);
  const layout = factorLayout(shapes, inputStored);
  const chunk = options.chunk ?? PRECOMPUTE_CHUNK;
  const writer = store.create(checkpointHash);
  let stored: StoredFactors | undefined;
  try {
    for (let start = 0; start < data.n; start += chunk) {
      throwIfAborted(options.signal);
      const end = Math.min(data.n, start + chunk);
      const f = packedGradientFactors(stack, data.X, data.y, start, end, inputStored);
      writer.append(f.rows, f.loss, f.pLabel, f.norms);
    }
    const seconds = (performance.now() - started) / 1000;
    stored = writer.commit({ format: STORE_FORMAT, checkpointHash, dataKey: key, n: data.n, rowWidth: layout.rowWidth, shapes, ...(inputStored ? { inputStored } : {}), createdAt: new Date().toISOString(), seconds });
  } catch (e) {
    writer.abort();
    throw e;
  }
  stored ??= store.open(checkpointHash, key);
  if (!stored) throw new Error(`influence store entry ${checkpointHash} could not be read back after writing`);
  return { stored, reused: false, seconds: (performance.now() - started) / 1000 };
}
