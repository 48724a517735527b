/**
 * Global importance per raw feature as shares, for the picked checkpoint, and its trend over the
 * run's analysed checkpoints. A share is the feature's mean |attribution| divided by the sum over
 * all features, so the shares of one checkpoint sum to 100% whatever the attribution units.
 */
import { useMemo } from 'react';
import type { GlobalImportance } from '../../../server/src/protocol/panels';
import { usePersistentState } from '../../common/bridge';
import { ChartCanvas } from '../../common/Chart';
import { basename, Definition, ExportMenu, pct, Section } from '../../common/components';
import { isStale, sourceText, type DashboardView, type ImportancePoint } from '../../common/state';

/** `-1` = all classes. Rows sorted by value, features without a value dropped. */
export function importanceRows(imp: Pick<GlobalImportance, 'features'>, classIndex: number) {
  return imp.features
    .map((f) => ({ feature: f.feature, value: classIndex < 0 ? f.importance : (f.perClass?.[classIndex] ?? NaN) }))
    .filter((r) => Number.isFinite(r.value))
    .sort((x, y) => y.value - x.value);
}

/** Shares (0..1) of the total; all zero when the total is zero (a constant model). */
export function shares<T extends { value: number }>(rows: T[]): (T & { share: number })[] {
  const total = rows.reduce((s, r) => s + Math.abs(r.value), 0);
  return rows.map((r) => ({ ...r, share: total > 0 ? Math.abs(r.value) / total : 0 }));
}

/**
 * The rows to show with their shares: the daemon's own `share` (the one definition the hovers,
 * checks and timeline use) when every feature carries one and all classes are shown; computed the
 * same way otherwise (per class, or an older daemon).
 */
export function shareRows(imp: Pick<GlobalImportance, 'features'>, classIndex: number) {
  const rows = importanceRows(imp, classIndex);
  const given = new Map(imp.features.map((f) => [f.feature, f.share]));
  if (classIndex < 0 && rows.every((r) => Number.isFinite(given.get(r.feature)))) return rows.map((r) => ({ ...r, share: given.get(r.feature)! }));
  return shares(rows);
}

/** Per feature, its share at each point of the history (NaN where the feature is absent). */
export function trend(history: ImportancePoint[], features: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = Object.fromEntries(features.map((f) => [f, []]));
  for (const p of history) {
    const s = new Map(shares(p.features.map((f) => ({ feature: f.feature, value: f.importance }))).map((r) => [r.feature, r.share]));
    for (const f of features) out[f]!.push(s.get(f) ?? NaN);
  }
  return out;
}

const TREND_FEATURES = 5;

export function Importance({ state, checkpoint }: { state: DashboardView; checkpoint: string | undefined }) {
  const imp = state.importance;
  const history = state.importanceHistory ?? [];
  // The picked checkpoint's importance: the shown one, or from the history when the daemon sends it.
  const picked = !checkpoint || imp?.checkpoint === checkpoint ? imp : undefined;
  const fromHistory = picked ? undefined : history.find((h) => h.checkpoint === checkpoint);
  const data = picked ?? (fromHistory && imp ? { ...imp, checkpoint: fromHistory.checkpoint, features: fromHistory.features, perClass: undefined } : undefined);
  return (
    <Section title="Global importance" data={data} source={data ? sourceText(state, 'importance', data.checkpoint) : undefined}
      stale={data ? isStale(state, 'importance', data.checkpoint) : false}
      empty={checkpoint && imp ? `Not computed for ${checkpoint} yet (shown for ${imp.checkpoint} when picked).` : undefined}>
      {(d) => <ImportanceBody imp={d} history={history} previous={state.previousRun} sharesOnly={!picked} />}
    </Section>
  );
}

