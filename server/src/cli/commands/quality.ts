/**
 * `glassbox quality`: how far to trust each attribution method on this model (faithfulness against
 * random orderings, infidelity, max-sensitivity, agreement between methods).
 */
import { CHECKPOINT_OPTION, type Command } from '../context';
import { table, fmtNum } from '../format';
import { GlassboxError } from '../../core/errors';
import { assertApplies, getMethod, methodIds } from '../../core/methods/registry';
import { qualityReport, QUALITY_ROWS, QUALITY_BACKGROUND } from '../../core/quality/report';
import { DEFAULT_QUALITY_SETTINGS, Z_BETTER } from '../../core/quality/battery';
import { num } from './drift';

/** Explanation quality per attribution method on held-out rows: parse, core/quality `qualityReport`, print. */
export const quality: Command = {
  name: 'quality',
  summary: 'explanation quality per method: deletion/insertion AUC vs random, infidelity, max-sensitivity, agreement',
  options: {
    methods: { type: 'string', arg: 'IDS', description: `attribution methods, comma-separated (${methodIds().join(', ')}; default: the model's row method, integrated-gradients and input-x-gradient for networks, feature-ablation)` },
    rows: { type: 'string', arg: 'N', description: `held-out rows sampled (default ${QUALITY_ROWS})` },
    'background-rows': { type: 'string', arg: 'N', description: `training rows that replace removed features (default ${QUALITY_BACKGROUND})` },
    'sensitivity-samples': { type: 'string', arg: 'N', description: `perturbed copies per row for max-sensitivity, 0 to skip (default ${DEFAULT_QUALITY_SETTINGS.sensitivitySamples})` },
    radius: { type: 'string', arg: 'R', description: `max-sensitivity radius in encoded units, standard deviations for standardised features (default ${DEFAULT_QUALITY_SETTINGS.sensitivityRadius})` },
    checkpoint: CHECKPOINT_OPTION,
    seed: { type: 'string', arg: 'N', description: 'seed of the row samples, random orderings and perturbations (default 0)' },
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const o = ctx.options;
    const methods = typeof o.methods === 'string' ? o.methods.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    if (methods && methods.length === 0) throw new GlassboxError('usage', '--methods expects method ids separated by commas');
    for (const id of methods ?? []) getMethod(id);
    const checkpoint = project.resolveCheckpoint(o.checkpoint as string | undefined);
    if (methods) {
      const model = await project.model(checkpoint);
      for (const id of methods) assertApplies(getMethod(id), model);
    }
    const rows = num(o.rows, '--rows', true);
    const bg = num(o['background-rows'], '--background-rows', true);
    const samples = num(o['sensitivity-samples'], '--sensitivity-samples', true);
    const radius = num(o.radius, '--radius');
    const seed = num(o.seed, '--seed', true);
    if (rows === 0) throw new GlassboxError('usage', '--rows must be at least 1');
    if (bg === 0) throw new GlassboxError('usage', '--background-rows must be at least 1');
    if (radius !== undefined && radius <= 0) throw new GlassboxError('usage', `--radius must be positive, got ${radius}`);
    const r = await qualityReport(project, {
      checkpoint,
      ...(methods ? { methods } : {}),
      ...(rows !== undefined ? { rows } : {}),
      ...(bg !== undefined ? { backgroundRows: bg } : {}),
      ...(seed !== undefined ? { seed } : {}),
      settings: { ...(samples !== undefined ? { sensitivitySamples: samples } : {}), ...(radius !== undefined ? { sensitivityRadius: radius } : {}) },
    });
    if (ctx.json) ctx.emit(r);
    else {
      const m0 = r.methods[0];
      ctx.print(`explanation quality on ${r.rows} rows of ${project.relative(r.file)} (checkpoint ${r.checkpoint.name}); removed features take ${r.backgroundRows} training rows`);
      ctx.print(`faithfulness = insertion AUC − deletion AUC (target logit, higher is better); random orderings: deletion ${fmtNum(m0?.random.deletionAuc ?? NaN, 3)}, insertion ${fmtNum(m0?.random.insertionAuc ?? NaN, 3)}`);
      ctx.print();
      ctx.print(
        table(
          ['method', 'deletion', 'insertion', 'faithful', 'vs random z', 'infidelity', 'infid. share', 'max-sens', 'seconds'],
          r.methods.map((m) => [
            m.method + (m.nonFinite ? ' (NaN/inf)' : ''),
            fmtNum(m.deletion.auc, 3),
            fmtNum(m.insertion.auc, 3),
            fmtNum(m.faithfulness, 3),
            fmtNum(m.advantage.z, 2),
            fmtNum(m.infidelity.raw, 3),
            fmtNum(m.infidelity.relative, 3),
            m.sensitivity ? fmtNum(m.sensitivity.mean, 3) : '-',
            fmtNum(m.ms / 1000, 2),
          ]),
        ),
      );
      if (r.agreement.length) {
        ctx.print();
        ctx.print(table(['methods', 'Spearman |a|', `top-${r.agreement[0]!.k} overlap`], r.agreement.map((a) => [`${a.a} / ${a.b}`, fmtNum(a.spearman, 3), fmtNum(a.topK, 3)])));
      }
      ctx.print();
      const weak = r.methods.filter((m) => !m.betterThanRandom).map((m) => m.method);
      if (weak.length) ctx.print(`no better than random orderings (z < ${Z_BETTER}): ${weak.join(', ')}`);
      ctx.print(r.recommended ? `trust ${r.recommended} for this model (most faithful of the methods better than random)` : 'no method tested is more faithful than random orderings');
    }
    await project.dispose();
    return 0;
  },
};
