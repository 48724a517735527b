/**
 * On demand (`glassbox/compareCheckpoints`): two checkpoints of the series on the same rows (up to
 * `COMPARE_ROWS` of the test data, else reference, else training data; a seeded sample in file
 * order). The step's checkpoint is A, `params.other` (a CheckpointInfo) is B.
 * - rank changes: global importance (mean |gradient saliency|, predicted class) per raw feature,
 *   ranked 1 = most important, for both checkpoints;
 * - flipped rows: rows whose predicted class differs (at most `FLIPPED_ROWS`, most confident change
 *   first);
 * - disagreement: per feature, the Spearman correlation across rows of the two checkpoints' row
 *   attributions (1 = same ordering of rows; low or negative = the explanations moved).
 */
import { featureNames } from '../../core/data/encoding';
import { takeRows } from '../../core/data/dataset';
import { attributeRows, className, classNamesOf } from '../../core/analyses';
import type { CheckpointInfo } from '../../core/model/checkpoints';
import { createRng, sampleWithoutReplacement } from '../../core/util/random';
import { ranks, spearman } from '../../core/util/stats';
import type { CompareState } from '../../protocol/panels';
import type { AnalysisStep, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

export const COMPARE_ROWS = 1000;
export const FLIPPED_ROWS = 50;

export type CompareResult = CompareState & StepOutput;

export const compareStep = {
  ...STEP_CATALOG.compare,
  async run({ project, checkpoint, signal, params }) {
    const other = params.other as CheckpointInfo;
    const { encoding } = await project.schema();
    const ds = await project.dataset(project.dataPath('test') ? 'test' : project.dataPath('reference') ? 'reference' : 'train');
    const n = Math.min(COMPARE_ROWS, ds.n);
    const rows = n === ds.n ? Int32Array.from({ length: n }, (_, i) => i) : Int32Array.from(sampleWithoutReplacement(ds.n, n, createRng(0))).sort();
    const X = takeRows(ds, rows);
    const features = featureNames(encoding);
    const F = features.length;
    const side = async (c: CheckpointInfo) => {
      const model = await project.model(c);
      // Each side with the row method its own model allows (defaultRowMethod: saliency for networks,
      // exact for trees and linear models), as a row explanation of that checkpoint computes it.
      const { result: r, predictions: p } = await attributeRows(project, model, X, n, { signal });
      const meanAbs = new Float64Array(F);
      for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) meanAbs[f] += Math.abs(r.grouped[i * F + f]!) / n;
      return { p, grouped: r.grouped, meanAbs, rank: ranks(Float64Array.from(meanAbs, (v) => -v)) };
    };
    const a = await side(checkpoint);
    const b = await side(other);
    const classes = classNamesOf(project, encoding);
    const name = (k: number) => className(classes, k);
    const out: CompareResult = {
      a: checkpoint.name,
      b: other.name,
      checkpoints: project.checkpoints().filter((c) => c.state === 'ready').map((c) => c.name),
      rankChanges: features
        .map((feature, f) => ({ feature, rankA: Math.round(a.rank[f]!), rankB: Math.round(b.rank[f]!), importanceA: a.meanAbs[f]!, importanceB: b.meanAbs[f]! }))
        .sort((x, y) => Math.abs(y.rankB - y.rankA) - Math.abs(x.rankB - x.rankA) || x.rankB - y.rankB),
      disagreement: features
        .map((feature, f) => {
          const col = (g: ArrayLike<number>) => Float64Array.from({ length: n }, (_, i) => g[i * F + f]!);
          return { feature, spearman: spearman(col(a.grouped), col(b.grouped)) };
        })
        .sort((x, y) => x.spearman - y.spearman),
    };
    if (a.p.predicted && b.p.predicted && a.p.probabilities && b.p.probabilities) {
      const K = a.p.classes;
      const flips: Array<{ i: number; change: number }> = [];
      for (let i = 0; i < n; i++) {
        const pa = a.p.predicted[i]!;
        const pb = b.p.predicted[i]!;
        if (pa !== pb) flips.push({ i, change: b.p.probabilities[i * K + pb]! - a.p.probabilities[i * K + pb]! });
      }
      flips.sort((x, y) => y.change - x.change);
      out.flipped = flips.slice(0, FLIPPED_ROWS).map(({ i }) => {
        const r = rows[i]!;
        const y = ds.y?.[r];
        return { file: ds.file, line: ds.lines[r]!, row: r, before: name(a.p.predicted![i]!), after: name(b.p.predicted![i]!), ...(y !== undefined && !Number.isNaN(y) ? { label: name(y) } : {}) };
      });
    }
    return out;
  },
} satisfies AnalysisStep<CompareResult>;
