/**
 * The checkpoint picker (drives every section below it) and, folded, the checkpoints in training
 * order with their analysis state; a row compares the checkpoint with the one before it.
 */
import type { CheckpointSummary } from '../../../server/src/protocol/panels';
import { analysisOf, stepsText, type AnalysisView } from '../../common/state';
import { post } from '../../common/bridge';
import { ExportMenu, rowKeys } from '../../common/components';

/** `pending` from a daemon without a queue state means waiting too; from one with it, not scheduled. */
const STATE_LABEL: Record<AnalysisView, string> = { pending: 'not analysed', queued: 'queued', running: 'analysing…', done: 'analysed', failed: 'failed' };

/** What a checkpoint's analysis column says: file readiness first, then the daemon's state. */
export function analysisLabel(c: CheckpointSummary): string {
  if (c.state !== 'ready') return c.state;
  const steps = stepsText(c);
  const a = analysisOf(c);
  // A checkpoint whose cheap steps finished before the queue moved on has results worth naming.
  return steps && a !== 'done' ? `${a === 'pending' ? 'partly analysed' : STATE_LABEL[a]} (${steps})` : STATE_LABEL[a];
}

/**
 * `checkpoints`: those with results to show; `undefined` value = follow the newest. A checkpoint
 * still being analysed says how far it is.
 */
export function CheckpointPicker({ checkpoints, value, onChange }: { checkpoints: CheckpointSummary[]; value: string | undefined; onChange: (v: string | undefined) => void }) {
  return (
    <div className="toolbar">
      <label htmlFor="checkpoint">Checkpoint</label>
      <select id="checkpoint" value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">newest analysed (follows training)</option>
        {checkpoints.map((c) => {
          const steps = c.analysis === 'done' ? undefined : stepsText(c);
          return <option key={c.name} value={c.name}>{c.name}{c.epoch !== undefined ? ` (epoch ${c.epoch})` : ''}{steps ? ` – ${steps}` : ''}</option>;
        })}
      </select>
    </div>
  );
}

export function Timeline({ checkpoints: cks }: { checkpoints: CheckpointSummary[] }) {
  if (!cks.length) return <p className="not-available">No checkpoint found yet (glassbox.json `checkpoints`).</p>;
  const compareLast = () => cks.length >= 2 && post({ type: 'compare', a: cks[cks.length - 2]!.name, b: cks[cks.length - 1]!.name });
  return (
    <details className="more">
      <summary>Checkpoints ({cks.length}: {cks.filter((c) => c.analysis === 'done').length} analysed)</summary>
      <table aria-label="Checkpoint timeline">
        <thead><tr><th>checkpoint</th><th className="num">epoch</th><th>analysis</th></tr></thead>
        <tbody>
          {cks.map((c, i) => {
            const compare = () => i > 0 && post({ type: 'compare', a: cks[i - 1]!.name, b: c.name });
            return (
              <tr key={c.name} tabIndex={0} onClick={compare} onKeyDown={rowKeys(compare)} title={i > 0 ? `Compare with ${cks[i - 1]!.name}` : undefined}>
                <td>{c.name}</td>
                <td className="num">{c.epoch ?? '–'}</td>
                <td title={c.analysisMessage}>{analysisLabel(c)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="toolbar">
        {cks.length >= 2 && <button className="secondary" onClick={compareLast}>Compare last two</button>}
        <ExportMenu table={{ title: 'checkpoints', columns: ['checkpoint', 'epoch', 'step', 'files', 'analysis', 'run'], rows: cks.map((c) => [c.name, c.epoch, c.step, c.state, analysisOf(c), (c as { run?: string }).run]) }} />
      </div>
    </details>
  );
}
