/**
 * `glassbox suspects`: the training rows most likely mislabelled or outliers.
 */
import type { Command, CommandContext } from '../context';
import type { Project } from '../../core/project';
import { fmtNum } from '../format';
import { GlassboxError } from '../../core/errors';
import { DEFAULT_SUSPECT_SCORE, SUSPECT_SCORES, suspectReason, suspects as rankSuspects, type SuspectScore } from '../../core/influence/suspects';
import { openIndex, TRACE_OPTIONS } from './influence';
import { dynamicsReason, dynamicsSuspects, trainingDynamics } from '../../core/influence/dynamics';

/** Training rows whose labels look wrong: self-influence combined with confidence against the label. */
export const suspects: Command = {
  name: 'suspects',
  summary: 'training rows most likely mislabelled or outliers (self-influence and confidence)',
  options: {
    top: { type: 'string', arg: 'K', description: 'rows to list (default 20)' },
    score: { type: 'string', arg: 'S', description: `ranking: ${[...SUSPECT_SCORES, 'aum'].join(', ')} (default ${DEFAULT_SUSPECT_SCORE}; aum, the area under the margin over checkpoints, for models without gradients such as tree ensembles)` },
    ...TRACE_OPTIONS,
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const top = Number((ctx.options.top as string | undefined) ?? 20);
    if (!Number.isInteger(top) || top < 1) throw new GlassboxError('usage', `--top must be a positive integer, got '${ctx.options.top}'`);
    const given = ctx.options.score as string | undefined;
    if (given !== undefined && given !== 'aum' && !SUSPECT_SCORES.includes(given as SuspectScore)) throw new GlassboxError('usage', `--score must be one of ${[...SUSPECT_SCORES, 'aum'].join(', ')}, got '${given}'`);
    // Models TracIn cannot trace (no gradients, no dense layers at the end) are ranked by their training dynamics.
    const latest = await project.model(project.latestCheckpoint());
    const traceable = Boolean(latest.layers || latest.denseTail);
    if (given === 'aum' || (given === undefined && !traceable)) return byDynamics(ctx, project, top);
    const score = (given ?? DEFAULT_SUSPECT_SCORE) as SuspectScore;
    const index = await openIndex(ctx, project);
    try {
      const train = await project.dataset('train', { keepRaw: true });
      const { encoding } = await project.schema();
      const classes = project.config.raw.classNames ?? encoding.label?.classes;
      const featureColumns = encoding.features.map((f) => f.name);
      const rows = rankSuspects(index, top, score).map((s, k) => ({
        rank: k + 1,
        row: s.index,
        line: train.lines[s.index]!,
        label: s.label,
        values: Object.fromEntries(featureColumns.map((c) => [c, train.raw?.[s.index]?.[train.header.indexOf(c)]])),
        score: s.score,
        pLabel: s.pLabel,
        selfInfluence: s.selfInfluence,
        selfInfluenceRank: s.selfInfluenceRank,
        reason: suspectReason(s, index.n, classes),
      }));
      const json = { score, n: index.n, file: train.file, classes: classes ?? null, checkpoints: index.entries.map((e) => ({ name: e.info.name, hash: e.info.hash, learningRate: e.weight, reused: e.reused })), rows };
      if (ctx.json) ctx.emit(json);
      else {
        ctx.print(`suspect training rows (${score}) of ${index.n.toLocaleString('en-US')}, over ${index.entries.length} checkpoint(s)`);
        for (const r of rows) ctx.print(`${String(r.rank).padStart(4)}  ${`${project.relative(train.file)}:${r.line}`.padEnd(28)} row ${String(r.row).padStart(6)}  ${fmtNum(r.score, 3).padStart(8)}  ${r.reason}`);
      }
    } finally {
      index.close();
      await project.dispose();
    }
    return 0;
  },
};

/** Suspects by the area under the margin over the checkpoint series (influence/dynamics.ts). */
async function byDynamics(ctx: CommandContext, project: Project, top: number): Promise<number> {
  try {
    const train = await project.dataset('train', { keepRaw: true });
    const { encoding } = await project.schema();
    const classes = project.config.raw.classNames ?? encoding.label?.classes;
    const d = await trainingDynamics(project, train, project.checkpoints());
    const featureColumns = encoding.features.map((f) => f.name);
    const score = d.task === 'regression' ? 'loss' : 'aum';
    const rows = dynamicsSuspects(d, top).map((s) => ({
      rank: s.rank,
      row: s.index,
      line: train.lines[s.index]!,
      label: s.label,
      values: Object.fromEntries(featureColumns.map((c) => [c, train.raw?.[s.index]?.[train.header.indexOf(c)]])),
      score: s.score,
      pLabel: Number.isNaN(s.pLabel) ? null : s.pLabel,
      aum: Number.isNaN(s.aum) ? null : s.aum,
      meanLoss: s.meanLoss,
      ...(s.predicted !== undefined ? { predicted: s.predicted } : {}),
      reason: dynamicsReason(s, d.checkpoints.length, classes),
    }));
    const json = { score, n: d.n, file: train.file, classes: classes ?? null, checkpoints: d.checkpoints.map((c) => ({ name: c.name, hash: c.hash })), rows };
    if (ctx.json) ctx.emit(json);
    else {
      ctx.print(`suspect training rows (${score === 'aum' ? 'lowest area under the margin' : 'largest loss'}) of ${d.n.toLocaleString('en-US')}, over ${d.checkpoints.length} checkpoint(s)`);
      for (const r of rows) ctx.print(`${String(r.rank).padStart(4)}  ${`${project.relative(train.file)}:${r.line}`.padEnd(28)} row ${String(r.row).padStart(6)}  ${fmtNum(r.score, 3).padStart(8)}  ${r.reason}`);
    }
  } finally {
    await project.dispose();
  }
  return 0;
}
