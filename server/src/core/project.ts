/**
 * A Glassbox project: a config plus everything derived from it (fitted encoding, data sets,
 * checkpoint series, loaded models), each computed once on demand. The CLI, the daemon and the
 * tests all go through this one object.
 */
import * as path from 'node:path';
import { loadConfig, type Config } from './config/config';
import { openSource } from './data/source';
import { fitSchema, type FittedSchema } from './data/schema';
import { readEncodingFile } from './data/encoding-file';
import { loadDataset, type Dataset } from './data/dataset';
import { scanCheckpoints, type CheckpointInfo } from './model/checkpoints';
import type { ModelHandle } from './model/model';
import { loadCheckpointModel } from './model/formats/load';
import { GlassboxError, isGlassboxError } from './errors';
import { assertReadableFile, MiB } from './util/files';

/** Largest encoding file read (the Adult encoding is 6 KiB). */
const MAX_ENCODING_BYTES = 64 * MiB;

export type DataRole = 'train' | 'reference' | 'test';

export class Project {
  private schemaPromise?: Promise<FittedSchema>;
  private readonly datasets = new Map<string, Promise<Dataset>>();
  private readonly models = new Map<string, Promise<ModelHandle>>();

  constructor(readonly config: Config) {}

  static open(configFile: string): Project {
    return new Project(loadConfig(configFile));
  }

  get root(): string {
    return this.config.root;
  }

  /** Path relative to the project root, for messages. */
  relative(p: string): string {
    return path.relative(this.root, p) || '.';
  }

  schema(): Promise<FittedSchema> {
    this.schemaPromise ??= this.fit().catch((e) => {
      this.schemaPromise = undefined;
      throw e;
    });
    return this.schemaPromise;
  }

  /** Uses a schema fitted elsewhere (a precompute shard given the prepared training side) instead of fitting it. */
  useSchema(fitted: FittedSchema): void {
    this.schemaPromise = Promise.resolve(fitted);
  }

  private async fit(): Promise<FittedSchema> {
    const { config } = this;
    const file = config.data.train;
    const missingAt = config.dataLocation(file);
    const fitted = await fitSchema(await openSource(file, { displayName: file, typed: true, ...(missingAt ? { missingAt } : {}) }), config.declaration, file);
    if (!config.raw.encoding) return fitted;
    // A fitted encoding supplied by the user replaces the feature part; label and task still come
    // from the config and the data.
    const encodingFile = path.resolve(config.root, config.raw.encoding);
    assertReadableFile(encodingFile, { maxBytes: MAX_ENCODING_BYTES, what: 'encoding file', code: 'config', missingAt: config.locate(['encoding']) });
    const given = readEncodingFile(encodingFile);
    const header = fitted.columns.map((c) => c.name);
    for (const f of given.features) {
      if (!header.includes(f.name)) throw new GlassboxError('config', `the encoding uses column '${f.name}', which the training data does not have`, { file: encodingFile });
    }
    const used = new Set(given.features.map((f) => f.name));
    const ignored = header.filter((h) => !used.has(h) && h !== config.raw.label);
    const encoding = { ...fitted.encoding, features: given.features, width: given.width, ignored };
    const columns = fitted.columns.map((c) => {
      const f = given.features.find((g) => g.name === c.name);
      if (c.role === 'label') return c;
      return f
        ? { ...c, role: 'feature' as const, type: f.type, declared: true, reason: `from ${this.relative(encodingFile)}` }
        : { ...c, role: 'ignored' as const, declared: true, reason: `not in ${this.relative(encodingFile)}` };
    });
    return { ...fitted, encoding, columns };
  }

  dataPath(role: DataRole): string | undefined {
    return this.config.data[role];
  }

  /** Loads (once) the data set in `role`, encoded with the project's encoding. */
  dataset(role: DataRole, options: { keepRaw?: boolean } = {}): Promise<Dataset> {
    const file = this.dataPath(role);
    if (!file) return Promise.reject(new GlassboxError('config', `glassbox.json names no '${role}' data`, this.config.locate(['data'])));
    return this.datasetAt(file, options);
  }

  datasetAt(file: string, options: { keepRaw?: boolean } = {}): Promise<Dataset> {
    const key = `${path.resolve(file)}|${options.keepRaw ? 'raw' : ''}`;
    // A copy with raw values serves a request without them: parse each file once where possible.
    let p = this.datasets.get(key) ?? (options.keepRaw ? undefined : this.datasets.get(`${path.resolve(file)}|raw`));
    if (!p) {
      const missingAt = this.config.dataLocation(file);
      p = this.schema().then((s) => loadDataset(file, s.encoding, { keepRaw: Boolean(options.keepRaw), displayName: file, ...(missingAt ? { missingAt } : {}) }));
      p.catch(() => this.datasets.delete(key));
      this.datasets.set(key, p);
    }
    return p;
  }

