/**
 * Nearest training rows of query rows by Euclidean distance, in the encoded input space or in the
 * model's last hidden layer (the activations entering the final dense layer), and the nearest
 * training row of another class. Brute force in batches with one matrix product per chunk
 * (‖q‖² − 2 q·x + ‖x‖²): exact, and for tens of thousands of rows a few milliseconds per query.
 */
import { tf } from '../engine/tf';
import type { ModelHandle } from '../model/model';
import { PREDICT_BATCH } from '../model/model';

export interface Neighbour {
  index: number;
  distance: number;
}

const CHUNK = 8192;

/**
 * k nearest rows of `base` (n × w) to each query row (nq × w). `allowed(i, q)` filters candidates
 * (e.g. only rows of another class).
 */
export function nearest(base: Float32Array, n: number, w: number, query: Float32Array, nq: number, k: number, allowed?: (i: number, q: number) => boolean): Neighbour[][] {
  const best: Neighbour[][] = Array.from({ length: nq }, () => []);
  const q = tf.tensor2d(query, [nq, w]);
  const qq = tf.tidy(() => tf.sum(tf.square(q), 1, true));
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const t = tf.tidy(() => {
      const x = tf.tensor2d(base.subarray(start * w, (start + m) * w), [m, w]);
      const xx = tf.reshape(tf.sum(tf.square(x), 1), [1, m]);
      return tf.relu(tf.add(tf.sub(qq, tf.mul(tf.matMul(q, tf.transpose(x)), 2)), xx));
    });
    const d2 = t.dataSync() as Float32Array;
    t.dispose();
    for (let j = 0; j < nq; j++) {
      const list = best[j]!;
      for (let i = 0; i < m; i++) {
        const dist = d2[j * m + i]!;
        if (list.length === k && dist >= list[k - 1]!.distance) continue;
        if (allowed && !allowed(start + i, j)) continue;
        list.push({ index: start + i, distance: dist });
        list.sort((a, b) => a.distance - b.distance);
        if (list.length > k) list.pop();
      }
    }
  }
  tf.dispose([q, qq]);
  for (const list of best) for (const nb of list) nb.distance = Math.sqrt(nb.distance);
  return best;
}

/** Last-hidden-layer activations of n rows (dense stacks), batched. */
export function hiddenActivations(model: ModelHandle, X: Float32Array, n: number): { H: Float32Array; width: number } | undefined {
  if (!model.hidden) return undefined;
  const d = model.inputWidth;
  let H: Float32Array | undefined;
  let width = 0;
  for (let start = 0; start < n; start += PREDICT_BATCH) {
    const end = Math.min(n, start + PREDICT_BATCH);
    const t = tf.tidy(() => model.hidden!(tf.tensor2d(X.subarray(start * d, end * d), [end - start, d])));
    width = t.shape[1];
    H ??= new Float32Array(n * width);
    H.set(t.dataSync() as Float32Array, start * width);
    t.dispose();
  }
  return H ? { H, width } : undefined;
}
