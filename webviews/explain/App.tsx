/**
 * The Explain panel: why the model predicts what it does for one row. The prediction (class,
 * probability, correct or not), the method's view of the row (a waterfall for additive methods)
 * beside the counterfactuals (what would change the prediction), the what-if editor, optionally
 * several methods side by side, the training rows that influenced it (columns: the row's most
 * important features) and the nearest row of another class.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ExplainState, InfluentialRow, RawValue } from '../../server/src/protocol/panels';
import { post, useExtensionListener, usePersistentState, useExtensionMessages } from '../common/bridge';
import { Banner, basename, dataRowText, Definition, ExportMenu, fmt, rowKeys, Section } from '../common/components';
import { ErrorBoundary } from '../common/ErrorBoundary';
import { Attributions, show, type ExplainView } from './Attributions';
import { Counterfactuals, type CounterfactualsView } from './Counterfactuals';
import { methodKind } from './methods';
import { predictionText } from './prediction';
import { WhatIf } from './WhatIf';

export { waterfall } from './Attributions';

export function App() {
  const message = useExtensionMessages();
  // The row's state stays while side-by-side answers arrive (they are extra, not a new row).
  const [row, setRow] = usePersistentState<ExplainState | undefined>('row', undefined);
  const [others, setOthers] = usePersistentState<ExplainState[] | undefined>('others', undefined);
  // What the user typed into the what-if editor, and the row's counterfactuals: both belong to the row.
  const [edits, setEdits] = usePersistentState<Record<string, string>>('edits', {});
  const [counterfactuals, setCounterfactuals] = usePersistentState<CounterfactualsView | undefined>('counterfactuals', undefined);
  useEffect(() => {
    if (message?.type === 'explain') {
      const sameRow = row !== undefined && row.file === message.state.file && row.line === message.state.line;
      setRow(message.state);
      if (others && (others[0]?.file !== message.state.file || others[0]?.line !== message.state.line)) setOthers(undefined);
      if (!sameRow) {
        setEdits({});
        setCounterfactuals(undefined);
      }
    } else if (message?.type === 'explainMethods') setOthers(message.states);
  }, [message]);
  useExtensionListener((m) => {
    if (m.type !== 'counterfactuals') return;
    setCounterfactuals(m.status === 'searching' ? { status: 'searching' } : m.status === 'done' ? { status: 'done', result: m.result } : { status: 'error', message: m.message });
  });
  return (
    <main>
      {message?.type === 'loading' && <Banner kind="loading" message={message.message} />}
      {message?.type === 'error' && <Banner kind="error" message={message.message} />}
      {!message && !row && <Banner kind="loading" message="Waiting for the explanation…" />}
      {row && <ErrorBoundary what="The panel"><Explain state={row} others={others} edits={edits} setEdits={setEdits} counterfactuals={counterfactuals} /></ErrorBoundary>}
    </main>
  );
}

export { predictionText };

/** Correct when the predicted class is the label; undefined for regression or an unlabelled row. */
export function isCorrect(state: ExplainState): boolean | undefined {
  if (state.label === undefined || !('class' in state.prediction)) return undefined;
  return state.prediction.class === state.label;
}

/** The `n` features with the largest |attribution| for this row (then the rest of the row's columns). */
export function topFeatures(state: ExplainState, n: number): string[] {
  const ranked = Object.entries(state.attributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).map(([f]) => f);
  const rest = Object.keys(state.values).filter((f) => !ranked.includes(f));
  return [...ranked, ...rest].slice(0, n);
}

