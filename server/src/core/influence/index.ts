/**
 * Influence over a checkpoint series, answered from precomputed data: self-influence of every
 * training row and the top proponents/opponents of query rows, without recomputing any training
 * gradient at query time (only the query rows' own gradients, one batched pass per checkpoint).
 *
 * Scores (η_c: the checkpoint's learning-rate weight; g: per-example loss gradient in scope):
 *   tracin      Σ_c η_c g_i·g_q                       TracInCP (Pruthi et al. 2020)
 *   tracin-cos  Σ_c η_c g_i·g_q / (‖g_i‖ ‖g_q‖)        normalised TracIn: direction only
 *   relatif     Σ_c η_c g_i·g_q / ‖g_i‖                RelatIF-style (Barshan et al. 2020, with an
 *                                                      identity Hessian): divides out the training
 *                                                      row's own gradient size, so rows that are
 *                                                      influential for everything stop topping every list.
 * Learning-rate weights: an explicit override, else the checkpoint's `learningRate` metadata, else
 * `checkpoints.learningRate` in glassbox.json, else 1 (a common constant does not change rankings).
 */
import * as path from 'node:path';
import type { CheckpointInfo } from '../model/checkpoints';
import type { ModelHandle } from '../model/model';
import type { Dataset } from '../data/dataset';
import type { Project } from '../project';
import { tf } from '../engine/tf';
import { GlassboxError, throwIfAborted } from '../errors';
import { denseStackOf, gradientFactors, type DenseStack, type GradientFactors } from './gradients';
import { dotProducts, factorLayout, prepareQuery, squaredNormsFromFactorNorms, type FactorLayout, type ParamScope } from './tracin';
import { FileInfluenceStore, type InfluenceStore, type StoredFactors } from './store';
import { ResidentFactors } from './resident';
import { PRECOMPUTE_CHUNK, dataKey, precomputeCheckpoint, type TrainingData } from './precompute';

export type InfluenceMethod = 'tracin' | 'tracin-cos' | 'relatif';
export const INFLUENCE_METHODS: InfluenceMethod[] = ['tracin', 'tracin-cos', 'relatif'];
/** The default, chosen by measurement on the demo data (docs/cli.md, "glassbox influence"). */
export const DEFAULT_INFLUENCE_METHOD: InfluenceMethod = 'relatif';
export const DEFAULT_LEARNING_RATE = 1;

export interface CheckpointEntry {
  info: CheckpointInfo;
  weight: number;
  stack: DenseStack;
  stored: StoredFactors;
  reused: boolean;
  seconds: number;
}

export interface IndexOptions {
  /** Checkpoints to trace over (default: every ready checkpoint of the series). */
  checkpoints?: CheckpointInfo[];
  /** One learning-rate weight for every checkpoint, overriding metadata and config. */
  learningRate?: number;
  store?: InfluenceStore;
  /** The project's training data set when the caller has it already (e.g. with raw values). */
  train?: Dataset;
  chunk?: number;
  signal?: AbortSignal;
}

export interface RankedRow {
  index: number;
  score: number;
}

export interface QueryResult {
  proponents: RankedRow[];
  opponents: RankedRow[];
}

export class InfluenceIndex {
  private readonly normCache = new Map<string, Float64Array[]>();
  private readonly inverseCache = new Map<string, tf.Tensor3D>();
  private resident: ResidentFactors | undefined | null;
  /** Factors up to this many bytes (all checkpoints) are kept on the backend for fast queries. */
  residentBudget = 384 * 1024 * 1024;

  private constructor(
    readonly data: TrainingData,
    readonly layout: FactorLayout,
    readonly entries: CheckpointEntry[],
  ) {}

