/**
 * Influence precompute and suspect rows: traces the training rows' gradients over the ready
 * checkpoints up to the analysed one (TracInCP factors, stored once per checkpoint content hash in
 * `.glassbox/influence`, so row explanations later answer from them), ranks the training rows by
 * the core's suspicion score (`DEFAULT_SUSPECT_SCORE`: self-influence of the last layer combined
 * with the loss on the row's own label) and keeps every row's self-influence rank for the hover.
 *
 * Findings: the `SUSPECT_ROWS` most suspect rows at their line of the training CSV (a warning when
 * the model gives the row's label a probability below `WARN_P_LABEL`, information otherwise; the
 * daemon shows at most its configured count), and a summary on the header line.
 */
import { throwIfAborted } from '../../core/errors';
import { ranks } from '../../core/util/stats';
import { DEFAULT_SUSPECT_SCORE, suspectReason, suspects } from '../../core/influence/suspects';
import { influenceIndex, releaseIndex, traceSeries } from './influence-index';
import { dynamicsReason, dynamicsSuspects, trainingDynamics } from '../../core/influence/dynamics';
import type { CheckpointInfo } from '../../core/model/checkpoints';
import type { Dataset } from '../../core/data/dataset';
import type { Encoding } from '../../core/data/encoding';
import type { Project } from '../../core/project';
import { className, classNamesOf, predictRows } from '../../core/analyses';
import type { AnalysisStep, Finding, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';

/** Suspects kept per checkpoint (the diagnostics cap is at most this). */
export const SUSPECT_ROWS = 100;
export const WARN_P_LABEL = 0.05;

export interface SuspectEntry {
  row: number;
  line: number;
  label: string;
  /** The class the analysed checkpoint predicts for the row (classification). */
  predicted?: string;
  /** Probability the analysed checkpoint gives the row's own label. */
  pLabel: number;
  score: number;
  selfInfluenceRank: number;
  reason: string;
}

export interface InfluenceResult extends StepOutput {
  file: string;
  n: number;
  /** The suspicion score: TracIn's (`DEFAULT_SUSPECT_SCORE`), or `aum` for models without gradients. */
  score: string;
  /** Checkpoints traced, in series order. */
  checkpoints: string[];
  suspects: SuspectEntry[];
  /**
   * Per training row: 1-based rank of its self-influence (1 = largest); for `aum`, its rank by the
   * area under the margin (1 = lowest margin, the most suspect).
   */
  selfInfluenceRank: number[];
}

export const influenceStep = {
  ...STEP_CATALOG.influence,
  release: releaseIndex,
  async run({ project, checkpoint, signal, progress }) {
    const train = await project.dataset('train');
    const { encoding } = await project.schema();
    const model = await project.model(checkpoint);
    if (!model.layers && !model.denseTail) return byDynamics(project, checkpoint, train, encoding, signal, progress);
    progress(0, 'tracing training gradients');
    const index = await influenceIndex(project, checkpoint, signal);
    throwIfAborted(signal);
    const classes = classNamesOf(project, encoding) ?? undefined;
    const name = (k: number) => className(classes, k);
    const list: SuspectEntry[] = suspects(index, Math.min(SUSPECT_ROWS, index.n)).map((s) => ({
      row: s.index,
      line: train.lines[s.index]!,
      label: name(s.label),
      pLabel: s.pLabel,
      score: s.score,
      selfInfluenceRank: s.selfInfluenceRank,
      reason: suspectReason(s, index.n, classes),
    }));
    await withPredicted(project, checkpoint, train, list, signal);
    const si = index.selfInfluence();
    const selfInfluenceRank = Array.from(ranks(Float64Array.from(si, (v) => -v)), (r) => Math.round(r));
    const findings = suspectFindings(list, train, {
      row: (s, k) => `Suspect row ${s.row + 1} (#${k + 1} by ${DEFAULT_SUSPECT_SCORE} score ${s.score.toFixed(3)}): ${s.reason}, at checkpoint ${checkpoint.name}`,
      summary: `(of ${index.n}) have a label the model gives p < ${WARN_P_LABEL}; ranked by ${DEFAULT_SUSPECT_SCORE} score over ${index.entries.length} checkpoint(s) up to ${checkpoint.name}`,
    });
    progress(1);
    return {
      file: train.file,
      n: index.n,
      score: DEFAULT_SUSPECT_SCORE,
      checkpoints: index.entries.map((e) => e.info.name),
      suspects: list,
      selfInfluenceRank,
      findings,
    };
  },
} satisfies AnalysisStep<InfluenceResult>;

/** Fills each suspect's `predicted` class at `checkpoint` (core/analyses `predictRows`; classification only). */
async function withPredicted(project: Project, checkpoint: CheckpointInfo, train: Dataset, list: SuspectEntry[], signal: AbortSignal | undefined): Promise<void> {
  if (!list.length) return;
  const p = await predictRows(project, { checkpoint, dataset: train, rows: list.map((s) => s.row), ...(signal ? { signal } : {}) });
  if (!p.predicted) return;
  list.forEach((s, i) => (s.predicted = className(p.classes, p.predicted![i]!)));
}

/**
 * Suspect rows of a model TracIn cannot trace (tree ensembles, graphs run through onnxruntime): the
 * area under the margin over the ready checkpoints up to this one (core/influence/dynamics.ts).
 */
async function byDynamics(
  project: Project,
  checkpoint: CheckpointInfo,
  train: Dataset,
  encoding: Encoding,
  signal: AbortSignal | undefined,
  progress: (fraction: number, message?: string) => void,
): Promise<InfluenceResult> {
  progress(0, 'scoring training rows over checkpoints');
  const upTo = traceSeries(project, checkpoint);
  const d = await trainingDynamics(project, train, upTo, signal);
  const classes = classNamesOf(project, encoding) ?? undefined;
  const name = (k: number) => className(classes, k);
  const all = dynamicsSuspects(d, d.n);
  const rank = new Array<number>(d.n);
  for (const s of all) rank[s.index] = s.rank;
  const list: SuspectEntry[] = all.slice(0, Math.min(SUSPECT_ROWS, d.n)).map((s) => ({
    row: s.index,
    line: train.lines[s.index]!,
    label: name(s.label),
    pLabel: s.pLabel,
    score: s.score,
    selfInfluenceRank: s.rank,
    reason: dynamicsReason(s, d.checkpoints.length, classes),
  }));
  await withPredicted(project, checkpoint, train, list, signal);
  const score = d.task === 'regression' ? 'loss' : 'aum';
  const findings = suspectFindings(list, train, {
    row: (s, k) => `Suspect row ${s.row + 1} (#${k + 1} by ${score === 'aum' ? 'area under the margin' : 'loss'}, score ${s.score.toFixed(3)}): ${s.reason}, up to checkpoint ${checkpoint.name}`,
    summary: `(of ${d.n}) have a label the model gives p < ${WARN_P_LABEL}; ranked by ${score === 'aum' ? 'the area under the margin' : 'the loss'} over ${d.checkpoints.length} checkpoint(s) up to ${checkpoint.name} (the model has no gradients for TracIn)`,
  });
  progress(1);
  return { file: train.file, n: d.n, score, checkpoints: d.checkpoints.map((c) => c.name), suspects: list, selfInfluenceRank: rank, findings };
}

/** One finding per suspect row at its line (a warning when its label gets p < WARN_P_LABEL), and a summary on the header. */
function suspectFindings(list: SuspectEntry[], train: Dataset, text: { row: (s: SuspectEntry, k: number) => string; summary: string }): Finding[] {
  const findings: Finding[] = list.map((s, k) => ({
    severity: s.pLabel < WARN_P_LABEL ? 'warning' : 'info',
    code: 'suspect-row',
    rank: k + 1,
    file: train.file,
    line: s.line,
    message: text.row(s, k),
  }));
  findings.push({
    severity: 'info',
    code: 'suspect-summary',
    file: train.file,
    line: train.lines[0]! - 1,
    message: `${list.filter((s) => s.pLabel < WARN_P_LABEL).length} of the ${list.length} most suspect training rows ${text.summary}`,
  });
  return findings;
}
