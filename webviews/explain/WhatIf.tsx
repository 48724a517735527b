/**
 * The what-if editor: every raw value of the explained row in a field of its kind (a number, or a
 * category from the training data), and the model's prediction and attributions for the edited row,
 * updated live. Edits are debounced; each request carries an increasing id, the host cancels the
 * one still running, and an answer to an older id is dropped. A value that does not parse for its
 * column is refused inline with the reason (here, or in the daemon's answer) and nothing is sent.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { WhatIfResult } from '../../server/src/protocol/counterfactual';
import type { RawValue } from '../../server/src/protocol/panels';
import { post, useExtensionListener } from '../common/bridge';
import { Definition, fmt } from '../common/components';
import { Attributions, show, type ExplainView } from './Attributions';
import { predictionText } from './prediction';
import { asPrediction, columnsOf, editText, whatIfValues, type ColumnView, type WithColumns } from './edits';

/** Typing pauses this long before the edited row is sent. */
export const WHAT_IF_DELAY_MS = 300;

type Answer = { result: WhatIfResult } | { error: string };

export function WhatIf({ state, edits, setEdits, others }: {
  state: ExplainView & WithColumns;
  edits: Record<string, string>;
  setEdits: (e: Record<string, string>) => void;
  /** Other rows the panel holds (their values tell column types and categories). */
  others: Record<string, RawValue>[];
}) {
  const columns = useMemo(() => columnsOf(state, others), [state, others]);
  const features = Object.keys(state.values);
  const { values, errors } = useMemo(() => whatIfValues(state.values, edits, columns), [state.values, edits, columns]);
  const [answer, setAnswer] = useState<Answer | undefined>();
  const [waiting, setWaiting] = useState(false);
  // Ids start at the clock so an answer to a request made before the panel reloaded never matches.
  const latest = useRef(Date.now());
  const request = JSON.stringify(values);
  const invalid = Object.keys(errors).length > 0;
  const edited = Object.keys(values).length > 0;

  useEffect(() => {
    latest.current++; // whatever is in flight is now stale
    if (invalid || !edited) {
      setWaiting(false);
      setAnswer(undefined);
      return;
    }
    setWaiting(true);
    const timer = setTimeout(() => post({ type: 'whatIf', id: ++latest.current, values }), WHAT_IF_DELAY_MS);
    return () => clearTimeout(timer);
  }, [request, invalid, state.file, state.line, state.method, state.checkpoint]);

  useExtensionListener((m) => {
    if (m.type !== 'whatIf' || m.id !== latest.current) return;
    setWaiting(false);
    setAnswer('result' in m ? { result: m.result } : { error: m.error });
  });

  const daemonErrors = answer && 'result' in answer && !answer.result.ok ? Object.fromEntries(answer.result.errors.map((e) => [e.feature, e.message])) : {};
  const reason = (f: string) => errors[f] ?? daemonErrors[f];
  return (
    <section aria-labelledby="what-if">
      <h2 id="what-if">What if</h2>
      <Definition>Change any value of this row and see what the model says: the prediction and attributions follow as you type (the file is not changed). An empty field is a missing value.</Definition>
      <table aria-label="What-if values" className="compact">
        <thead><tr><th>feature</th><th>this row</th><th>what if</th></tr></thead>
        <tbody>
          {features.map((f) => (
            <tr key={f} className={f in values ? 'differs' : undefined}>
              <td><label htmlFor={`what-if-${f}`}>{f}</label></td>
              <td>{show(state.values[f])}</td>
              <td>
                <Field feature={f} column={columns[f]!} value={edits[f] ?? editText(state.values[f])} invalid={reason(f) !== undefined}
                  onChange={(text) => setEdits({ ...edits, [f]: text })} />
                {reason(f) !== undefined && <div role="alert" className="error" id={`what-if-${f}-error`}>{reason(f)}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar">
        <button className="secondary" disabled={Object.keys(edits).length === 0} onClick={() => setEdits({})}>Reset to this row</button>
        <span className="muted" aria-live="polite" aria-label="What-if status">
          {invalid ? 'Fix the values marked above.' : !edited ? 'No value changed.' : waiting ? 'Updating…' : answer && 'error' in answer ? '' : `${Object.keys(values).length} value${Object.keys(values).length === 1 ? '' : 's'} changed.`}
        </span>
      </div>
      {answer && 'error' in answer && <p role="alert" className="error">{answer.error}</p>}
      {answer && 'result' in answer && answer.result.ok && !invalid && edited && <WhatIfAnswer state={state} result={answer.result} stale={waiting} />}
    </section>
  );
}

/** One field: a select of the training categories when known, else a text field (numbers are typed, so a wrong one can be explained). */
function Field({ feature, column, value, invalid, onChange }: { feature: string; column: ColumnView & { suggestions?: string[] }; value: string; invalid: boolean; onChange: (text: string) => void }) {
  const common = { id: `what-if-${feature}`, 'aria-invalid': invalid, 'aria-describedby': invalid ? `what-if-${feature}-error` : undefined };
  if (column.categories) {
    const options = column.categories.includes(value) || value === '' ? column.categories : [value, ...column.categories];
    return (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(missing)</option>
        {options.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    );
  }
  const list = column.suggestions?.length && column.type !== 'number' && column.type !== 'integer' ? `what-if-${feature}-list` : undefined;
  return (
    <>
      <input {...common} type="text" className="edit" inputMode={column.type === 'number' || column.type === 'integer' ? 'decimal' : undefined}
        list={list} value={value} onChange={(e) => onChange(e.target.value)} />
      {list && <datalist id={list}>{column.suggestions!.map((s) => <option key={s} value={s} />)}</datalist>}
    </>
  );
}

function WhatIfAnswer({ state, result, stale }: { state: ExplainView; result: Extract<WhatIfResult, { ok: true }>; stale: boolean }) {
  const prediction = asPrediction(result.prediction);
  const before = predictionText(state.prediction);
  const after = predictionText(prediction);
  const flipped = 'class' in prediction && 'class' in state.prediction && prediction.class !== state.prediction.class;
  const edited: ExplainView = {
    ...state, values: result.values, prediction, method: result.method, attributions: result.attributions, checkpoint: result.checkpoint,
    ...(result.baseline !== undefined ? { baseline: result.baseline } : { baseline: undefined }), output: undefined,
    methodKind: result.method === state.method ? state.methodKind : undefined,
  };
  const features = Object.keys(result.attributions).sort((a, b) => Math.abs(result.attributions[b]!) - Math.abs(result.attributions[a]!));
  return (
    <div className={stale ? 'stale-answer' : undefined}>
      <p aria-label="What-if prediction">
        What-if prediction: <strong>{after}</strong> · this row: {before}
        {flipped && <> · <span className="marker-incorrect">the predicted class changes</span></>}
        {'value' in prediction && 'value' in state.prediction && <> · change {fmt(prediction.value - state.prediction.value)}</>}
      </p>
      <Attributions state={edited} name="What-if attributions" />
      <details className="more">
        <summary>Attributions, this row against the edited one</summary>
        {/* Attributions explain the predicted class: after a flip the two columns explain different classes, so no difference is taken. */}
        {flipped && <Definition>The edited row's attributions explain {'class' in prediction ? prediction.class : ''}, this row's {'class' in state.prediction ? state.prediction.class : ''}: compare the order of the features, not the numbers.</Definition>}
        <table aria-label="What-if attribution changes" className="compact">
          <thead><tr><th>feature</th><th className="num">this row</th><th className="num">what if</th>{!flipped && <th className="num">change</th>}</tr></thead>
          <tbody>
            {features.map((f) => {
              const a = state.attributions[f];
              const b = result.attributions[f]!;
              return <tr key={f}><td>{f}</td><td className="num">{fmt(a)}</td><td className="num">{fmt(b)}</td>{!flipped && <td className="num">{a === undefined ? '–' : fmt(b - a)}</td>}</tr>;
            })}
          </tbody>
        </table>
      </details>
    </div>
  );
}
