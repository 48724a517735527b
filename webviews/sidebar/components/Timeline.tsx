import type { CheckpointSummary } from '../../../server/src/protocol/panels';
import { post } from '../../common/bridge';
import { fmt, rowKeys, Section } from '../../common/components';

const STATE_LABEL = { pending: 'queued', running: 'analysing…', done: 'analysed', failed: 'failed' } as const;

/** Checkpoints in training order with their metrics and whether the daemon has analysed them. */
export function Timeline({ checkpoints }: { checkpoints: CheckpointSummary[] }) {
  return (
    <Section title="Checkpoints" data={checkpoints}>
      {(cks) => {
        const metrics = [...new Set(cks.flatMap((c) => Object.keys(c.metrics ?? {})))].slice(0, 3);
        const compareLast = () => cks.length >= 2 && post({ type: 'compare', a: cks[cks.length - 2]!.name, b: cks[cks.length - 1]!.name });
        return (
          <>
            <table aria-label="Checkpoint timeline">
              <thead>
                <tr><th>checkpoint</th><th className="num">epoch</th>{metrics.map((m) => <th key={m} className="num">{m}</th>)}<th>analysis</th></tr>
              </thead>
              <tbody>
                {cks.map((c, i) => {
                  const compare = () => i > 0 && post({ type: 'compare', a: cks[i - 1]!.name, b: c.name });
                  return (
                    <tr key={c.name} tabIndex={0} onClick={compare} onKeyDown={rowKeys(compare)} title={i > 0 ? `Compare with ${cks[i - 1]!.name}` : undefined}>
                      <td>{c.name}</td>
                      <td className="num">{c.epoch ?? '–'}</td>
                      {metrics.map((m) => <td key={m} className="num">{fmt(c.metrics?.[m])}</td>)}
                      <td title={c.analysisMessage}>{c.state === 'ready' ? STATE_LABEL[c.analysis] : c.state}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {cks.length >= 2 && <div className="toolbar"><button className="secondary" onClick={compareLast}>Compare last two</button></div>}
          </>
        );
      }}
    </Section>
  );
}
