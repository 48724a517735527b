/**
 * Training rows worth a look (likely mislabels, outliers), ranked by the suspicion score. Folded by
 * default (the summary line says how many and the worst); open, ten rows a page, sortable by any
 * column, filterable by text. Enter or click opens the CSV at the row; "explain" opens the row's
 * explanation.
 */
import { useMemo, useState } from 'react';
import type { SuspectRow } from '../../../server/src/protocol/panels';
import { post, usePersistentState } from '../../common/bridge';
import { basename, dataRowText, Definition, ExportMenu, fmt, rowKeys, Section } from '../../common/components';
import { isStale, sourceText, type DashboardView } from '../../common/state';

export const PAGE = 10;

/** `label` sorts by label, then predicted class. */
export type SortKey = 'rank' | 'row' | 'reason' | 'label' | 'score';
type Ranked = SuspectRow & { rank: number };

/** Rank 1 = highest score; equal scores share the best rank of their group (1, 2, 2, 4). */
export function rankSuspects(rows: SuspectRow[]): Ranked[] {
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  let rank = 0;
  return sorted.map((r, i) => {
    if (i === 0 || r.score !== sorted[i - 1]!.score) rank = i + 1;
    return { ...r, rank };
  });
}

export function filterSuspects(rows: Ranked[], text: string): Ranked[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((r) => [`${basename(r.file)}:${r.line}`, r.reason, r.label ?? '', r.predicted ?? ''].some((s) => s.toLowerCase().includes(q)));
}

export function sortSuspects(rows: Ranked[], key: SortKey, descending: boolean): Ranked[] {
  const value = (r: Ranked): string | number =>
    key === 'row' ? r.line : key === 'score' ? r.score : key === 'rank' ? r.rank : key === 'label' ? `${r.label ?? ''}\u0000${r.predicted ?? ''}` : r.reason;
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * c || a.rank - b.rank;
  });
}

/** What each `SuspectScoreKind` measures: the short name for the column, the sentence for the definition. */
export const SCORE_KINDS: Record<string, { name: string; meaning: string }> = {
  combined: { name: 'self-influence × loss', meaning: 'last-layer self-influence (TracIn) combined with the loss on the row\'s label: rows the model bends towards a label it finds unlikely' },
  'self-influence': { name: 'self-influence', meaning: 'self-influence (TracIn over the checkpoints): how much the row pulls the model towards its own label' },
  'self-influence-last': { name: 'self-influence (last layer)', meaning: 'self-influence of the last layer (TracIn over the checkpoints): how much the row pulls the model towards its own label' },
  aum: { name: 'area under the margin', meaning: 'area under the margin, negated: how persistently the model prefers another class over the label across the checkpoints' },
  loss: { name: 'loss', meaning: 'the row\'s loss averaged over the checkpoints' },
};

/** The score's kind: the state's, else the rows' own (`SuspectRow.scoreKind`). */
export function scoreKindOf(rows: SuspectRow[], stateKind?: string): string | undefined {
  return stateKind ?? rows.find((r) => r.scoreKind)?.scoreKind;
}

export function Suspects({ state, checkpoint }: { state: DashboardView; checkpoint: string | undefined }) {
  // Suspects are computed with the shown analysis: the daemon's provenance, else importance's checkpoint.
  const shownFor = state.provenance?.suspects?.checkpoint ?? state.importance?.checkpoint;
  const data = !checkpoint || !shownFor || shownFor === checkpoint ? state.suspects : undefined;
  return (
    <Section title="Suspect rows" data={data} source={sourceText(state, 'suspects', shownFor, 'up to ')}
      stale={isStale(state, 'suspects', shownFor)}
      empty={state.suspects?.length && checkpoint ? `Computed up to ${shownFor}, not for ${checkpoint}.` : undefined}>
      {(rows) => <SuspectsBody rows={rows} scoreKind={scoreKindOf(rows, state.suspectScore)} />}
    </Section>
  );
}

