/**
 * On demand (`glassbox/compareCheckpoints`): two checkpoints of the project, compared by core/analyses
 * `compare`, the code `glassbox compare A B` runs, so the Compare panel and the CLI give the same
 * numbers. The step's checkpoint is A, `params.other` (a CheckpointInfo) is B. Checks and drift are
 * left out (the panel shows neither; `glassbox compare --no-checks --no-drift`): they do not change
 * the numbers below.
 * - rank changes: each feature's importance share (the checks' importance provider, e.g. mean
 *   |kernel-shap| over their seeded sample of the evaluation rows) and rank (1 = largest share) at
 *   A and B, the largest rank change first;
 * - flipped rows: evaluation rows whose predicted class differs, the largest gain in B's class first
 *   (core `FLIPPED_ROWS` listed; `rows` says over how many rows of which file they were counted);
 * - disagreement: per feature, the Spearman correlation across the explained rows of the feature's
 *   local share under A and under B (1 = same ordering of rows), lowest first; features whose
 *   attributions are constant on a side (correlation undefined) are left out.
 */
import { compare } from '../../core/analyses/compare';
import type { CheckpointInfo } from '../../core/model/checkpoints';
import type { CompareState } from '../../protocol/panels';
import type { AnalysisStep, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

export type CompareResult = CompareState & StepOutput;

export const compareStep = {
  ...STEP_CATALOG.compare,
  async run({ project, checkpoint, signal, params }) {
    const other = params.other as CheckpointInfo;
    const c = await compare({ project, checkpoint }, { project, checkpoint: other }, { checks: false, drift: false, signal });
    return {
      a: checkpoint.name,
      b: other.name,
      checkpoints: project.checkpoints().filter((k) => k.state === 'ready').map((k) => k.name),
      method: c.a.importance.provider,
      rows: c.flipped.of,
      file: c.flipped.file,
      rankChanges: c.ranks
        .map((r) => ({ feature: r.feature, rankA: r.rankA, rankB: r.rankB, importanceA: r.shareA, importanceB: r.shareB }))
        .sort((x, y) => Math.abs(y.rankB - y.rankA) - Math.abs(x.rankB - x.rankA) || x.rankB - y.rankB),
      flipped: c.flipped.listed.map((f) => ({ file: f.file, line: f.line, row: f.row, before: f.before, after: f.after, ...(f.label !== undefined ? { label: f.label } : {}) })),
      // A feature whose attributions are constant on one side has no correlation (NaN): left out.
      disagreement: c.disagreement.filter((d) => Number.isFinite(d.spearman)).map((d) => ({ feature: d.feature, spearman: d.spearman })),
    } satisfies CompareResult;
  },
} satisfies AnalysisStep<CompareResult>;
