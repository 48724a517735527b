/**
 * Counterfactuals of the explained row (glassbox/counterfactual): the smallest changes of its raw
 * values that reach another class (or a chosen one), cheapest first, each with the changed features
 * old → new, the model's prediction for it, its distance and whether it looks like the training
 * data; and the nearest real training row that reaches the goal. "Try" puts a counterfactual's
 * values into the what-if editor.
 */
import { useState } from 'react';
import type { CounterfactualItem, CounterfactualResult, FeatureChange } from '../../server/src/protocol/counterfactual';
import type { ExplainState } from '../../server/src/protocol/panels';
import { post } from '../common/bridge';
import { basename, Definition, ExportMenu, fmt, rowKeys } from '../common/components';
import { show } from './Attributions';
import { predictionText } from './prediction';

/** What the panel holds about counterfactuals (the last `counterfactuals` message). */
export type CounterfactualsView = { status: 'searching' } | { status: 'done'; result: CounterfactualResult } | { status: 'error'; message: string };

export function changeText(c: FeatureChange): string {
  return `${c.feature}: ${show(c.from)} → ${show(c.to)}`;
}

/** The goal as resolved by the daemon, in words. */
export function goalText(goal: CounterfactualResult['goal']): string {
  if (goal.class !== undefined) return `predicted ${goal.class}${goal.probability !== undefined ? ` with p ≥ ${fmt(goal.probability, 2)}` : ''}`;
  if (goal.min !== undefined && goal.max !== undefined) return `a prediction in [${fmt(goal.min)}, ${fmt(goal.max)}]`;
  if (goal.min !== undefined) return `a prediction ≥ ${fmt(goal.min)}`;
  if (goal.max !== undefined) return `a prediction ≤ ${fmt(goal.max)}`;
  return 'another class';
}

export function plausibilityText(c: CounterfactualItem): string {
  const p = c.plausibility;
  return `${p.outOfDistribution ? 'out of distribution' : 'in distribution'} (OOD p = ${fmt(p.oodPValue, 2)}); ${fmt(p.nearestTargetDistance, 2)} from the nearest training rows of the goal`;
}

const MAX_CHANGES = [1, 2, 3, 4, 5];

export function Counterfactuals({ state, view, onTry }: { state: ExplainState; view: CounterfactualsView | undefined; onTry: (values: Record<string, string>) => void }) {
  const classifier = 'class' in state.prediction;
  const [target, setTarget] = useState('');
  const [maxChanges, setMaxChanges] = useState(3);
  const find = () => post({ type: 'counterfactuals', ...(target ? { target } : {}), maxChanges });
  return (
    <section aria-labelledby="counterfactuals">
      <h2 id="counterfactuals">What would change the prediction</h2>
      <div className="toolbar">
        {classifier && (
          <select aria-label="Target class" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">any other class</option>
            {state.classes.filter((c) => !('class' in state.prediction) || c !== state.prediction.class).map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        )}
        <label>at most{' '}
          <select aria-label="Most features changed" value={maxChanges} onChange={(e) => setMaxChanges(Number(e.target.value))}>
            {MAX_CHANGES.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>{' '}features</label>
        <button disabled={view?.status === 'searching'} onClick={find}>{view?.status === 'done' ? 'Search again' : 'Find counterfactuals'}</button>
      </div>
      {!view && <p className="not-available">Not searched yet: the smallest changes of this row's values that change the model's answer.</p>}
      {view?.status === 'searching' && <p role="status" className="muted">Searching for counterfactuals…</p>}
      {view?.status === 'error' && <p role="alert" className="error">{view.message}</p>}
      {view?.status === 'done' && <Found result={view.result} onTry={onTry} />}
    </section>
  );
}

function Found({ result, onTry }: { result: CounterfactualResult; onTry: (values: Record<string, string>) => void }) {
  const cfs = result.counterfactuals;
  return (
    <>
      {result.status !== 'found' && (
        <p aria-label="Counterfactual outcome">
          {result.message ?? (result.status === 'already' ? 'The row already meets the goal.' : 'No counterfactual within the constraints.')}
          {result.binding?.length ? ` Binding: ${result.binding.join(', ')} (relaxing any one alone finds one).` : ''}
        </p>
      )}
      {cfs.length > 0 && (
        <>
          <Definition>
            Reaching {goalText(result.goal)} from {predictionText(result.prediction)} on {result.checkpoint}, cheapest first. Distance: the L1 change of the numeric features,
            each in units of its median absolute deviation on the training data, plus 1 per changed category. Plausibility: the out-of-distribution test of the drift analysis.
          </Definition>
          <table aria-label="Counterfactuals" className="compact">
            <thead><tr><th>changes</th><th>prediction</th><th className="num">distance</th><th className="num">features</th><th>plausibility</th><th /></tr></thead>
            <tbody>
              {cfs.map((c, i) => (
                <tr key={i}>
                  <td>{c.changes.map((ch) => <div key={ch.feature}>{changeText(ch)}</div>)}</td>
                  <td>{predictionText(c.prediction)}</td>
                  <td className="num">{fmt(c.distance, 2)}</td>
                  <td className="num">{c.sparsity}</td>
                  <td className={c.plausibility.outOfDistribution ? 'status-warn' : undefined}>{plausibilityText(c)}</td>
                  <td><button className="link" title="Put these values into the what-if editor" onClick={() => onTry(Object.fromEntries(c.changes.map((ch) => [ch.feature, show(ch.to) === '(missing)' ? '' : String(ch.to)])))}>Try</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <ExportMenu table={{ title: `counterfactuals line ${result.line}`, columns: ['changes', 'prediction', 'distance', 'sparsity', 'ood_p_value', 'nearest_target_distance', 'search'],
            rows: cfs.map((c) => [c.changes.map(changeText).join('; '), predictionText(c.prediction), c.distance, c.sparsity, c.plausibility.oodPValue, c.plausibility.nearestTargetDistance, c.method]) }} />
        </>
      )}
      <NearestRow result={result} />
    </>
  );
}

function NearestRow({ result }: { result: CounterfactualResult }) {
  const n = result.nearestTrainingRow;
  if (!n) return result.status === 'already' ? null : <p className="muted" aria-label="Nearest training row of the goal">No training row reaches the goal within the constraints.</p>;
  const open = () => post({ type: 'openLocation', file: n.file, line: n.line });
  return (
    <div aria-label="Nearest training row of the goal">
      <h3 className="sub">The nearest real training row that reaches it</h3>
      <table className="compact" aria-label="Nearest training row reaching the goal">
        <tbody>
          <tr tabIndex={0} onClick={open} onKeyDown={rowKeys(open)} title={`${n.file}:${n.line}`}>
            <td>{basename(n.file)}:{n.line}</td>
            <td>{predictionText(n.prediction)}</td>
            <td className="num">distance {fmt(n.distance, 2)}</td>
            <td>{n.changes.map((ch) => <div key={ch.feature}>{changeText(ch)}</div>)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
