/**
 * The top of the side panel: where the project stands (run, newest checkpoint, what is being
 * analysed) and the checks, the CI gate: failures and warnings first, at most two lines each (the
 * rest on "more"), a click opens the place the finding is about; passing checks fold into one line.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import type { CheckResult, CheckStatus } from '../../../server/src/protocol/panels';
import { post } from '../../common/bridge';
import { ExportMenu, pct, rowKeys, Section } from '../../common/components';
import { analysisOf, isStale, newestAnalysed, newestWithResults, projectName, sourceText, type DashboardView, type RunningStepView } from '../../common/state';

const ICON: Record<CheckStatus, string> = { pass: '✓', warn: '⚠', fail: '✗', skipped: '–' };
const ORDER: Record<CheckStatus, number> = { fail: 0, warn: 1, skipped: 2, pass: 3 };

export function checkCounts(checks: CheckResult[]): Record<CheckStatus, number> {
  const counts = { pass: 0, warn: 0, fail: 0, skipped: 0 };
  for (const c of checks) counts[c.status]++;
  return counts;
}

export function Status({ state }: { state: DashboardView }) {
  const cks = state.checkpoints;
  const analysed = newestAnalysed(cks);
  // Names the checkpoint the sections' numbers come from, even while its later steps still run.
  const newest = newestWithResults(state);
  const running = cks.filter((c) => c.analysis === 'running').map((c) => c.name);
  const queued = cks.filter((c) => analysisOf(c) === 'queued').length;
  const failed = cks.filter((c) => c.analysis === 'failed');
  const p = state.running ?? cks.map((c) => (c as { running?: RunningStepView }).running).find((r) => r);
  return (
    <section aria-labelledby="status">
      <h2 id="status">Status</h2>
      <p className="status-line" aria-label="Status summary">
        {state.project && <span title={state.project}>{projectName(state.project)} · </span>}{state.run && <>run {state.run} · </>}
        {cks.length} checkpoint{cks.length === 1 ? '' : 's'}
        {!newest ? ' · none analysed yet' : newest.complete ? <> · newest analysed: <strong>{newest.name}</strong></> : (
          <> · newest results: <strong>{newest.name}</strong> ({newest.steps ?? 'partly analysed'}){analysed && analysed !== newest.name && <> · fully analysed: {analysed}</>}</>
        )}
        {running.length > 0 && !p && <> · analysing {running.join(', ')}</>}
        {queued > 0 && <> · {queued} queued</>}
      </p>
      {p && (
        <div aria-label="Progress">
          {/* The daemon's own line says what runs and what is ready; else it is built from the running step. */}
          <span className="muted">{state.status ?? <>analysing {p.checkpoint}: {p.title || p.step}{p.message ? ` – ${p.message}` : ''} ({pct(p.fraction, 0)})</>}</span>
          <progress max={1} value={p.fraction} />
        </div>
      )}
      {!p && state.status && <p className="muted" aria-label="Progress">{state.status}</p>}
      {state.previousRun && (
        <p className="muted" aria-label="Previous run">previous run {state.previousRun.run}: {state.previousRun.checkpoints.length} checkpoints{state.previousRun.importance ? `, importance of ${state.previousRun.importance.checkpoint} shown beside this run's` : ''}</p>
      )}
      {failed.map((c) => <p key={c.name} className="error">{c.name}: analysis failed{c.analysisMessage ? ` – ${c.analysisMessage}` : ''}</p>)}
      <Checks checks={state.checks} source={sourceText(state, 'checks', undefined)} stale={isStale(state, 'checks', state.provenance?.checks?.checkpoint)} />
    </section>
  );
}

/** The model checks of glassbox.json; a check with a place opens it. */
export function Checks({ checks, source, stale }: { checks: CheckResult[] | undefined; source?: string; stale?: boolean }) {
  return (
    <Section title="Checks" data={checks} source={source} stale={stale} empty="Checks have not run yet (they run after each analysis; glassbox.json `checks`).">
      {(list) => {
        const n = checkCounts(list);
        const sorted = [...list].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
        const problems = sorted.filter((c) => c.status === 'fail' || c.status === 'warn');
        const rest = sorted.filter((c) => c.status !== 'fail' && c.status !== 'warn');
        return (
          <>
            <div className="toolbar">
              <span aria-label="Checks summary" className={n.fail ? 'status-fail' : n.warn ? 'status-warn' : 'status-pass'}>
                {n.pass} passed · {n.warn} warnings · {n.fail} failed{n.skipped ? ` · ${n.skipped} skipped` : ''}
              </span>
              <button className="link" onClick={() => post({ type: 'runChecks' })}>Run again</button>
              <ExportMenu table={{ title: 'checks', columns: ['id', 'title', 'status', 'message', 'file', 'line'], rows: list.map((c) => [c.id, c.title, c.status, c.message, c.file, c.line]) }} />
            </div>
            <div role="list" aria-label="Failed checks">{problems.map((c) => <CheckLine key={c.id} check={c} />)}</div>
            {rest.length > 0 && (
              <details className="more">
                <summary>{rest.length} passed or skipped</summary>
                <div role="list" aria-label="Passed checks">{rest.map((c) => <CheckLine key={c.id} check={c} />)}</div>
              </details>
            )}
          </>
        );
      }}
    </Section>
  );
}

/**
 * Title and message above this many characters may not fit the two lines a check gets at the side
 * panel's narrowest usual width (300 px, ~45 characters a line beside the icon). Where the browser
 * lays the line out, what it measures decides instead (any width); this is the rule without layout.
 */
export const TWO_LINES_CHARS = 80;

/**
 * One check: its title and message flow together over at most two lines (the panel stays short);
 * when they do not fit, "more" unfolds the rest in place; the tooltip always holds the whole
 * message; a click elsewhere on the line opens the place it is about.
 */
function CheckLine({ check: c }: { check: CheckResult }) {
  const [expanded, setExpanded] = useState(false);
  const [clipped, setClipped] = useState(c.title.length + 1 + c.message.length > TWO_LINES_CHARS);
  const text = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    const el = text.current;
    if (!el || expanded || typeof ResizeObserver === 'undefined') return;
    // Folded, the clamp hides exactly what overflows; zero height means no layout (keep the rule).
    const measure = () => el.clientHeight > 0 && setClipped(el.scrollHeight > el.clientHeight + 1);
    measure();
    const watch = new ResizeObserver(measure);
    watch.observe(el);
    return () => watch.disconnect();
  }, [expanded, c.title, c.message]);
  const open = () => c.file && post({ type: 'openLocation', file: c.file, line: c.line ?? 1 });
  return (
    <div role="listitem" className={`check-line${expanded ? ' expanded' : ''}`} tabIndex={c.file ? 0 : undefined} onClick={open} onKeyDown={rowKeys(open)}
      title={c.file ? `${c.message}\n${c.file}:${c.line ?? 1}` : c.message}>
      <span className={`status-${c.status}`} aria-label={c.status}>{ICON[c.status]}</span>
      <span className="check-text" ref={text}><span className="check-title">{c.title}</span> <span className="msg">{c.message}</span></span>
      {(clipped || expanded) && (
        <button className="link more-toggle" aria-expanded={expanded} aria-label={expanded ? `Fold the message of ${c.title}` : `Show the whole message of ${c.title}`}
          onClick={(e) => { e.stopPropagation(); setExpanded(!expanded); }} onKeyDown={(e) => e.stopPropagation()}>
          {expanded ? 'less' : 'more'}
        </button>
      )}
    </div>
  );
}