/** `sharesOnly`: the numbers come from the run's history, which holds shares, not mean |attribution|. */
function ImportanceBody({ imp, history, previous, sharesOnly }: { imp: GlobalImportance; history: ImportancePoint[]; previous?: DashboardView['previousRun']; sharesOnly: boolean }) {
  const [classIndex, setClassIndex] = usePersistentState('importanceClass', -1);
  const hasPerClass = imp.features.some((f) => f.perClass?.length);
  const rows = useMemo(() => shareRows(imp, hasPerClass ? classIndex : -1), [imp, classIndex, hasPerClass]);
  const top = rows.slice(0, TREND_FEATURES).map((r) => r.feature);
  const series = useMemo(() => trend(history, top), [history, top.join('\u0000')]);
  const prev = useMemo(() => (previous?.importance ? new Map(shares(importanceRows(previous.importance, -1)).map((r) => [r.feature, r.share])) : undefined), [previous]);
  const over = imp.rows !== undefined ? `${imp.rows} rows${imp.file ? ` of ${basename(imp.file)}` : ''}` : 'the sampled training rows';
  return (
    <>
      <div className="toolbar">
        {hasPerClass && (
          <select aria-label="Class" value={classIndex} onChange={(e) => setClassIndex(Number(e.target.value))}>
            <option value={-1}>all classes</option>
            {imp.classes.map((c, i) => <option key={c} value={i}>predicted {c}</option>)}
          </select>
        )}
        <ExportMenu table={{ title: `importance ${imp.checkpoint}`, columns: ['feature', 'mean_abs_attribution', 'share'], rows: rows.map((r) => [r.feature, r.value, r.share]) }} />
      </div>
      <Definition>
        Share = the feature's mean |{imp.method} attribution| over {over}{classIndex >= 0 && hasPerClass ? ` predicted ${imp.classes[classIndex]}` : ''}, divided by the sum over all {rows.length} features (bars sum to 100%).
      </Definition>
      <ChartCanvas label={`Importance share per feature, ${imp.checkpoint}`} height={Math.max(100, rows.length * 17 + 40)} deps={[rows]}
        build={(c) => ({
          type: 'bar',
          data: { labels: rows.map((r) => r.feature), datasets: [{ label: 'share', data: rows.map((r) => r.share * 100), backgroundColor: c.series[0] }] },
          options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: 'share of total importance (%)' }, beginAtZero: true }, y: { ticks: { autoSkip: false, font: { size: 10 } } } } },
        })} />
      <details className="more">
        <summary>Table ({rows.length} features)</summary>
        <table aria-label="Global importance">
          <thead><tr><th>feature</th>{!sharesOnly && <th className="num">mean |attr.|</th>}<th className="num">share</th>{prev && <th className="num" title={`${previous!.importance!.checkpoint}, all classes`}>share, run {previous!.run}</th>}</tr></thead>
          <tbody>{rows.map((r) => <tr key={r.feature}><td>{r.feature}</td>{!sharesOnly && <td className="num">{r.value.toPrecision(3)}</td>}<td className="num">{pct(r.share)}</td>{prev && <td className="num">{pct(prev.get(r.feature))}</td>}</tr>)}</tbody>
        </table>
      </details>
      <h3 className="sub">Trend over checkpoints</h3>
      {history.length < 2 ? (
        <p className="not-available">The trend appears once two checkpoints of this run are analysed{history.length ? ` (analysed: ${history.map((h) => h.checkpoint).join(', ')})` : ''}.</p>
      ) : (
        <>
          <Definition>Share of the top {top.length} features at each analysed checkpoint of this run.</Definition>
          <ChartCanvas label="Importance share over checkpoints" height={150} deps={[series, history]}
            build={(c) => ({
              type: 'line',
              data: {
                labels: history.map((h) => h.checkpoint),
                datasets: top.map((f, i) => ({ label: f, data: series[f]!.map((s) => s * 100), borderColor: c.series[i % c.series.length], backgroundColor: c.series[i % c.series.length], spanGaps: true })),
              },
              options: { plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } } }, scales: { y: { title: { display: true, text: 'share (%)' }, beginAtZero: true } } },
            })} />
          <table aria-label="Importance trend" className="sr-only">
            <thead><tr><th>feature</th>{history.map((h) => <th key={h.checkpoint} className="num">{h.checkpoint}</th>)}</tr></thead>
            <tbody>{top.map((f) => <tr key={f}><td>{f}</td>{series[f]!.map((s, i) => <td key={i} className="num">{pct(s)}</td>)}</tr>)}</tbody>
          </table>
        </>
      )}
    </>
  );
}
