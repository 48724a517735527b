/**
 * `glassbox ood`: rows ranked by their calibrated distance from the training data.
 */
import { CHECKPOINT_OPTION, type Command } from '../context';
import { table, fmtNum } from '../format';
import { featureNames } from '../../core/data/encoding';
import { fitOod, rankOod, scoreOod, type OodOptions } from '../../core/drift/ood';
import { ROW_OPTIONS, selectRows } from '../rows';
import { num } from './drift';

/** The most out-of-distribution rows of a data set, and the raw features that make them so. */
export const ood: Command = {
  name: 'ood',
  summary: 'rank rows by how far they are from the training data (Mahalanobis, calibrated)',
  options: {
    ...ROW_OPTIONS,
    top: { type: 'string', arg: 'K', description: 'rows to report, most out-of-distribution first (default 10)' },
    features: { type: 'string', arg: 'K', description: 'features named per row (default 3)' },
    holdout: { type: 'string', arg: 'N', description: 'training rows held out to calibrate the scores (default min(2000, 20%))' },
    ridge: { type: 'string', arg: 'X', description: 'covariance regularisation, relative to the mean variance (default 1e-3)' },
    seed: { type: 'string', arg: 'N', description: 'seed for the held-out rows (default 0)' },
    checkpoint: CHECKPOINT_OPTION,
  },
  async run(ctx) {
    await ctx.engine();
    const project = ctx.project();
    const o = ctx.options;
    const top = num(o.top, '--top', true) ?? 10;
    const perRow = num(o.features, '--features', true) ?? 3;
    const opts: OodOptions = {};
    const holdout = num(o.holdout, '--holdout', true);
    const ridge = num(o.ridge, '--ridge');
    const seed = num(o.seed, '--seed', true);
    if (holdout !== undefined) opts.holdout = holdout;
    if (ridge !== undefined) opts.ridge = ridge;
    if (seed !== undefined) opts.seed = seed;
    const { encoding } = await project.schema();
    const model = await project.model(project.resolveCheckpoint(o.checkpoint as string | undefined));
    const train = await project.dataset('train');
    const sel = await selectRows(ctx, project);
    const det = fitOod(model, encoding, train, opts);
    const s = scoreOod(det, model, encoding, sel.X, sel.n, opts);
    const names = featureNames(encoding);
    const F = names.length;
    const ds = sel.dataset;
    const rows = rankOod(det, s)
      .slice(0, top)
      .map((i) => {
        const d2 = s.encoded.distance[i]! ** 2;
        const parts = names.map((feature, f) => ({ feature, contribution: s.contributions[i * F + f]!, share: d2 > 0 ? s.contributions[i * F + f]! / d2 : 0 }));
        parts.sort((a, b) => b.contribution - a.contribution);
        const row = sel.indices[i]!;
        const col = (name: string) => ds.header.indexOf(name);
        return {
          row,
          line: ds.lines[row]!,
          score: s.score[i]!,
          pValue: s.pValue[i]!,
          encoded: { distance: s.encoded.distance[i]!, pValue: s.encoded.pValue[i]! },
          hidden: s.hidden ? { distance: s.hidden.distance[i]!, pValue: s.hidden.pValue[i]! } : null,
          features: parts.slice(0, perRow).map((p) => ({ ...p, value: ds.raw ? ds.raw[row]![col(p.feature)] : undefined })),
        };
      });
    const calibration = {
      heldOutRows: det.heldOut.length,
      encodedMedian: det.encoded.median,
      hiddenMedian: det.hidden?.median ?? null,
    };
    const flagged = { p01: count(s.pValue, 0.01), p05: count(s.pValue, 0.05) };
    if (ctx.json) ctx.emit({ file: ds.file, rows: sel.n, spaces: s.hidden ? ['encoded', 'hidden'] : ['encoded'], calibration, flagged, top: rows });
    else {
      ctx.print(`${sel.n} rows of ${project.relative(ds.file)}; ${flagged.p01} with p < 0.01, ${flagged.p05} with p < 0.05 (${calibration.heldOutRows} held-out training rows calibrate)`);
      ctx.print();
      ctx.print(
        table(
          ['line', 'p', 'd encoded', 'd hidden', 'why (share of d²)'],
          rows.map((r) => [r.line, r.pValue, r.encoded.distance, r.hidden?.distance ?? '', r.features.map((f) => `${f.feature}=${f.value ?? '?'} (${fmtNum(f.share, 2)})`).join(', ')]),
        ),
      );
    }
    await project.dispose();
    return 0;
  },
};

function count(p: Float64Array, alpha: number): number {
  let c = 0;
  for (const v of p) if (v < alpha) c++;
  return c;
}
