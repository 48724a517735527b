import { useMemo } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { GlobalImportance } from '../../../server/src/protocol/panels';
import { usePersistentState } from '../../common/bridge';
import { ChartCanvas } from '../../common/Chart';
import { fmt, Section } from '../../common/components';
import { chartColors } from '../../common/theme';

/** Global importance per raw feature, overall or for one class. */
export function Importance({ importance }: { importance: GlobalImportance | undefined }) {
  return (
    <Section title="Global importance" data={importance}>
      {(imp) => <ImportanceBody imp={imp} />}
    </Section>
  );
}

/** `-1` = all classes. */
export function importanceRows(imp: GlobalImportance, classIndex: number) {
  return imp.features
    .map((f) => ({ feature: f.feature, value: classIndex < 0 ? f.importance : (f.perClass?.[classIndex] ?? NaN) }))
    .filter((r) => Number.isFinite(r.value))
    .sort((x, y) => y.value - x.value);
}

function ImportanceBody({ imp }: { imp: GlobalImportance }) {
  const [classIndex, setClassIndex] = usePersistentState('importanceClass', -1);
  const hasPerClass = imp.features.some((f) => f.perClass?.length);
  const rows = useMemo(() => importanceRows(imp, classIndex), [imp, classIndex]);
  const config = useMemo<ChartConfiguration>(() => ({
    type: 'bar',
    data: { labels: rows.map((r) => r.feature), datasets: [{ label: 'importance', data: rows.map((r) => r.value), backgroundColor: chartColors().series[0] }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } } },
  }), [rows]);
  return (
    <>
      <div className="toolbar">
        <span className="muted">{imp.method} · {imp.checkpoint}</span>
        {hasPerClass && (
          <select aria-label="Class" value={classIndex} onChange={(e) => setClassIndex(Number(e.target.value))}>
            <option value={-1}>all classes</option>
            {imp.classes.map((c, i) => <option key={c} value={i}>{c}</option>)}
          </select>
        )}
      </div>
      <ChartCanvas config={config} label="Global importance per feature" height={Math.max(120, rows.length * 18 + 40)} />
      <table aria-label="Global importance">
        <tbody>{rows.map((r) => <tr key={r.feature}><td>{r.feature}</td><td className="num">{fmt(r.value)}</td></tr>)}</tbody>
      </table>
    </>
  );
}
