import { useMemo } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { DriftImportance } from '../../../server/src/protocol/panels';
import { ChartCanvas } from '../../common/Chart';
import { fmt, Section } from '../../common/components';
import { chartColors } from '../../common/theme';

/**
 * Drift-weighted importance: a table sorted by impact and an importance × drift scatter split into
 * quadrants at the medians (top right = important and shifted: the features to worry about).
 */
export function Drift({ drift }: { drift: DriftImportance | undefined }) {
  return (
    <Section title="Drift-weighted importance" data={drift}>
      {(d) => <DriftBody drift={d} />}
    </Section>
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function DriftBody({ drift }: { drift: DriftImportance }) {
  const rows = useMemo(() => [...drift.features].sort((a, b) => b.impact - a.impact), [drift]);
  const config = useMemo<ChartConfiguration>(() => {
    const c = chartColors();
    const mi = median(rows.map((r) => r.importance));
    const md = median(rows.map((r) => r.drift));
    const maxI = Math.max(...rows.map((r) => r.importance), 0);
    const maxD = Math.max(...rows.map((r) => r.drift), 0);
    return {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'features', data: rows.map((r) => ({ x: r.importance, y: r.drift })), backgroundColor: c.series[1] },
          { label: 'median importance', data: [{ x: mi, y: 0 }, { x: mi, y: maxD }], showLine: true, pointRadius: 0, borderColor: c.grid, borderDash: [4, 4] },
          { label: 'median drift', data: [{ x: 0, y: md }, { x: maxI, y: md }], showLine: true, pointRadius: 0, borderColor: c.grid, borderDash: [4, 4] },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => (item.datasetIndex === 0 ? `${rows[item.dataIndex]!.feature}: importance ${fmt(item.parsed.x)}, drift ${fmt(item.parsed.y)}` : '') } },
        },
        scales: { x: { title: { display: true, text: 'importance' } }, y: { title: { display: true, text: 'drift' } } },
      },
    };
  }, [rows]);
  return (
    <>
      <table aria-label="Drift-weighted importance">
        <thead><tr><th>feature</th><th className="num">importance</th><th className="num">drift</th><th className="num">impact</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.feature}><td>{r.feature}</td><td className="num">{fmt(r.importance)}</td><td className="num">{fmt(r.drift)}</td><td className="num">{fmt(r.impact)}</td></tr>
          ))}
        </tbody>
      </table>
      <ChartCanvas config={config} label="Importance against drift per feature" />
    </>
  );
}
