/**
 * `glassbox merge`: the shards written by `glassbox precompute` merged into one result, refused when
 * they do not cover the data or mix configs.
 */
import type { Command } from '../context';
import { bar, fmtNum } from '../format';
import { GlassboxError } from '../../core/errors';
import { mergeShards, readShardFiles } from '../../core/shard/merge';

/** Merges the shard files of `glassbox precompute` into the results of the whole file. */
export const merge: Command = {
  name: 'merge',
  summary: 'merge the shards written by glassbox precompute (checks they cover the data and share one config)',
  usage: 'DIR|FILE...',
  options: {
    top: { type: 'string', arg: 'N', description: 'suspects and drift rows printed (default 10; --json has all)' },
  },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new GlassboxError('usage', 'name the directories (or shard files) to merge');
    const top = ctx.options.top === undefined ? 10 : Number(ctx.options.top);
    if (!Number.isSafeInteger(top) || top < 0) throw new GlassboxError('usage', `--top must be an integer >= 0, got '${ctx.options.top}'`);
    const merged = mergeShards(readShardFiles(ctx.positionals.map((p) => (p.startsWith('/') ? p : `${ctx.cwd}/${p}`))));
    if (ctx.json) {
      ctx.emit(merged);
      return 0;
    }
    const unit = merged.data.addressing === 'row' ? 'row' : 'line';
    ctx.print(`${merged.rows} rows of ${merged.data.file} (${merged.data.role}) from ${merged.shards} shard(s), checkpoint ${merged.checkpoint.name}`);
    ctx.print();
    ctx.print('drift (PSI vs training bins)');
    for (const d of [...merged.drift].sort((a, b) => b.psi - a.psi).slice(0, top)) ctx.print(`  ${d.feature.padEnd(18)} ${fmtNum(d.psi, 4).padStart(8)}`);
    ctx.print();
    ctx.print(`importance (${merged.method}, mean |attribution| over ${merged.importance.n} sampled rows)`);
    const order = merged.features.map((_, f) => f).sort((a, b) => merged.importance.shares[b]! - merged.importance.shares[a]!);
    const max = Math.max(...merged.importance.shares);
    for (const f of order.slice(0, top)) ctx.print(`  ${merged.features[f]!.padEnd(18)} ${fmtNum(merged.importance.shares[f]!, 3).padStart(7)}  ${bar(merged.importance.shares[f]!, max)}`);
    ctx.print();
    ctx.print('highest-loss rows');
    for (const s of merged.suspects.slice(0, top)) ctx.print(`  ${unit} ${s.row}: loss ${fmtNum(s.loss, 4)} (label ${s.label}, predicted ${fmtNum(s.predicted, 4)})`);
    return 0;
  },
};