  /** Opens (precomputing what is missing) the influence data of a project's training set. */
  static async open(project: Project, options: IndexOptions = {}): Promise<InfluenceIndex> {
    const train = options.train ?? (await project.dataset('train'));
    if (!train.y) throw new GlassboxError('usage', 'influence needs the training labels, and the training data has no label column', { file: train.file });
    const series = options.checkpoints ?? project.checkpoints().filter((c) => c.state === 'ready');
    if (series.length === 0) project.latestCheckpoint();
    const store = options.store ?? new FileInfluenceStore(path.join(project.root, '.glassbox', 'influence'));
    const data: TrainingData = { X: train.X, y: train.y, n: train.n, width: train.width };
    const { task } = await project.schema();
    const key = dataKey(data, task);
    const configLr = project.config.raw.checkpoints.learningRate;
    const models: Array<{ info: CheckpointInfo; model: ModelHandle; weight: number }> = [];
    for (const info of series) {
      const weight = options.learningRate ?? info.learningRate ?? configLr ?? DEFAULT_LEARNING_RATE;
      models.push({ info, model: await project.model(info), weight });
    }
    return InfluenceIndex.fromModels(data, key, models, store, options);
  }

  /** Precomputes (or reuses) every checkpoint's factors for loaded models, in series order. */
  static fromModels(data: TrainingData, key: string, models: Array<{ info: CheckpointInfo; model: ModelHandle; weight: number }>, store: InfluenceStore, options: Pick<IndexOptions, 'chunk' | 'signal'> = {}): InfluenceIndex {
    const entries: CheckpointEntry[] = [];
    for (const { info, model, weight } of models) {
      throwIfAborted(options.signal);
      const stack = denseStackOf(model);
      const r = precomputeCheckpoint(store, info.hash ?? info.name, stack, data, key, { ...(options.chunk ? { chunk: options.chunk } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      entries.push({ info, weight, stack, stored: r.stored, reused: r.reused, seconds: r.seconds });
    }
    return InfluenceIndex.fromEntries(data, entries);
  }

  /** An index over already-precomputed entries (all must share one layout). */
  static fromEntries(data: TrainingData, entries: CheckpointEntry[]): InfluenceIndex {
    const layout = factorLayout(entries[0]!.stored.manifest.shapes, Boolean(entries[0]!.stored.manifest.inputStored));
    for (const e of entries) {
      if (e.stored.manifest.rowWidth !== layout.rowWidth || Boolean(e.stored.manifest.inputStored) !== layout.actOffset[0]! >= 0) throw new GlassboxError('model', `checkpoint ${e.info.name} has a different architecture from ${entries[0]!.info.name}; influence traces one architecture`);
    }
    return new InfluenceIndex(data, layout, entries);
  }

  get n(): number {
    return this.data.n;
  }

  /** Which parameters the gradients cover (every dense layer, or a dense tail), for the output. */
  get scope(): string {
    return this.entries[0]?.stack.scope ?? 'all dense layers';
  }

  /** Per checkpoint, every training row's squared gradient norm in scope (computed once). */
  norms(scope: ParamScope = {}): Float64Array[] {
    const key = `${scope.layers ?? 'all'}|${scope.bias !== false}`;
    let out = this.normCache.get(key);
    if (!out) {
      // From the stored per-layer factor norms: 2L numbers a row, the factors are not read.
      out = this.entries.map((e) => squaredNormsFromFactorNorms(this.layout, e.stored.norms, this.n, scope));
      this.normCache.set(key, out);
    }
    return out;
  }

  /** TracInCP self-influence Σ_c η_c ‖g_i‖² of every training row. */
  selfInfluence(scope: ParamScope = {}): Float64Array {
    const out = new Float64Array(this.n);
    this.norms(scope).forEach((sq, c) => {
      const w = this.entries[c]!.weight;
      for (let i = 0; i < this.n; i++) out[i] += w * sq[i]!;
    });
    return out;
  }

  /**
   * Scores of every training row against each query row: out[q * n + i]. Query labels are the
   * rows' true labels (callers pass the predicted class when a row has none).
   */
  scores(Xq: Float32Array, yq: ArrayLike<number>, nq: number, method: InfluenceMethod = 'tracin', scope: ParamScope = {}, signal?: AbortSignal): Float64Array {
    return this.allScores(Xq, yq, nq, [method], scope, signal)[method]!;
  }

  /** Several scores from one pass over the stored factors. */
  allScores(Xq: Float32Array, yq: ArrayLike<number>, nq: number, methods: InfluenceMethod[] = INFLUENCE_METHODS, scope: ParamScope = {}, signal?: AbortSignal): Partial<Record<InfluenceMethod, Float64Array>> {
    const n = this.n;
    const want = (m: InfluenceMethod) => (methods.includes(m) ? new Float64Array(nq * n) : undefined);
    const raw = want('tracin');
    const cos = want('tracin-cos');
    const rel = want('relatif');
    const norms = cos || rel ? this.norms(scope) : undefined;
    const resident = this.residentFactors();
    const factors = this.entries.map((e) => {
      throwIfAborted(signal);
      return gradientFactors(e.stack, Xq, yq, 0, nq);
    });
    if (resident) {
      // On the backend: every checkpoint's dot products at once (C × nq × n), combined over
      // checkpoints by [1, C] products, one read-back per score.
      const C = this.entries.length;
      const [tRaw, tCos, tRel] = tf.tidy(() => {
        const dots = resident.dots(factors, Xq, scope);
        const overCheckpoints = (t: tf.Tensor, w: Float32Array) => tf.matMul(tf.tensor2d(w, [1, C]), tf.reshape(t, [C, nq * n]));
        const ones = new Float32Array(C).fill(1);
        const sRaw = raw ? overCheckpoints(dots, Float32Array.from(this.entries, (e) => e.weight)) : undefined;
        // w_c / ‖g_i‖ per checkpoint and training row (C × 1 × n); 1 / ‖g_q‖ per checkpoint and query (C × nq × 1).
        const byRow = rel || cos ? tf.mul(dots, this.inverseNorms(scope, norms!)) : undefined;
        const sRel = rel ? overCheckpoints(byRow!, ones) : undefined;
        const qInv = cos ? Float32Array.from(factors.flatMap((f) => Array.from(queryInverseNorms(f, this.layout, scope)))) : undefined;
        const sCos = cos ? overCheckpoints(tf.mul(byRow!, tf.tensor3d(qInv!, [C, nq, 1])), ones) : undefined;
        return [sRaw, sCos, sRel];
      });
      const read = (t: tf.Tensor | undefined, into: Float64Array | undefined) => {
        if (t && into) into.set(t.dataSync());
        t?.dispose();
      };
      read(tRaw, raw);
      read(tCos, cos);
      read(tRel, rel);
    } else {
      this.entries.forEach((e, c) => {
        throwIfAborted(signal);
        const q = prepareQuery(this.layout, factors[c]!, scope);
        const qInv = Float64Array.from(q.sqnorm, (v) => (v > 0 ? 1 / Math.sqrt(v) : 0));
        const sq = norms?.[c];
        this.forChunks(e, (start, m, rows, X) => {
          const dots = dotProducts(this.layout, rows, X, m, q, scope);
          for (let i = 0; i < m; i++) {
            const gi = sq ? Math.sqrt(sq[start + i]!) : 0;
            const inv = gi > 0 ? e.weight / gi : 0;
            for (let k = 0; k < nq; k++) {
              const dot = dots[i * nq + k]!;
              const at = k * n + start + i;
              if (raw) raw[at] += e.weight * dot;
              if (rel) rel[at] += inv * dot;
              if (cos) cos[at] += inv * dot * qInv[k]!;
            }
          }
        });
      });
    }
    const out: Partial<Record<InfluenceMethod, Float64Array>> = {};
    if (raw) out.tracin = raw;
    if (cos) out['tracin-cos'] = cos;
    if (rel) out.relatif = rel;
    return out;
  }

  /** Top-k proponents (largest scores) and opponents (most negative) of each query row. */
  query(Xq: Float32Array, yq: ArrayLike<number>, nq: number, top = 10, method: InfluenceMethod = DEFAULT_INFLUENCE_METHOD, scope: ParamScope = {}, signal?: AbortSignal): QueryResult[] {
    const s = this.scores(Xq, yq, nq, method, scope, signal);
    return Array.from({ length: nq }, (_, q) => {
      const row = s.subarray(q * this.n, (q + 1) * this.n);
      return { proponents: topK(row, top, 1), opponents: topK(row, top, -1) };
    });
  }

  /** w_c / ‖g_i‖ for every checkpoint and training row as a C × 1 × n backend tensor (0 where g_i = 0), kept with the resident factors. */
  private inverseNorms(scope: ParamScope, norms: Float64Array[]): tf.Tensor3D {
    const key = `${scope.layers ?? 'all'}|${scope.bias !== false}`;
    let out = this.inverseCache.get(key);
    if (!out) {
      const all = new Float32Array(norms.length * this.n);
      norms.forEach((sq, c) => {
        const w = this.entries[c]!.weight;
        for (let i = 0; i < this.n; i++) all[c * this.n + i] = sq[i]! > 0 ? w / Math.sqrt(sq[i]!) : 0;
      });
      out = tf.keep(tf.tensor3d(all, [norms.length, 1, this.n]));
      this.inverseCache.set(key, out);
    }
    return out;
  }

  /** The factors on the backend when every entry is in memory and within budget, else undefined. */
  private residentFactors(): ResidentFactors | undefined {
    if (this.resident === undefined) {
      const bytes = this.entries.reduce((b, e) => b + this.n * e.stored.manifest.rowWidth * 4, 0);
      const ok = this.entries.every((e) => e.stored.resident) && bytes <= this.residentBudget;
      this.resident = ok ? ResidentFactors.upload(this.layout, this.data.X, this.n, this.entries.map((e) => e.stored.rowsAt(0, this.n))) : null;
    }
    return this.resident ?? undefined;
  }

  close(): void {
    tf.dispose([...this.inverseCache.values()]);
    this.inverseCache.clear();
    this.resident?.dispose();
    this.resident = undefined;
    for (const e of this.entries) e.stored.close();
  }

  private forChunks(e: CheckpointEntry, fn: (start: number, m: number, rows: Float32Array, X: Float32Array) => void): void {
    const d = this.data.width;
    for (let start = 0; start < this.n; start += PRECOMPUTE_CHUNK) {
      const m = Math.min(PRECOMPUTE_CHUNK, this.n - start);
      fn(start, m, e.stored.rowsAt(start, m), this.data.X.subarray(start * d, (start + m) * d));
    }
  }
}

/** 1 / ‖g_q‖ per query row in scope (0 for a zero gradient), from its factors. */
function queryInverseNorms(f: GradientFactors, layout: FactorLayout, scope: ParamScope): Float32Array {
  const sq = squaredNormsFromFactorNorms(layout, f.norms, f.m, scope);
  return Float32Array.from(sq, (v) => (v > 0 ? 1 / Math.sqrt(v) : 0));
}

/** The k largest (sign 1) or smallest (sign −1) entries, best first; opponents keep their negative scores. */
export function topK(values: ArrayLike<number>, k: number, sign: 1 | -1 = 1): RankedRow[] {
  const idx: number[] = [];
  const key = (i: number) => sign * values[i]!;
  for (let i = 0; i < values.length; i++) {
    const v = key(i);
    if (Number.isNaN(v)) continue;
    if (idx.length === k && v <= key(idx[k - 1]!)) continue;
    let p = Math.min(idx.length, k - 1);
    if (idx.length < k) idx.push(i);
    while (p > 0 && key(idx[p - 1]!) < v) {
      idx[p] = idx[p - 1]!;
      p--;
    }
    idx[p] = i;
  }
  return idx.map((i) => ({ index: i, score: values[i]! }));
}
