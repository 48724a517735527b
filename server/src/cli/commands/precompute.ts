/**
 * `glassbox precompute --shard i/n`: the per-row passes over one shard of a data file, for
 * `glassbox merge` (and the Ray runner).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_OPTION, type Command } from '../context';
import { GlassboxError } from '../../core/errors';
import { DEFAULT_PARAMS, parseShard, precomputeShard, prepareTraining, type PrecomputeParams, type PreparedTraining } from '../../core/shard/precompute';
import type { DataRole } from '../../core/project';

/**
 * One shard of the per-row precompute (drift histograms, prediction mix, top-loss suspects, an
 * importance sample), written as DIR/shard-<i>-of-<n>.json for `glassbox merge`.
 */
export const precompute: Command = {
  name: 'precompute',
  summary: 'per-row passes over one shard of a data file (drift, predictions, suspects, importance sample), for glassbox merge',
  options: {
    prepare: { type: 'boolean', description: 'fit the training side once (schema, bins, background) into DIR/training.json; shards then read it instead of each passing over the training file' },
    shard: { type: 'string', arg: 'I/N', description: 'the shard to compute: the I-th of N (1-based; default 1/1, the whole file)' },
    out: { type: 'string', arg: 'DIR', description: 'directory the shard file is written to (created if absent)' },
    data: { type: 'string', arg: 'ROLE', description: 'which data: train (default), test or reference' },
    checkpoint: CHECKPOINT_OPTION,
    k: { type: 'string', arg: 'N', description: `suspect rows kept (default ${DEFAULT_PARAMS.k})` },
    sample: { type: 'string', arg: 'N', description: `rows in the importance sample (default ${DEFAULT_PARAMS.sample})` },
    bins: { type: 'string', arg: 'N', description: `numeric drift bins (default ${DEFAULT_PARAMS.bins})` },
    seed: { type: 'string', arg: 'N', description: `seed of the samples (default ${DEFAULT_PARAMS.seed})` },
  },
  async run(ctx) {
    const out = ctx.options.out as string | undefined;
    if (!out) throw new GlassboxError('usage', '--out DIR is required (where the shard file goes)');
    const shard = parseShard((ctx.options.shard as string | undefined) ?? '1/1');
    const role = ((ctx.options.data as string | undefined) ?? 'train') as DataRole;
    if (!['train', 'test', 'reference'].includes(role)) throw new GlassboxError('usage', `--data must be train, test or reference, got '${role}'`);
    const params: Partial<PrecomputeParams> = {};
    for (const key of ['k', 'sample', 'bins', 'seed'] as const) {
      const v = ctx.options[key];
      if (v === undefined) continue;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < (key === 'bins' ? 2 : 0)) throw new GlassboxError('usage', `--${key} must be an integer >= ${key === 'bins' ? 2 : 0}, got '${v}'`);
      params[key] = n;
    }
    await ctx.engine();
    const project = ctx.project();
    const dir = path.resolve(ctx.cwd, out);
    fs.mkdirSync(dir, { recursive: true });
    const trainingFile = path.join(dir, 'training.json');
    if (ctx.options.prepare) {
      const t0 = performance.now();
      const prepared = await prepareTraining(project, params);
      writeAtomically(trainingFile, JSON.stringify(prepared));
      const seconds = (performance.now() - t0) / 1000;
      if (ctx.json) ctx.emit({ file: trainingFile, seconds });
      else ctx.print(`training side of ${path.basename(project.config.data.train)} in ${seconds.toFixed(2)} s -> ${path.relative(ctx.cwd, trainingFile) || trainingFile}`);
      return 0;
    }
    const training = fs.existsSync(trainingFile) ? readTraining(trainingFile) : undefined;
    const checkpoint = project.resolveCheckpoint(ctx.options.checkpoint as string | undefined);
    const t0 = performance.now();
    const result = await precomputeShard(project, { role, shard, checkpoint, params, ...(training ? { training } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    const file = path.join(dir, `shard-${shard.index + 1}-of-${shard.count}.json`);
    writeAtomically(file, JSON.stringify(result));
    if (ctx.json) ctx.emit({ file, shard: `${shard.index + 1}/${shard.count}`, rows: result.rows, seconds });
    else ctx.print(`shard ${shard.index + 1}/${shard.count}: ${result.rows} of ${result.data.rows} rows of ${result.data.file} in ${seconds.toFixed(2)} s -> ${path.relative(ctx.cwd, file) || file}`);
    await project.dispose();
    return 0;
  },
};

/** Through a temp file and a rename: a reader never sees half a file. */
function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

function readTraining(file: string): PreparedTraining {
  let value: PreparedTraining;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8')) as PreparedTraining;
  } catch (e) {
    throw new GlassboxError('file', `not a readable prepared training side: ${(e as Error).message}`, { file });
  }
  if (value?.format !== 'glassbox-precompute-training') throw new GlassboxError('file', 'not a prepared training side (write it with glassbox precompute --prepare)', { file });
  return { ...value, file };
}
