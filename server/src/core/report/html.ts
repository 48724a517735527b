/**
 * The report as one self-contained HTML file: inline CSS, inline SVG charts, no script, and a
 * Content-Security-Policy that forbids every fetch (`default-src 'none'`), so it opens the same
 * offline, in a mail client or from a CI artifact. Its size depends on the number of features and
 * checkpoints, not on the number of data rows (data.ts caps every list).
 */
import type { ReportCheckpoint, ReportData } from './data';
import { byShare, num, pct, summarySentences } from './summary';
import { barChart, esc, lineChart } from './svg';

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#1f2328;line-height:1.45}
h1{font-size:1.6em;margin-bottom:4px}h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}h3{margin-top:20px}
.meta{color:#57606a;font-size:.9em}.summary{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 20px}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}th{background:#f6f8fa}
td:first-child,th:first-child{text-align:left}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}.skip{color:#57606a}
.privacy{border-left:4px solid #7d5ba6;padding:4px 12px;background:#f5f0fa}svg{max-width:100%;height:auto}`;

const td = (x: string | number) => `<td>${typeof x === 'number' ? num(x) : esc(x)}</td>`;
const tr = (cells: Array<string | number>) => `<tr>${cells.map(td).join('')}</tr>`;
const th = (cells: string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
const tableOf = (head: string[], rows: Array<Array<string | number>>) => `<table>${th(head)}${rows.map(tr).join('')}</table>`;

function metricsTable(cps: ReportCheckpoint[]): string {
  const rows: Array<Array<string | number>> = [];
  for (const cp of cps) for (const m of cp.metrics) rows.push([cp.name, `${m.data} (${m.file})`, m.rows, m.accuracy !== undefined ? pct(m.accuracy, 2) : '-', m.logLoss ?? '-', m.rmse ?? '-', m.mae ?? '-']);
  return rows.length ? tableOf(['checkpoint', 'data', 'rows', 'accuracy', 'log loss', 'RMSE', 'MAE'], rows) : '<p>No labelled data to score on.</p>';
}

export function renderHtml(d: ReportData): string {
  const cp = d.latest;
  const order = byShare(cp);
  const names = cp.importance.features;
  const body: string[] = [];
  body.push(`<h1>Glassbox report: ${esc(d.title)}</h1>`);
  body.push(`<p class="meta">Checkpoint ${esc(cp.name)}${d.previous ? ` compared with ${esc(d.previous.name)}` : ''} · ${esc(d.task)}${d.classes ? ` (${d.classes.map(esc).join(', ')})` : ''} · generated ${esc(d.generated)}</p>`);
  body.push(`<section class="summary" id="summary"><h2>Summary</h2><ul>${summarySentences(d).map((s) => `<li>${esc(s)}</li>`).join('')}</ul></section>`);
  if (d.privacy) body.push(`<p class="privacy" id="privacy"><strong>Differential privacy.</strong> ${esc(d.privacy.statement)} Withheld: ${esc(d.privacy.withheld.join(', '))}.</p>`);

  body.push('<h2 id="metrics">Metrics</h2>', metricsTable(d.previous ? [d.previous, cp] : [cp]));

  body.push(`<h2 id="importance">Importance</h2><p>Share of the model's attribution per raw feature (${esc(cp.importance.provider)}, ${num(cp.importance.rows)} rows of ${esc(cp.importance.file)}).</p>`);
  const series = [{ name: cp.name, values: order.map((f) => cp.importance.shares[f]!) }];
  if (d.previous) series.push({ name: d.previous.name, values: order.map((f) => d.previous!.importance.shares[d.previous!.importance.features.indexOf(names[f]!)] ?? 0) });
  body.push(barChart(order.map((f) => names[f]!), series, { format: (v) => pct(v), title: 'Importance share per feature' }));

  const c = d.comparison;
  if (c && d.previous) {
    body.push(`<h2 id="changes">Changes since ${esc(d.previous.name)}</h2>`);
    body.push(`<p>${c.changed ? '' : '<strong>No change.</strong> '}Rank agreement: Spearman ${num(c.agreement.spearman, 3)}, top-${c.agreement.topK} overlap ${c.agreement.overlap}/${c.agreement.topK}.</p>`);
    if (c.metrics.length) body.push(tableOf(['data', 'metric', d.previous.name, cp.name, 'change'], c.metrics.map((m) => [m.role, m.metric, m.a, m.b, m.change])));
    body.push('<h3>Importance ranks</h3>', tableOf(['feature', `share ${d.previous.name}`, `share ${cp.name}`, `rank ${d.previous.name}`, `rank ${cp.name}`, 'change'], c.ranks.map((r) => [r.feature, pct(r.shareA), pct(r.shareB), r.rankA, r.rankB, r.change === 0 ? '=' : r.change < 0 ? `up ${-r.change}` : `down ${r.change}`])));
    body.push(`<h3>Attribution disagreement</h3><p>Spearman correlation, across ${num(c.disagreement[0]?.rows ?? 0)} rows, of each feature's per-row share under the two checkpoints (1: the same rows lean on it).</p>`);
    body.push(tableOf(['feature', 'Spearman'], c.disagreement.map((x) => [x.feature, x.spearman])));
    body.push(`<h3>Rows whose prediction flipped</h3><p>${num(c.flipped.rows)} of ${num(c.flipped.of)} rows of ${esc(c.flipped.file)}${c.flipped.listed.length ? `; the ${c.flipped.listed.length} with the largest probability change, with their three largest attributions (${esc(c.flipped.methodA)} / ${esc(c.flipped.methodB)})` : ''}.</p>`);
    const top3 = (a: Record<string, number>) => Object.entries(a).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, 3).map(([k, v]) => `${k} ${num(v, 3)}`).join(', ');
    if (c.flipped.listed.length) body.push(tableOf(['line', 'row', 'before', 'after', 'label', 'p change', `top attributions ${d.previous.name}`, `top attributions ${cp.name}`], c.flipped.listed.map((r) => [String(r.line), String(r.row), r.before, r.after, r.label ?? '-', r.change, top3(r.attributionsA), top3(r.attributionsB)])));
    if (c.checks.length) body.push('<h3>Checks that changed</h3>', tableOf(['check', d.previous.name, cp.name, 'now'], c.checks.map((k) => [k.id, k.a, k.b, k.summaryB])));
    const moved = c.drift.filter((x) => Math.abs(x.change) > 1e-12 || x.quadrantA !== x.quadrantB).slice(0, 15);
    if (moved.length) body.push('<h3>Drift impact changes</h3>', tableOf(['feature', `impact ${d.previous.name}`, `impact ${cp.name}`, 'quadrant now'], moved.map((x) => [x.feature, x.impactA, x.impactB, x.quadrantB])));
  }

  if (d.checks) {
    const s = d.checks.summary;
    body.push(`<h2 id="checks">Checks</h2><p>${s.passed} passed, ${s.failed} failed, ${s.warnings} warning(s), ${s.skipped} skipped: <span class="${d.checks.ok ? 'pass' : 'fail'}">${d.checks.ok ? 'ok' : 'FAILED'}</span></p>`);
    const rows = d.checks.results.map((r) => {
      const cls = r.status === 'fail' ? (r.severity === 'error' ? 'fail' : 'warn') : r.status;
      const findings = r.findings
        .map((x) => `<div>${esc(x.message)} <span class="meta">(${esc(x.metric)}: ${esc(num(x.measured))}, limit ${esc(num(x.limit))}${x.rows.length ? `; rows ${x.rows.map((e) => `${esc(e.file)}:${e.line}`).join(', ')}` : ''})</span></div>`)
        .join('');
      return `<tr><td>${esc(r.id)}</td><td class="${cls}">${esc(cls === 'warn' ? 'warning' : r.status)}</td><td style="text-align:left">${esc(r.summary)}${findings}</td></tr>`;
    });
    body.push(`<table>${th(['check', 'status', 'result'])}${rows.join('')}</table>`);
  }

  if (d.drift) {
    const dr = d.drift;
    body.push(`<h2 id="drift">Drift</h2><p>${esc(dr.reference)} (${num(dr.rows.reference)} rows) against the training data (${num(dr.rows.train)} rows), score ${esc(dr.metric)}; impact = share on the reference × drift.</p>`);
    const shown = dr.features.slice(0, 30);
    body.push(tableOf(['feature', dr.metric, 'share', 'impact', 'quadrant'], shown.map((x) => [x.feature, x.drift, pct(x.shareReference), x.impact, x.quadrant])));
    if (dr.performance) body.push(tableOf(['metric', 'train', dr.reference], Object.entries(dr.performance).map(([k, v]) => [k, v.train, v.reference])));
  }

  if (d.timeline && d.timeline.points.length > 1) {
    const t = d.timeline;
    const xs = t.points.map((p) => p.name);
    body.push(`<h2 id="timeline">Timeline</h2><p>${t.points.length} checkpoints; importance ${esc(t.provider)}.</p>`);
    const roles = [...new Set(t.points.flatMap((p) => p.metrics.filter((m) => m.accuracy !== undefined).map((m) => m.data)))];
    if (roles.length) body.push(lineChart(xs, roles.map((r) => ({ name: `${r} accuracy`, values: t.points.map((p) => p.metrics.find((m) => m.data === r)?.accuracy ?? null) })), { format: (v) => pct(v), title: 'Accuracy per checkpoint' }));
    const last = t.points[t.points.length - 1]!;
    const topF = last.shares.map((_, f) => f).sort((a, b) => last.shares[b]! - last.shares[a]!).slice(0, 6);
    body.push(lineChart(xs, topF.map((f) => ({ name: t.features[f]!, values: t.points.map((p) => p.shares[f]!) })), { format: (v) => pct(v), title: 'Importance share per checkpoint (top features now)' }));
    body.push(tableOf(['checkpoint', ...roles.map((r) => `${r} accuracy`), ...topF.map((f) => t.features[f]!)], t.points.map((p) => [p.name, ...roles.map((r) => { const a = p.metrics.find((m) => m.data === r)?.accuracy; return a === undefined ? '-' : pct(a, 2); }), ...topF.map((f) => pct(p.shares[f]!))])));
  }

  body.push('<p class="meta">Generated by Glassbox. Rows are named by file, line and index only: no data values are included.</p>');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Glassbox report: ${esc(d.title)}</title><style>${CSS}</style></head><body>${body.join('\n')}</body></html>\n`;
}
