/** The Explain panel: why the model predicts what it does for one row. */
import { useMemo } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { ExplainState, InfluentialRow, RawValue } from '../../server/src/protocol/panels';
import { post, useExtensionMessages } from '../common/bridge';
import { ChartCanvas } from '../common/Chart';
import { Banner, basename, fmt, rowKeys, Section } from '../common/components';
import { ErrorBoundary } from '../common/ErrorBoundary';
import { chartColors } from '../common/theme';

export function App() {
  const message = useExtensionMessages();
  return (
    <main>
      {message?.type === 'loading' && <Banner kind="loading" message={message.message} />}
      {message?.type === 'error' && <Banner kind="error" message={message.message} />}
      {!message && <Banner kind="loading" message="Waiting for the explanation…" />}
      {message?.type === 'explain' && <ErrorBoundary what="The panel"><Explain state={message.state} /></ErrorBoundary>}
    </main>
  );
}

/**
 * Waterfall steps: features by decreasing |attribution|, each bar spanning from the running total
 * before it to the total after it, starting at the baseline (0 when the method has none).
 */
export function waterfall(attributions: Record<string, number>, baseline = 0) {
  let total = baseline;
  return Object.entries(attributions)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .map(([feature, value]) => {
      const start = total;
      total += value;
      return { feature, value, start, end: total };
    });
}

function predictionText(p: ExplainState['prediction']): string {
  return 'class' in p ? `${p.class} (${(p.probability * 100).toFixed(1)}%)` : fmt(p.value);
}

export function Explain({ state }: { state: ExplainState }) {
  const steps = useMemo(() => waterfall(state.attributions, state.baseline), [state]);
  const config = useMemo<ChartConfiguration>(() => {
    const c = chartColors();
    return {
      type: 'bar',
      data: {
        labels: steps.map((s) => s.feature),
        datasets: [{ label: 'attribution', data: steps.map((s) => [s.start, s.end] as [number, number]), backgroundColor: steps.map((s) => (s.value >= 0 ? c.positive : c.negative)) }],
      },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${steps[item.dataIndex]!.feature}: ${fmt(steps[item.dataIndex]!.value)}` } } },
      },
    };
  }, [steps]);
  const features = Object.keys(state.values);
  return (
    <>
      <h1>{basename(state.file)}:{state.line} <span className="muted">(row {state.row}, {state.checkpoint})</span></h1>
      <p>
        Prediction: <strong>{predictionText(state.prediction)}</strong>
        {state.label !== undefined && <> · label: <strong>{state.label}</strong></>}
      </p>
      <section aria-labelledby="attributions">
        <h2 id="attributions">Attributions per feature</h2>
        <div className="toolbar">
          <label htmlFor="method">Method</label>
          <select id="method" value={state.method} onChange={(e) => post({ type: 'selectMethod', method: e.target.value })}>
            {state.methods.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </div>
        <ChartCanvas config={config} label={`Attribution waterfall (${state.method})`} height={Math.max(140, steps.length * 20 + 40)} />
        <table aria-label="Attributions">
          <thead><tr><th>feature</th><th>value</th><th className="num">attribution</th></tr></thead>
          <tbody>{steps.map((s) => <tr key={s.feature}><td>{s.feature}</td><td>{show(state.values[s.feature])}</td><td className="num">{fmt(s.value)}</td></tr>)}</tbody>
        </table>
      </section>
      <Section title="Influential training rows" data={state.influence}>
        {(inf) => (
          <div className="grid2">
            <InfluenceTable title="Proponents" rows={inf.proponents} features={features} />
            <InfluenceTable title="Opponents" rows={inf.opponents} features={features} />
          </div>
        )}
      </Section>
      <Section title="Nearest row of another class" data={state.nearestOpposite}>
        {(n) => {
          const open = () => post({ type: 'openLocation', file: n.file, line: n.line });
          return (
            <table aria-label="Nearest row of another class">
              <thead><tr><th>feature</th><th>this row</th><th>{basename(n.file)}:{n.line} ({n.label ?? '?'})</th></tr></thead>
              <tbody>
                {features.map((f) => (
                  <tr key={f} tabIndex={0} onClick={open} onKeyDown={rowKeys(open)} className={n.values[f] !== state.values[f] ? 'differs' : undefined}>
                    <td>{f}</td><td>{show(state.values[f])}</td><td>{show(n.values[f])}{n.values[f] !== state.values[f] ? ' ◆' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Section>
    </>
  );
}

function show(v: RawValue | undefined): string {
  return v === null || v === undefined ? '(missing)' : String(v);
}

function InfluenceTable({ title, rows, features }: { title: string; rows: InfluentialRow[]; features: string[] }) {
  const shown = features.slice(0, 4);
  return (
    <div>
      <h2>{title}</h2>
      {rows.length === 0 ? <p className="not-available">None found.</p> : (
        <table aria-label={title}>
          <thead><tr><th>row</th><th>label</th><th className="num">influence</th>{shown.map((f) => <th key={f}>{f}</th>)}</tr></thead>
          <tbody>
            {rows.map((r) => {
              const open = () => post({ type: 'openLocation', file: r.file, line: r.line });
              return (
                <tr key={`${r.file}:${r.line}`} tabIndex={0} onClick={open} onKeyDown={rowKeys(open)}>
                  <td>{basename(r.file)}:{r.line}</td><td>{r.label ?? '?'}</td><td className="num">{fmt(r.influence)}</td>
                  {shown.map((f) => <td key={f}>{show(r.values[f])}</td>)}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