function SuspectsBody({ rows, scoreKind }: { rows: SuspectRow[]; scoreKind?: string }) {
  const [open, setOpen] = usePersistentState('suspectsOpen', false);
  const [sort, setSort] = usePersistentState<{ key: SortKey; desc: boolean }>('suspectsSort', { key: 'rank', desc: false });
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const ranked = useMemo(() => rankSuspects(rows), [rows]);
  const shown = useMemo(() => sortSuspects(filterSuspects(ranked, filter), sort.key, sort.desc), [ranked, filter, sort]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const p = Math.min(page, pages - 1);
  const tied = ranked.length > 1 && ranked[0]!.score === ranked.at(-1)!.score;
  const mislabels = rows.filter((r) => r.label !== undefined && r.predicted !== undefined && r.label !== r.predicted).length;
  const header = (key: SortKey, text: string, num = false) => (
    <th className={num ? 'num' : undefined} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button className="sort" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key === 'score' })}>{text}{sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}</button>
    </th>
  );
  return (
    <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary aria-label="Suspect rows summary">
        {rows.length} rows{rows.some((r) => r.predicted !== undefined) ? `, ${mislabels} predicted differently from their label` : ''} · worst: {basename(ranked[0]!.file)}:{ranked[0]!.line} ({ranked[0]!.reason})
      </summary>
      <Definition>
        Lines of {[...new Set(rows.map((r) => basename(r.file)))].join(', ')}. Score: {SCORE_KINDS[scoreKind ?? '']?.meaning ?? 'the suspicion score of the influence step'}; higher = more suspect. Rank 1 = highest score.
        {tied && ` All ${rows.length} rows have the same score (${fmt(ranked[0]!.score, 3)}): it does not rank them.`}
      </Definition>
      <div className="toolbar">
        <input type="search" aria-label="Filter suspect rows" placeholder="filter: reason, label, line…" value={filter} onChange={(e) => { setFilter(e.target.value); setPage(0); }} />
        <ExportMenu table={() => ({ title: 'suspect rows', columns: ['rank', 'file', 'line', 'reason', 'label', 'predicted', 'score'], rows: shown.map((r) => [r.rank, r.file, r.line, r.reason, r.label, r.predicted, r.score]) })} />
      </div>
      <table aria-label="Suspect rows" className="compact">
        <thead><tr>{header('rank', '#', true)}{header('row', 'line')}{header('reason', 'reason')}{header('label', 'label → predicted')}{header('score', SCORE_KINDS[scoreKind ?? ''] ? `score: ${SCORE_KINDS[scoreKind ?? '']!.name}` : 'score', true)}</tr></thead>
        <tbody>
          {shown.slice(p * PAGE, (p + 1) * PAGE).map((r) => {
            const open = () => post({ type: 'openLocation', file: r.file, line: r.line });
            return (
              <tr key={`${r.file}:${r.line}`} tabIndex={0} onClick={open} onKeyDown={rowKeys(open)} title={`${r.file} line ${r.line} (${dataRowText(r.row)})`}>
                <td className="num">{r.rank}</td>
                <td className="num">{r.line}</td>
                <td>{r.reason}</td>
                <td className={r.predicted !== undefined && r.label !== undefined && r.predicted !== r.label ? 'status-warn' : undefined}>
                  {r.label ?? <span className="muted">–</span>} → {r.predicted ?? <span className="muted" title="The daemon did not send the predicted class">n/a</span>}
                </td>
                <td className="num">{fmt(r.score, 3)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="toolbar" aria-label="Pages">
        <button className="secondary" disabled={p === 0} onClick={() => setPage(p - 1)}>Previous</button>
        <span aria-label="Page">{shown.length ? `${p * PAGE + 1}–${Math.min((p + 1) * PAGE, shown.length)} of ${shown.length}` : 'no row matches'}</span>
        <button className="secondary" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>Next</button>
      </div>
    </details>
  );
}
