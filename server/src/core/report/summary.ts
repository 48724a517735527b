/**
 * The plain-language summary at the top of a report, as sentences both renderers print: what the
 * model relies on, what changed since the previous checkpoint or run, what failed and why, and
 * what drifted. Numbers are formatted here once (`pct`, `num`) for HTML and Markdown alike.
 */
import type { ReportCheckpoint, ReportData } from './data';

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(2);
  return x.toFixed(digits);
}

/** Feature indices by share, largest first (ties in feature order). */
export function byShare(cp: Pick<ReportCheckpoint, 'importance'>): number[] {
  const s = cp.importance.shares;
  return s.map((_, f) => f).sort((a, b) => s[b]! - s[a]! || a - b);
}

const METRIC_NAMES: Record<string, string> = { accuracy: 'accuracy', logLoss: 'log loss', rmse: 'RMSE', mae: 'MAE' };

function headline(m: ReportCheckpoint['metrics'][number]): string | undefined {
  if (m.accuracy !== undefined) return `accuracy ${pct(m.accuracy)} on ${m.data} (${m.rows.toLocaleString('en-US')} rows)`;
  if (m.rmse !== undefined) return `RMSE ${num(m.rmse)} on ${m.data} (${m.rows.toLocaleString('en-US')} rows)`;
  return undefined;
}

export function summarySentences(d: ReportData): string[] {
  const out: string[] = [];
  const cp = d.latest;
  const order = byShare(cp);
  const top = order.slice(0, 3).map((f) => `${cp.importance.features[f]} (${pct(cp.importance.shares[f]!)})`);
  out.push(`Checkpoint ${cp.name} relies most on ${top.join(', ')} of ${cp.importance.features.length} features (importance: ${cp.importance.provider} over ${cp.importance.rows.toLocaleString('en-US')} rows of ${cp.importance.file}).`);
  const metrics = cp.metrics.map(headline).filter((x): x is string => Boolean(x));
  if (metrics.length) out.push(`It scores ${metrics.join(', ')}.`);
  const prev = d.previous;
  const c = d.comparison;
  if (prev && c) {
    if (!c.changed) out.push(`Nothing changed since ${prev.name}: same metrics, importance, predictions and check results.`);
    else {
      const parts: string[] = [];
      const evalRole = c.metrics.find((m) => m.role !== 'train')?.role ?? 'train';
      for (const m of c.metrics.filter((x) => x.role === evalRole && (x.metric === 'accuracy' || x.metric === 'rmse'))) {
        parts.push(`${evalRole} ${METRIC_NAMES[m.metric]} ${m.metric === 'accuracy' ? `${pct(m.a)} -> ${pct(m.b)}` : `${num(m.a)} -> ${num(m.b)}`}`);
      }
      const moved = c.ranks.filter((r) => Math.abs(r.change) >= 2 || (r.change !== 0 && Math.min(r.rankA, r.rankB) <= 3)).slice(0, 4);
      for (const r of moved) parts.push(`${r.feature} ${r.change < 0 ? 'rose' : 'fell'} from rank ${r.rankA} to ${r.rankB}`);
      parts.push(`rank agreement (Spearman) ${num(c.agreement.spearman, 2)}`);
      if (c.flipped.rows) parts.push(`${c.flipped.rows.toLocaleString('en-US')} of ${c.flipped.of.toLocaleString('en-US')} rows of ${c.flipped.file} changed predicted class`);
      for (const k of c.checks) parts.push(`check ${k.id} went from ${k.a} to ${k.b}`);
      out.push(`Since ${prev.name}: ${parts.join('; ')}.`);
    }
  } else if (prev) {
    const po = byShare(prev);
    const moved = order.slice(0, 3).filter((f, i) => po[i] !== f).map((f) => cp.importance.features[f]);
    out.push(moved.length ? `Since ${prev.name} the top three changed (now ${moved.join(', ')} among them).` : `Since ${prev.name} the top three features are the same.`);
  }
  if (d.checks) {
    const failed = d.checks.results.filter((r) => r.status === 'fail');
    const s = d.checks.summary;
    if (!failed.length) out.push(`All ${s.passed} checks that ran passed (${s.skipped} skipped: they need data or settings this project lacks).`);
    else for (const r of failed) out.push(`${r.severity === 'error' ? 'FAILED' : 'Warning'}: ${r.title} (${r.id}): ${r.summary}.`);
  } else if (d.privacy) out.push('Check outcomes, drift and row-level results are withheld under differential privacy.');
  if (d.drift) {
    const hot = d.drift.features.filter((f) => f.quadrant === 'high-drift/high-importance').map((f) => f.feature);
    out.push(hot.length ? `Drifted and important in ${d.drift.reference}: ${hot.join(', ')}; retrain or monitor these first.` : `No feature of ${d.drift.reference} is both drifted and important.`);
  }
  return out.map((s) => s.replace(/\.\.$/, '.'));
}
