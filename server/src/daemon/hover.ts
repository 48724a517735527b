/**
 * Hover text for CSV files, as Markdown, from results already computed: a header cell shows the
 * feature's importance share, its trend over checkpoints, its drift and drift impact; a data row
 * shows the prediction, confidence and label (from the stored predictions), the row's top
 * attributions, its suspicion rank (named after the score that ranked it) and its nearest training
 * row of another class. What is not computed yet is marked pending.
 */
import type { ImportanceResult } from './steps/importance';
import type { FilePredictions, PredictionsResult } from './steps/predictions';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RowExplanation } from './steps/explain-row';
import type { DriftResult } from './steps/drift';
import type { Shown } from './project-state';
// shared.ts only, not the analyses index: the main thread must not load the engine.
import { formatNumber, formatPercent } from '../core/analyses/shared';

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => BARS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)) : 3]).join('');
}

const pct = (v: number) => formatPercent(v);
const shown = (v: string | number | null | undefined) => (typeof v === 'number' ? formatNumber(v) : (v ?? 'missing'));

export function headerHover(feature: string, importance: Shown<ImportanceResult> | undefined, trend: Array<{ name: string; share: number }>, role: string, drift?: Shown<DriftResult>): string {
  const lines = [`**${feature}** · Glassbox`];
  const imp = importance?.value;
  const f = imp ? imp.features.indexOf(feature) : -1;
  if (!imp) lines.push('', 'Global importance: not computed yet.');
  else if (f < 0) lines.push('', `Not a model input (${role}).`);
  else {
    const rank = [...imp.share].sort((a, b) => b - a).indexOf(imp.share[f]!) + 1;
    lines.push('', `Global importance: **${pct(imp.share[f]!)}** of the total (rank ${rank} of ${imp.features.length}; mean |${imp.method}| over ${imp.rows} training rows) at checkpoint \`${importance!.checkpoint.name}\`.`);
    if (trend.length > 1) lines.push('', `Trend over ${trend.length} checkpoints: ${sparkline(trend.map((t) => t.share))} ${trend.map((t) => `${t.name} ${pct(t.share)}`).join(' → ')}`);
  }
  const d = drift?.value.features.find((x) => x.feature === feature);
  if (d) {
    const v = drift!.value;
    lines.push(
      '',
      `Drift (${v.metric}, ${path.basename(v.reference)} vs ${path.basename(v.train)}): **${formatNumber(d.drift, 3)}**; drift impact ${formatNumber(d.impact.reference, 4)} (share ${pct(d.importance.reference)} × drift), ${d.quadrant} at checkpoint \`${drift!.checkpoint.name}\`.`,
    );
  }
  return lines.join('\n');
}

/** A line marking numbers of `shown` as stale while `latest` (newer, same run) is analysed; '' when current. */
export function staleNote(latest: { name: string; hash?: string } | undefined, shown: { name: string; hash: string } | undefined): string {
  if (!latest || !shown || latest.hash === shown.hash) return '';
  return `\n\n_Checkpoint \`${latest.name}\` is being analysed; these numbers are from \`${shown.name}\`._`;
}

/** A data row before its checkpoint's predictions exist: what is known, the rest pending. */
export function pendingRowHover(line: number, pending: Pending): string {
  const why = pending.checkpoint ? `being computed for checkpoint \`${pending.checkpoint}\`` : 'no checkpoint analysed yet';
  return [`**Line ${line + 1}** · Glassbox`, '', `Prediction: _pending_ (${why}).`, '', 'Top attributions: _pending_.'].join('\n');
}

/** Index of the row starting on 1-based `line` in a predictions file, or -1. */
export function rowOfLine(p: FilePredictions, line: number): number {
  let lo = 0;
  let hi = p.lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = p.lines[mid]!;
    if (v === line) return mid;
    if (v < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** What the influence step knows about a training row. */
export interface RowInfluence {
  selfInfluenceRank: number;
  n: number;
  checkpoint: string;
  /** What the rank orders by: the influence step's `score` (`aum` for models without gradients, `loss`, else TracIn self-influence). */
  score: string;
}

/** The name of a suspicion rank, by the score the influence step ranked with. */
export function rankName(score: string): string {
  if (score === 'aum') return 'Area-under-the-margin rank';
  if (score === 'loss') return 'Loss rank';
  return 'Self-influence rank';
}

/** What a hover shows for a part still being computed (never "hover again"). */
export interface Pending {
  /** The checkpoint being analysed, when known. */
  checkpoint?: string;
}

/**
 * A data row. `explanation` undefined: the attributions did not arrive within the hover's budget
 * and are marked pending; `influence` undefined with `influencePending`: the rank is pending.
 */
export function rowHover(predictions: Shown<PredictionsResult>, file: FilePredictions, row: number, explanation: RowExplanation | undefined, influence?: RowInfluence, topK = 5, influencePending = false): string {
  const classes = predictions.value.classes;
  const name = (k: number | null) => (k === null ? '-' : classes?.[k] ?? String(k));
  const predicted = file.predicted[row]!;
  const lines = [`**Row ${row + 1}** (line ${file.lines[row]}) · checkpoint \`${predictions.checkpoint.name}\``, ''];
  const conf = file.confidence?.[row];
  lines.push(`Prediction: **${file.confidence ? name(predicted) : formatNumber(predicted)}**${conf !== undefined ? ` (confidence ${pct(conf)})` : ''}`);
  const label = file.labels?.[row];
  if (label !== undefined && label !== null) lines.push(`Label: ${name(label)}${file.confidence ? (label === predicted ? ' ✓' : ' ✗ misclassified') : ''}`);
  if (explanation) {
    lines.push('', `Top attributions (${explanation.method}, predicted class):`, '');
    const top = Object.entries(explanation.attributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    for (const [feature, value] of top.slice(0, topK)) lines.push(`- \`${feature}\` = ${shown(explanation.values[feature])}: ${value >= 0 ? '+' : ''}${formatNumber(value, 3)}`);
  } else lines.push('', `Top attributions: _pending_ (being computed for checkpoint \`${predictions.checkpoint.name}\`).`);
  if (influence) lines.push('', `${rankName(influence.score)}: **${influence.selfInfluenceRank.toLocaleString('en-US')}** of ${influence.n.toLocaleString('en-US')} training rows (1 = most suspect; checkpoint \`${influence.checkpoint}\`)`);
  else if (influencePending) lines.push('', 'Suspicion rank: _pending_ (influence is being computed).');
  const near = explanation?.nearestOpposite;
  if (near) {
    const diff = Object.keys(near.values).filter((f) => near.values[f] !== explanation!.values[f]);
    lines.push('', `Nearest training row of another class: line ${near.line} (row ${near.row}, label ${near.label ?? '-'}, distance ${formatNumber(near.distance, 3)}); differs in ${diff.map((f) => `\`${f}\` = ${shown(near.values[f])}`).join(', ') || 'nothing'}`);
  }
  // The client opens the Explain panel with the row's counterfactuals (args: uri, 0-based line).
  const args = encodeURIComponent(JSON.stringify([pathToFileURL(file.file).href, file.lines[row]! - 1]));
  lines.push('', `[What would change this prediction?](command:glassbox.counterfactualRow?${args})`);
  return lines.join('\n');
}