export function Explain({ state, others, edits = {}, setEdits = () => undefined, counterfactuals }: {
  state: ExplainView;
  others?: ExplainState[];
  edits?: Record<string, string>;
  setEdits?: (e: Record<string, string>) => void;
  counterfactuals?: CounterfactualsView;
}) {
  const correct = isCorrect(state);
  const features = topFeatures(state, 4);
  const [pinned, setPinned] = usePersistentState('pinned', true);
  // Rows the panel holds besides this one: their values tell the editor each column's categories.
  const known = useMemo(() => knownRows(state, counterfactuals), [state, counterfactuals]);
  return (
    <>
      <div className="toolbar">
        <label title="Unpinned, the panel explains the row under the cursor in any CSV file.">
          <input type="checkbox" checked={pinned} onChange={(e) => { setPinned(e.target.checked); post({ type: 'pin', pinned: e.target.checked }); }} /> Pinned to this row
        </label>
      </div>
      <h1>{basename(state.file)} line {state.line} <span className="muted">({dataRowText(state.row)}; checkpoint {state.checkpoint}{(state as { run?: string }).run ? `, run ${(state as { run?: string }).run}` : ''})</span></h1>
      <p aria-label="Prediction">
        Prediction: <strong>{predictionText(state.prediction)}</strong>
        {state.label !== undefined && <> · label: <strong>{state.label}</strong></>}
        {correct !== undefined && <> · <span className={correct ? 'marker-correct' : 'marker-incorrect'}>{correct ? '✓ correct' : '✗ incorrect'}</span></>}
      </p>
      {'class' in state.prediction && <Definition>p: the model's probability of the predicted class ({state.outputKind === 'log-odds' ? 'the sigmoid of its log-odds' : `the softmax of its logits over ${state.classes.length} classes`}).</Definition>}
      <div className="beside">
        <section aria-labelledby="attributions">
          <h2 id="attributions">Why: {state.method} <span className="source">{methodKind(state.method, state.methodKind) === 'gradient' ? 'gradient' : 'attribution'}</span></h2>
          <MethodPicker state={state} />
          <Attributions state={state} />
        </section>
        <Counterfactuals state={state} view={counterfactuals} onTry={setEdits} />
      </div>
      <WhatIf state={state} edits={edits} setEdits={setEdits} others={known} />
      {others && others.length > 0 && (
        <section aria-labelledby="side-by-side">
          <h2 id="side-by-side">Methods side by side</h2>
          <Definition>The same row and checkpoint explained by each method; compare the order of the features, not the numbers across kinds (a gradient is a slope, a contribution a share of the output).</Definition>
          <ExportMenu table={() => {
            const features = Object.keys(state.values);
            return { title: `methods line ${state.line}`, columns: ['feature', ...others.map((o) => o.method)], rows: features.map((f) => [f, ...others.map((o) => o.attributions[f])]) };
          }} />
          <div className="methods">{others.map((o) => <Attributions key={o.method} state={o} compact />)}</div>
        </section>
      )}
      <Section title="Influential training rows" data={state.influence} empty="Not available (influence needs a model with gradients and a computed influence index).">
        {(inf) => (
          <>
            <Definition>Influence: the training row's effect on this row's loss (TracIn over the checkpoints; positive = proponent, it pushed the model towards this prediction). Columns: this row's {features.length} most important features.</Definition>
            <div className="grid2">
              <InfluenceTable title="Proponents" rows={inf.proponents} features={features} self={state} />
              <InfluenceTable title="Opponents" rows={inf.opponents} features={features} self={state} />
            </div>
          </>
        )}
      </Section>
      <Section title="Nearest row of another class" data={state.nearestOpposite}>
        {(n) => {
          const open = () => post({ type: 'openLocation', file: n.file, line: n.line });
          const all = topFeatures(state, Object.keys(state.values).length);
          return (
            <>
              <Definition>Distance {fmt(n.distance)} in the model's encoded input space; ◆ marks the values that differ. Features by importance for this row.</Definition>
              <ExportMenu table={{ title: `nearest other class line ${state.line}`, columns: ['feature', `line_${state.line}`, `line_${n.line}`], rows: all.map((f) => [f, state.values[f], n.values[f]]) }} />
              <table aria-label="Nearest row of another class">
                <thead><tr><th>feature</th><th>this row</th><th>{basename(n.file)}:{n.line} ({n.label ?? 'unlabelled'})</th></tr></thead>
                <tbody>
                  {all.map((f) => (
                    <tr key={f} tabIndex={0} onClick={open} onKeyDown={rowKeys(open)} className={n.values[f] !== state.values[f] ? 'differs' : undefined}>
                      <td>{f}</td><td>{show(state.values[f])}</td><td>{show(n.values[f])}{n.values[f] !== state.values[f] ? ' ◆' : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      </Section>
    </>
  );
}

function MethodPicker({ state }: { state: ExplainState }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  return (
    <div className="toolbar">
      <label htmlFor="method">Method</label>
      <select id="method" value={state.method} onChange={(e) => post({ type: 'selectMethod', method: e.target.value })}>
        {state.methods.map((m) => <option key={m} value={m}>{m} ({methodKind(m)})</option>)}
      </select>
      {state.methods.length > 1 && <button className="link" aria-expanded={open} onClick={() => setOpen(!open)}>Side by side…</button>}
      {open && (
        <fieldset aria-label="Methods to compare">
          {state.methods.map((m) => (
            <label key={m}>
              <input type="checkbox" checked={chosen.includes(m)} onChange={(e) => setChosen(e.target.checked ? [...chosen, m] : chosen.filter((x) => x !== m))} /> {m}
            </label>
          ))}
          <button disabled={chosen.length < 2} onClick={() => post({ type: 'explainMethods', methods: chosen })}>Explain with {chosen.length} methods</button>
        </fieldset>
      )}
    </div>
  );
}

/**
 * Proponents or opponents. The explained row itself, when the training data holds it, is its own
 * strongest proponent by construction (self-influence): it is marked as "this row" on its own line,
 * not ranked among the others.
 */
function InfluenceTable({ title, rows, features, self }: { title: string; rows: InfluentialRow[]; features: string[]; self: ExplainState }) {
  const isSelf = (r: InfluentialRow) => r.file === self.file && r.line === self.line;
  const own = rows.find(isSelf);
  const others = rows.filter((r) => !isSelf(r));
  return (
    <div>
      <h2>{title}</h2>
      {others.length === 0 && !own ? <p className="not-available">None found.</p> : (
        <>
          <table aria-label={title}>
            <thead><tr><th>line</th><th>label</th><th className="num">influence</th>{features.map((f) => <th key={f}>{f}</th>)}</tr></thead>
            <tbody>
              {own && (
                <tr className="self" title="The explained row is in the training data: its self-influence, not another row's.">
                  <td>this row</td><td>{own.label ?? '–'}</td><td className="num">{fmt(own.influence)}</td>
                  {features.map((f) => <td key={f}>{show(own.values[f])}</td>)}
                </tr>
              )}
              {others.map((r) => {
                const open = () => post({ type: 'openLocation', file: r.file, line: r.line });
                return (
                  <tr key={`${r.file}:${r.line}`} tabIndex={0} onClick={open} onKeyDown={rowKeys(open)}>
                    <td>{basename(r.file)}:{r.line}</td><td>{r.label ?? '–'}</td><td className="num">{fmt(r.influence)}</td>
                    {features.map((f) => <td key={f}>{show(r.values[f])}</td>)}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <ExportMenu table={{ title: `${title} line ${self.line}`, columns: ['file', 'line', 'label', 'influence', ...Object.keys(self.values)], rows: rows.map((r) => [r.file, r.line, r.label, r.influence, ...Object.keys(self.values).map((f) => r.values[f])]) }} />
        </>
      )}
    </div>
  );
}

/** The raw values of every other row the panel shows (influential, nearest, counterfactuals). */
function knownRows(state: ExplainState, cf: CounterfactualsView | undefined): Record<string, RawValue>[] {
  const rows: Record<string, RawValue>[] = [];
  if (state.influence) rows.push(...state.influence.proponents.map((r) => r.values), ...state.influence.opponents.map((r) => r.values));
  if (state.nearestOpposite) rows.push(state.nearestOpposite.values);
  if (cf?.status === 'done') rows.push(...cf.result.counterfactuals.map((c) => c.values));
  return rows;
}
