import type { SuspectRow } from '../../../server/src/protocol/panels';
import { post } from '../../common/bridge';
import { basename, fmt, rowKeys, Section } from '../../common/components';

/** Rows worth a look (likely mislabels, outliers); Enter or click opens the CSV at the row. */
export function Suspects({ suspects }: { suspects: SuspectRow[] | undefined }) {
  return (
    <Section title="Suspect rows" data={suspects}>
      {(rows) => (
        <table aria-label="Suspect rows">
          <thead><tr><th>row</th><th>reason</th><th>label → predicted</th><th className="num">score</th></tr></thead>
          <tbody>
            {rows.map((r) => {
              const open = () => post({ type: 'openLocation', file: r.file, line: r.line });
              return (
                <tr key={`${r.file}:${r.line}`} tabIndex={0} onClick={open} onKeyDown={rowKeys(open)} title={`${r.file}:${r.line}`}>
                  <td>{basename(r.file)}:{r.line}</td>
                  <td>{r.reason}</td>
                  <td>{r.label ?? '?'} → {r.predicted ?? '?'}</td>
                  <td className="num">{fmt(r.score, 2)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}
