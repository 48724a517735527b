/**
 * Everything a check run shares, computed once on demand: the project, the checkpoint and its
 * model, the data sets, seeded row samples and the importance shares.
 */
import type { Project } from '../project';
import type { Config, RawConfig } from '../config/config';
import type { Encoding } from '../data/encoding';
import { featureNames } from '../data/encoding';
import type { Dataset } from '../data/dataset';
import type { Task } from '../data/schema';
import type { CheckpointInfo } from '../model/checkpoints';
import type { ModelHandle } from '../model/model';
import { GlassboxError, type SourceLocation } from '../errors';
import { suggest } from '../data/schema';
import { createRng, sampleWithoutReplacement } from '../util/random';
import { importanceProvider, type ImportanceProvider, type ImportanceShares } from '../importance/shares';
import { InfluenceIndex } from '../influence/index';

export interface CheckOptions {
  /** Seed of every sample and randomisation (default 0). */
  seed: number;
  /** Rows explained for importance shares and ICE curves (default 500). */
  sampleSize: number;
  /** Method ids for the randomisation test (default: every registered gradient method). */
  methods?: string[];
  /** Where `methods` is written, for errors. */
  methodsLocation?: SourceLocation;
  importance: ImportanceProvider;
}

export type ChecksConfig = NonNullable<RawConfig['checks']>;

export interface CheckContext {
  project: Project;
  config: Config;
  encoding: Encoding;
  task: Task;
  checkpoint: CheckpointInfo;
  model: ModelHandle;
  options: CheckOptions;
  train(): Promise<Dataset>;
  /** Reference (production) data, else test data; undefined when the project has neither. */
  reference(): Promise<Dataset | undefined>;
  /** The rows the model is judged on: test, else reference, else train. */
  evaluation(): Promise<Dataset>;
  /** A seeded sample of at most `k` row indices of `ds`, in file order. */
  sample(ds: Dataset, k: number, salt?: number): Int32Array;
  importance(signal?: AbortSignal): Promise<ImportanceShares>;
  /**
   * Influence over the checked checkpoint's series (every ready checkpoint up to and including it),
   * precomputed once per checkpoint hash in .glassbox/influence and reused; opened once per run.
   */
  influence(signal?: AbortSignal): Promise<InfluenceIndex>;
  /**
   * `influence()`, or why the series cannot be traced (mixed architectures, rows without a label,
   * a model that is not a dense stack) as a reason to skip; cancellation and other errors throw.
   */
  influenceOrSkip(signal?: AbortSignal): Promise<InfluenceIndex | string>;
  /** Frees what the run holds on the backend (the influence index); called by `runChecks`. */
  release(): Promise<void>;
  /** Index of a raw feature, or a config error at `location` naming the known features. */
  feature(name: string, location: SourceLocation): number;
}

export function checkOptions(config: Config, provider?: ImportanceProvider): CheckOptions {
  const c: ChecksConfig = config.raw.checks ?? {};
  const options: CheckOptions = {
    seed: c.seed ?? 0,
    sampleSize: c.sampleSize ?? 500,
    importance: provider ?? importanceFromConfig(config, c.importanceMethod),
  };
  if (c.methods) {
    options.methods = c.methods;
    options.methodsLocation = config.locate(['checks', 'methods']);
  }
  return options;
}

function importanceFromConfig(config: Config, methodId: string | undefined): ImportanceProvider {
  try {
    return importanceProvider(methodId);
  } catch (e) {
    throw new GlassboxError('config', `checks.importanceMethod: ${(e as Error).message}`, config.locate(['checks', 'importanceMethod']));
  }
}

export interface ContextInput {
  project: Project;
  checkpoint: CheckpointInfo;
  model: ModelHandle;
  options: CheckOptions;
}

export async function createCheckContext({ project, checkpoint, model, options }: ContextInput): Promise<CheckContext> {
  const { encoding, task } = await project.schema();
  const names = featureNames(encoding);
  let shares: Promise<ImportanceShares> | undefined;
  let influence: Promise<InfluenceIndex> | undefined;
  const ctx: CheckContext = {
    project,
    config: project.config,
    encoding,
    task,
    checkpoint,
    model,
    options,
    train: () => project.dataset('train'),
    reference: async () => {
      const role = project.dataPath('reference') ? 'reference' : project.dataPath('test') ? 'test' : undefined;
      return role ? project.dataset(role) : undefined;
    },
    evaluation: () => project.dataset(project.dataPath('test') ? 'test' : project.dataPath('reference') ? 'reference' : 'train'),
    sample(ds, k, salt = 0) {
      const idx = sampleWithoutReplacement(ds.n, Math.min(k, ds.n), createRng(options.seed * 7919 + salt));
      return Int32Array.from(idx).sort();
    },
    importance(signal) {
      shares ??= (async () => {
        const ds = await ctx.evaluation();
        const rows = ctx.sample(ds, options.sampleSize, 1);
        const train = await ctx.train();
        return options.importance.compute({
          model,
          encoding,
          dataset: ds,
          rows,
          background: { X: train.X, n: train.n },
          seed: options.seed,
          ...(signal ? { signal } : {}),
        });
      })();
      shares.catch(() => (shares = undefined));
      return shares;
    },
    influence(signal) {
      influence ??= (async () => {
        const ready = project.checkpoints().filter((c) => c.state === 'ready');
        const at = ready.findIndex((c) => c.dir === checkpoint.dir);
        return InfluenceIndex.open(project, { checkpoints: at >= 0 ? ready.slice(0, at + 1) : [checkpoint], train: await ctx.train(), ...(signal ? { signal } : {}) });
      })();
      influence.catch(() => (influence = undefined));
      return influence;
    },
    async influenceOrSkip(signal) {
      try {
        return await ctx.influence(signal);
      } catch (e) {
        if (e instanceof GlassboxError && (e.code === 'model' || e.code === 'checkpoint' || e.code === 'usage')) return `influence over the series: ${e.message}`;
        throw e;
      }
    },
    async release() {
      const open = influence;
      influence = undefined;
      const index = await open?.catch(() => undefined);
      index?.close();
    },
    feature(name, location) {
      const f = names.indexOf(name);
      if (f < 0) throw new GlassboxError('config', `'${name}' is not a model feature${suggest(name, names)} (features: ${names.join(', ')})`, location);
      return f;
    },
  };
  return ctx;
}