  checkpoints(): CheckpointInfo[] {
    return scanCheckpoints(this.config.checkpoints);
  }

  /** The newest checkpoint that is completely written, or a clear error. */
  latestCheckpoint(): CheckpointInfo {
    const series = this.checkpoints();
    const ready = series.filter((c) => c.state === 'ready');
    if (ready.length === 0) {
      const where = this.relative(this.config.checkpoints);
      const why = series.length ? ` (${series.map((c) => `${c.name}: ${c.problem}`).join('; ')})` : '';
      throw new GlassboxError('checkpoint', `no complete checkpoint in ${where}${why}`, this.config.locate(['checkpoints', 'path']));
    }
    return ready[ready.length - 1]!;
  }

  /** Resolves a user-given checkpoint (a directory, a name in the series, or undefined for latest). */
  resolveCheckpoint(spec?: string): CheckpointInfo {
    if (!spec) return this.latestCheckpoint();
    const series = this.checkpoints();
    const abs = path.resolve(spec);
    const hit = series.find((c) => c.name === spec || c.dir === abs) ?? scanCheckpoints(abs)[0];
    if (!hit) throw new GlassboxError('usage', `no checkpoint '${spec}' (known: ${series.map((c) => c.name).join(', ') || 'none'})`);
    if (hit.state !== 'ready') throw new GlassboxError(hit.state === 'incomplete' ? 'checkpoint-incomplete' : 'checkpoint', `checkpoint ${hit.name} is not loadable: ${hit.problem}`, { file: hit.file });
    return hit;
  }

  /**
   * Loads a checkpoint's model (once per content hash), checked against the encoding and task. A
   * model whose weights hold NaN or Inf is refused naming the layer, unless `allowNonFinite` (the
   * checks, which report such a checkpoint as corrupted rather than stop).
   */
  async model(checkpoint: CheckpointInfo, options: { allowNonFinite?: boolean } = {}): Promise<ModelHandle> {
    const model = await this.loadModel(checkpoint);
    if (!options.allowNonFinite) assertFiniteWeights(model, checkpoint);
    return model;
  }

  private async loadModel(checkpoint: CheckpointInfo): Promise<ModelHandle> {
    const key = checkpoint.hash ?? checkpoint.dir;
    let p = this.models.get(key);
    if (!p) {
      p = this.schema().then((s) => {
        const expect = { encoding: s.encoding, task: s.task, ...(this.config.raw.model?.output ? { output: this.config.raw.model.output } : {}) };
        return loadCheckpointModel(checkpoint, expect).catch((e: unknown) => {
          // A task that does not fit the model is fixed at the `task` key when the config sets one.
          if (isGlassboxError(e) && /^task is /.test(e.message) && this.config.raw.task !== undefined) {
            throw new GlassboxError(e.code, `${e.message} (model: ${this.relative(checkpoint.file)})`, this.config.locate(['task']));
          }
          throw e;
        });
      });
      p.catch(() => this.models.delete(key));
      this.models.set(key, p);
    }
    return p;
  }

  /** Frees loaded models (their weights live in backend memory). */
  async dispose(): Promise<void> {
    for (const p of this.models.values()) (await p.catch(() => undefined))?.dispose();
    this.models.clear();
  }
}

const finiteChecked = new WeakMap<ModelHandle, { group: string; count: number } | null>();

/** Throws a `model` error naming the first layer whose weights hold NaN or Inf. */
export function assertFiniteWeights(model: ModelHandle, checkpoint: CheckpointInfo): void {
  let bad = finiteChecked.get(model);
  if (bad === undefined) {
    bad = null;
    for (const p of model.parameters?.() ?? []) {
      let count = 0;
      for (let i = 0; i < p.values.length; i++) if (!Number.isFinite(p.values[i]!)) count++;
      if (count > 0) {
        bad = { group: p.group, count };
        break;
      }
    }
    finiteChecked.set(model, bad);
  }
  if (bad) {
    throw new GlassboxError(
      'model',
      `checkpoint ${checkpoint.name}: layer '${bad.group}' holds ${bad.count} non-finite weight${bad.count > 1 ? 's' : ''} (NaN or Inf), so its outputs are not numbers; training diverged at or before this checkpoint (glassbox check names the first corrupted one)`,
      { file: checkpoint.file },
    );
  }
}
