import type { CheckResult, CheckStatus } from '../../../server/src/protocol/panels';
import { post } from '../../common/bridge';
import { rowKeys, Section } from '../../common/components';

const ICON: Record<CheckStatus, string> = { pass: '✓', warn: '⚠', fail: '✗', skipped: '–' };

export function checkCounts(checks: CheckResult[]): Record<CheckStatus, number> {
  const counts = { pass: 0, warn: 0, fail: 0, skipped: 0 };
  for (const c of checks) counts[c.status]++;
  return counts;
}

/** The model checks of glassbox.json; a check with a place opens it. */
export function Checks({ checks }: { checks: CheckResult[] | undefined }) {
  return (
    <Section title="Checks" data={checks}>
      {(list) => {
        const n = checkCounts(list);
        return (
          <>
            <p aria-label="Checks summary">{n.pass} passed · {n.warn} warnings · {n.fail} failed{n.skipped ? ` · ${n.skipped} skipped` : ''}</p>
            <table aria-label="Checks">
              <tbody>
                {list.map((c) => {
                  const open = () => c.file && post({ type: 'openLocation', file: c.file, line: c.line ?? 1 });
                  return (
                    <tr key={c.id} tabIndex={c.file ? 0 : undefined} onClick={open} onKeyDown={rowKeys(open)}>
                      <td className={`status-${c.status}`} aria-label={c.status}>{ICON[c.status]}</td>
                      <td>{c.title}</td>
                      <td className="muted">{c.message}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        );
      }}
    </Section>
  );
}
