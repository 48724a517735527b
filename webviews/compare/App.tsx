/** The Compare panel: what changed between two checkpoints. */
import type { ChartConfiguration } from 'chart.js';
import type { CompareState } from '../../server/src/protocol/panels';
import { post, useExtensionMessages } from '../common/bridge';
import { ChartCanvas } from '../common/Chart';
import { Banner, basename, Definition, ExportMenu, fmt, rowKeys, Section } from '../common/components';
import { ErrorBoundary } from '../common/ErrorBoundary';
import type { ChartColors } from '../common/theme';

export function App() {
  const message = useExtensionMessages();
  return (
    <main>
      {message?.type === 'loading' && <Banner kind="loading" message={message.message} />}
      {message?.type === 'error' && <Banner kind="error" message={message.message} />}
      {!message && <Banner kind="loading" message="Waiting for the comparison…" />}
      {message?.type === 'compare' && <ErrorBoundary what="The panel"><Compare state={message.state} /></ErrorBoundary>}
    </main>
  );
}

function CheckpointSelect({ label, value, options, onChange }: { label: string; value: string; options: string[]; onChange: (v: string) => void }) {
  return (
    <label>{label}{' '}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    </label>
  );
}

/** Fields a daemon may send beyond protocol/panels.ts's `CompareState` (rendered when present). */
type CompareView = CompareState & { run?: string };

/** "mean |kernel-shap attribution|" from the state's `method` (a method id, or already "mean |…|"). */
export function rankedBy(method: string | undefined): string {
  if (!method) return 'mean |attribution| with each checkpoint\'s default row method';
  return /^mean\b/i.test(method) ? method : `mean |${method} attribution|`;
}

/** Whether both sides' importances are shares (each side sums to 1, as this daemon sends them). */
export function areShares(rows: NonNullable<CompareState['rankChanges']>): boolean {
  const near1 = (xs: number[]) => Math.abs(xs.reduce((s, x) => s + x, 0) - 1) < 1e-6;
  return rows.length > 0 && near1(rows.map((r) => r.importanceA)) && near1(rows.map((r) => r.importanceB));
}

export function Compare({ state: s }: { state: CompareState }) {
  const state = s as CompareView;
  const options = state.checkpoints.length ? state.checkpoints : [state.a, state.b];
  const method = rankedBy(state.method);
  const over = state.rows !== undefined ? `${state.rows} rows${state.file ? ` of ${basename(state.file)}` : ''}` : 'the same rows for both checkpoints';
  return (
    <>
      <div className="toolbar">
        <CheckpointSelect label="Before" value={state.a} options={options} onChange={(a) => post({ type: 'compare', a, b: state.b })} />
        <CheckpointSelect label="After" value={state.b} options={options} onChange={(b) => post({ type: 'compare', a: state.a, b })} />
      </div>
      <Section title="Importance rank changes" data={state.rankChanges}>
        {(rows) => {
          const sorted = [...rows].sort((x, y) => Math.abs(y.rankA - y.rankB) - Math.abs(x.rankA - x.rankB) || x.rankB - y.rankB);
          return (
            <>
              <Definition>Rank 1 = most important by {method} over {over}{areShares(rows) ? ' (importance as each feature\'s share of the total, per checkpoint)' : ''}; the biggest moves first.</Definition>
              <ExportMenu table={{ title: `rank changes ${state.a} ${state.b}`, columns: ['feature', `rank_${state.a}`, `rank_${state.b}`, `importance_${state.a}`, `importance_${state.b}`], rows: sorted.map((r) => [r.feature, r.rankA, r.rankB, r.importanceA, r.importanceB]) }} />
              <RankChart rows={sorted} a={state.a} b={state.b} />
              <table aria-label="Importance rank changes">
                <thead><tr><th>feature</th><th className="num">rank {state.a}</th><th className="num">rank {state.b}</th><th className="num">change</th></tr></thead>
                <tbody>
                  {sorted.map((r) => {
                    const d = r.rankA - r.rankB;
                    return <tr key={r.feature}><td>{r.feature}</td><td className="num">{r.rankA}</td><td className="num">{r.rankB}</td><td className="num">{d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '='}</td></tr>;
                  })}
                </tbody>
              </table>
            </>
          );
        }}
      </Section>
      <Section title="Flipped predictions" data={state.flipped}>
        {(rows) => (
          <>
          <Definition>Rows whose predicted class differs between {state.a} and {state.b}; a click explains the row.</Definition>
          <ExportMenu table={{ title: `flipped ${state.a} ${state.b}`, columns: ['file', 'line', state.a, state.b, 'label'], rows: rows.map((r) => [r.file, r.line, r.before, r.after, r.label]) }} />
          <table aria-label="Flipped predictions">
            <thead><tr><th>line</th><th>{state.a}</th><th>{state.b}</th><th>label</th></tr></thead>
            <tbody>
              {rows.map((r) => {
                const explain = () => post({ type: 'explainRow', file: r.file, line: r.line });
                return (
                  <tr key={`${r.file}:${r.line}`} tabIndex={0} onClick={explain} onKeyDown={rowKeys(explain)} title="Explain this row">
                    <td>{basename(r.file)}:{r.line}</td><td>{r.before}</td><td>{r.after}</td><td>{r.label ?? '?'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          </>
        )}
      </Section>
      <Section title="Attribution disagreement" data={state.disagreement}>
        {(rows) => (
          <>
          <Definition>Per feature, Spearman's rank correlation of its attributions over the rows between the two checkpoints: 1 = the same ordering of rows, 0 = unrelated, negative = reversed. Lowest first.</Definition>
          <table aria-label="Attribution disagreement">
            <thead><tr><th>feature</th><th className="num">Spearman ρ</th></tr></thead>
            <tbody>{[...rows].sort((x, y) => x.spearman - y.spearman).map((r) => <tr key={r.feature}><td>{r.feature}</td><td className="num">{fmt(r.spearman, 2)}</td></tr>)}</tbody>
          </table>
          </>
        )}
      </Section>
    </>
  );
}

function RankChart({ rows, a, b }: { rows: NonNullable<CompareState['rankChanges']>; a: string; b: string }) {
  const share = areShares(rows);
  const k = share ? 100 : 1;
  const build = (c: ChartColors): ChartConfiguration => ({
      type: 'bar',
      data: {
        labels: rows.map((r) => r.feature),
        datasets: [
          { label: a, data: rows.map((r) => r.importanceA * k), backgroundColor: c.series[0] },
          { label: b, data: rows.map((r) => r.importanceB * k), backgroundColor: c.series[1] },
        ],
      },
      options: { indexAxis: 'y', scales: { x: { title: { display: true, text: share ? 'share of total importance (%)' : 'global importance (mean |attribution|)' }, beginAtZero: true } } },
  });
  return <ChartCanvas build={build} deps={[rows, a, b]} label={`Importance in ${a} and ${b}`} height={Math.max(140, rows.length * 24 + 50)} />;
}
