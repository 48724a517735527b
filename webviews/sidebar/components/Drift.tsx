/**
 * Drift impact: per feature, how far its distribution moved between the training data and the
 * reference data (0..1) against how much the model relies on it, split into quadrants at the
 * medians. Important and shifted (top right) is what to worry about.
 */
import { useMemo } from 'react';
import type { DriftImportance } from '../../../server/src/protocol/panels';
import { ChartCanvas, pointLabels } from '../../common/Chart';
import { Definition, ExportMenu, fmt, Section } from '../../common/components';
import { isStale, sourceText, type DashboardView } from '../../common/state';

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export type Quadrant = 'act' | 'watch' | 'fine' | 'ignore';

export const QUADRANTS: Record<Quadrant, { where: string; meaning: string }> = {
  act: { where: 'top right', meaning: 'important and shifted: check these first' },
  watch: { where: 'top left', meaning: 'shifted, little used by the model' },
  fine: { where: 'bottom right', meaning: 'important, stable' },
  ignore: { where: 'bottom left', meaning: 'neither' },
};

/** A feature's quadrant: above the median (strictly) on each axis; ties go to the lower side. */
export function quadrants(features: DriftImportance['features']): Map<string, Quadrant> {
  const mi = median(features.map((f) => f.importance));
  const md = median(features.map((f) => f.drift));
  return new Map(features.map((f) => {
    const hi = f.importance > mi;
    const hd = f.drift > md;
    return [f.feature, hd ? (hi ? 'act' : 'watch') : hi ? 'fine' : 'ignore'];
  }));
}

export function Drift({ state, checkpoint }: { state: DashboardView; checkpoint: string | undefined }) {
  const drift = state.drift;
  const data = drift && (!checkpoint || drift.checkpoint === checkpoint) ? drift : undefined;
  return (
    <Section title="Drift impact" data={data} source={data ? sourceText(state, 'drift', data.checkpoint) : undefined}
      stale={data ? isStale(state, 'drift', data.checkpoint) : false}
      empty={drift && checkpoint ? `Computed for ${drift.checkpoint}, not for ${checkpoint}.` : 'Not available yet (needs data.reference in glassbox.json).'}>
      {(d) => <DriftBody drift={d} />}
    </Section>
  );
}

function DriftBody({ drift }: { drift: DriftImportance }) {
  const rows = useMemo(() => [...drift.features].sort((a, b) => b.impact - a.impact), [drift]);
  const quad = useMemo(() => quadrants(rows), [rows]);
  const mi = median(rows.map((r) => r.importance));
  const md = median(rows.map((r) => r.drift));
  const inQuadrant = (q: Quadrant) => rows.filter((r) => quad.get(r.feature) === q).map((r) => r.feature);
  return (
    <>
      <div className="toolbar">
        <Definition>drift: distance between the training and reference distributions of the feature (0 = same, 1 = disjoint); importance: global importance on the reference rows; impact = importance × drift.</Definition>
        <ExportMenu table={{ title: `drift impact ${drift.checkpoint}`, columns: ['feature', 'importance', 'drift', 'impact', 'quadrant'], rows: rows.map((r) => [r.feature, r.importance, r.drift, r.impact, quad.get(r.feature)]) }} />
      </div>
      <ChartCanvas label="Importance against drift per feature" height={200} deps={[rows]}
        build={(c) => {
          const maxI = Math.max(...rows.map((r) => r.importance), 0);
          const maxD = Math.max(...rows.map((r) => r.drift), 0);
          return {
            type: 'scatter',
            data: {
              datasets: [
                { label: 'features', data: rows.map((r) => ({ x: r.importance, y: r.drift })), backgroundColor: rows.map((r) => (quad.get(r.feature) === 'act' ? c.positive : c.series[0])) },
                { label: 'median importance', data: [{ x: mi, y: 0 }, { x: mi, y: maxD }], showLine: true, pointRadius: 0, borderColor: c.muted, borderDash: [4, 4] },
                { label: 'median drift', data: [{ x: 0, y: md }, { x: maxI, y: md }], showLine: true, pointRadius: 0, borderColor: c.muted, borderDash: [4, 4] },
              ],
            },
            options: {
              plugins: {
                legend: { display: false },
                tooltip: { callbacks: { label: (item) => (item.datasetIndex === 0 ? `${rows[item.dataIndex]!.feature}: importance ${fmt(item.parsed.x)}, drift ${fmt(item.parsed.y)}` : '') } },
              },
              scales: { x: { title: { display: true, text: 'importance' }, beginAtZero: true }, y: { title: { display: true, text: 'drift (0..1)' }, beginAtZero: true } },
            },
            // Names on the points above the drift median (the quadrants to act on or watch); the crowd
            // near zero drift stays unlabelled and is named in the legend below.
            plugins: [pointLabels({ 0: rows.map((r) => (quad.get(r.feature) === 'act' || quad.get(r.feature) === 'watch' ? r.feature : '')) }, c.foreground)],
          };
        }} />
      <div className="legend" aria-label="Quadrant legend">
        {(['watch', 'act', 'ignore', 'fine'] as Quadrant[]).map((q) => (
          <span key={q}><b>{QUADRANTS[q].where}</b>: {QUADRANTS[q].meaning}{inQuadrant(q).length ? ` (${inQuadrant(q).join(', ')})` : ''}</span>
        ))}
      </div>
      <Definition>Dashed lines: the medians (importance {fmt(mi)}, drift {fmt(md)}).</Definition>
      <details className="more">
        <summary>Table ({rows.length} features, by impact)</summary>
        <table aria-label="Drift impact">
          <thead><tr><th>feature</th><th className="num">importance</th><th className="num">drift</th><th className="num">impact</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.feature}><td>{r.feature}</td><td className="num">{fmt(r.importance)}</td><td className="num">{fmt(r.drift)}</td><td className="num">{fmt(r.impact)}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
