// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../sidebar/App';
import { importanceRows, shares, trend } from '../sidebar/components/Importance';
import { metricGroups, metricLines } from '../sidebar/components/Metrics';
import { quadrants } from '../sidebar/components/Drift';
import { filterSuspects, rankSuspects, sortSuspects } from '../sidebar/components/Suspects';
import { isStale, type DashboardView } from '../common/state';
import { posted } from '../common/bridge';
import { isFromWebview } from '../common/guards';
import { dashboard, dashboardEarly, dashboardFull } from './fixtures';
import { fromExtension } from './setup';

const show = (state: unknown) => {
  render(<App />);
  act(() => fromExtension({ type: 'dashboard', state }));
};
const rows = (name: string) => within(screen.getByRole('table', { name })).getAllByRole('row');
const sections = () => [...document.querySelectorAll('section > h2')].map((h) => h.firstChild!.textContent);

describe('side panel', () => {
  it('puts status and checks first, then importance, metrics, drift and suspects', () => {
    render(<App />);
    expect(posted).toEqual([{ type: 'ready' }]);
    act(() => fromExtension({ type: 'dashboard', state: dashboardFull }));
    expect(sections()).toEqual(['Status', 'Checks', 'Global importance', 'Metrics', 'Drift impact', 'Suspect rows']);
  });

  it('lists failed checks at most two lines each, folds the passing ones, and opens a failure at its line', () => {
    show(dashboardFull);
    expect(screen.getByLabelText('Checks summary').textContent).toBe('10 passed · 1 warnings · 1 failed');
    const failed = within(screen.getByRole('list', { name: 'Failed checks' })).getAllByRole('listitem');
    expect(failed.map((l) => l.textContent)).toEqual(['✗check 3 measured 0.3 against limit 0.5', '⚠check 7 measured 0.7 against limit 0.5']);
    expect(screen.getByText('10 passed or skipped').closest('details')!.open).toBe(false);
    fireEvent.click(failed[0]!);
    expect(posted.at(-1)).toEqual({ type: 'openLocation', file: '/ws/glassbox.json', line: 30 });
  });

  it('says what is running, how far, in which run', () => {
    show(dashboardFull);
    expect(screen.getByLabelText('Status summary').textContent).toBe('test-workspace · run r2 · 5 checkpoints · newest analysed: epoch-004');
    expect(screen.getByLabelText('Progress').textContent).toBe('analysing epoch-005: influence + suspects (40%)');
    const status = 'analysing epoch-005: influence (40%) — importance, drift ready';
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, status } }));
    expect(screen.getByLabelText('Progress').textContent).toBe(status);
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, running: undefined, status: 'all 5 checkpoints analysed' } }));
    expect(screen.getByLabelText('Progress').textContent).toBe('all 5 checkpoints analysed');
  });

  it('shows importance as shares that sum to 100%, says of what and over which rows, and marks it stale', () => {
    show(dashboard);
    const imp = rows('Global importance').slice(1).map((r) => r.textContent);
    // 0.55, 0.21, 0.08 of a total 0.84
    expect(imp).toEqual(['capital_gain0.55065.5%', 'age0.21025.0%', 'sex0.08009.5%']);
    expect(screen.getByText(/^Share = the feature's mean \|integratedGradients attribution\| over the sampled training rows/)).toBeTruthy();
    const heading = screen.getByRole('heading', { name: /Global importance/ });
    expect(within(heading).getByLabelText('source').textContent).toBe('epoch-002');
    // epoch-003 is being analysed: its numbers will replace epoch-002's
    expect(within(heading).getByLabelText('stale')).toBeTruthy();
  });

  it('computes shares and the trend in closed form', () => {
    expect(shares([{ value: 3 }, { value: 1 }]).map((r) => r.share)).toEqual([0.75, 0.25]);
    expect(shares([{ value: 0 }, { value: 0 }]).map((r) => r.share)).toEqual([0, 0]);
    const t = trend([
      { checkpoint: 'a', features: [{ feature: 'x', importance: 1 }, { feature: 'y', importance: 3 }] },
      { checkpoint: 'b', features: [{ feature: 'x', importance: 2 }, { feature: 'y', importance: 2 }] },
      { checkpoint: 'c', features: [{ feature: 'y', importance: 5 }] },
    ], ['x', 'y']);
    expect(t).toEqual({ x: [0.25, 0.5, NaN], y: [0.75, 0.5, 1] });
  });

  it('draws the importance trend once two checkpoints are analysed, and says so before', () => {
    show(dashboardFull);
    const t = rows('Importance trend');
    expect(t[0]!.textContent).toBe('featureepoch-001epoch-002epoch-003epoch-004');
    expect(t).toHaveLength(6); // header + the top 5 features
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    expect(screen.getByText(/^The trend appears once two checkpoints of this run are analysed/)).toBeTruthy();
  });

  it('lets a checkpoint picker drive the sections', () => {
    show(dashboardFull);
    expect(within(screen.getByRole('heading', { name: /Global importance/ })).getByLabelText('source').textContent).toBe('epoch-004 · run r2');
    fireEvent.change(screen.getByLabelText('Checkpoint'), { target: { value: 'epoch-002' } });
    expect(within(screen.getByRole('heading', { name: /Global importance/ })).getByLabelText('source').textContent).toBe('epoch-002 · run r2');
    // epoch-002's own numbers, from the run's history (shares only): features alternate 0.07 and
    // 0.14 ((i*7 + 6) % 14 + 1) / 100), total 7 * 0.21 = 1.47, so age has 0.07 / 1.47 = 4.8%
    const age = rows('Global importance').find((r) => r.firstChild!.textContent === 'age')!;
    expect(age.textContent).toBe('age4.8%');
    expect(rows('Global importance')[0]!.textContent).toBe('featureshare');
    expect(screen.getByText('Computed for epoch-004, not for epoch-002.')).toBeTruthy();
    expect(screen.getByText('Computed up to epoch-004, not for epoch-002.')).toBeTruthy();
    expect(within(rows('Metrics').find((r) => r.className === 'picked')!).getAllByRole('cell')[0]!.textContent).toBe('epoch-002');
    fireEvent.change(screen.getByLabelText('Checkpoint'), { target: { value: '' } });
    expect(screen.getByRole('table', { name: 'Drift impact' })).toBeTruthy();
  });

  it('curves every metric, losses apart from scores', () => {
    expect(metricGroups(dashboardFull.checkpoints)).toEqual({ losses: ['loss', 'val_loss'], scores: ['accuracy', 'val_accuracy'] });
    show(dashboardFull);
    expect(rows('Metrics')[0]!.textContent).toBe('checkpointlossval_lossaccuracyval_accuracy');
    expect(screen.getByRole('img', { name: 'Losses and errors (lower = better)' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Scores (higher = better)' })).toBeTruthy();
  });

  it('draws the previous run beside the current one, checkpoint by checkpoint', () => {
    const cur = dashboard.checkpoints.slice(0, 2); // loss 0.52, 0.41
    const prev = { run: 'r1', checkpoints: [{ name: 'epoch-001', state: 'ready' as const, analysis: 'done' as const, metrics: { loss: 0.7 } }, { name: 'epoch-002', state: 'ready' as const, analysis: 'done' as const, metrics: { loss: 0.6 } }, { name: 'epoch-003', state: 'ready' as const, analysis: 'done' as const, metrics: { loss: 0.5 } }] };
    expect(metricLines(['loss', 'val_accuracy'], cur, prev)).toEqual([
      { metric: 'loss', values: [0.52, 0.41, null] },
      { metric: 'val_accuracy', values: [0.78, 0.82, null] },
      { metric: 'loss', run: 'r1', values: [0.7, 0.6, 0.5] }, // the previous run never recorded val_accuracy: no line
    ]);
    show({ ...dashboard, previousRun: prev });
    expect(screen.getByText(/dashed: the previous run r1, checkpoint by checkpoint/)).toBeTruthy();
    expect(screen.getByLabelText('Previous run').textContent).toBe('previous run r1: 3 checkpoints');
  });

  it('puts the previous run\'s importance shares beside the current ones', () => {
    const importance = { ...dashboard.importance!, checkpoint: 'epoch-003', features: [{ feature: 'age', importance: 1 }, { feature: 'sex', importance: 3 }] };
    show({ ...dashboard, previousRun: { run: 'r1', checkpoints: [], importance } });
    expect(rows('Global importance').map((r) => r.textContent)).toEqual([
      'featuremean |attr.|shareshare, run r1',
      'capital_gain0.55065.5%–', 'age0.21025.0%25.0%', 'sex0.08009.5%75.0%',
    ]);
  });

  it('splits drift impact into labelled quadrants at the medians', () => {
    // importance median 0.21, drift median 0.05; ties fall to the lower side
    expect(Object.fromEntries(quadrants(dashboard.drift!.features))).toEqual({ age: 'watch', capital_gain: 'fine', sex: 'ignore' });
    show(dashboard);
    const legend = screen.getByLabelText('Quadrant legend').textContent!;
    expect(legend).toContain('top left: shifted, little used by the model (age)');
    expect(legend).toContain('top right: important and shifted: check these first');
    expect(legend).toContain('bottom right: important, stable (capital_gain)');
    expect(screen.getByText(/^drift: distance between the training and reference distributions/)).toBeTruthy();
  });

  it('pages, filters and sorts 100 suspects, ten at a time, with the predicted class', () => {
    show(dashboardFull);
    // label differs from predicted when i ≡ 2 (mod 4)
    expect(screen.getByLabelText('Suspect rows summary').textContent).toBe('100 rows, 25 predicted differently from their label · worst: adult_train.csv:10 (high self-influence)');
    expect(screen.getByLabelText('Suspect rows summary').closest('details')!.open).toBe(false);
    expect(rows('Suspect rows')).toHaveLength(11);
    expect(rows('Suspect rows')[1]!.textContent).toBe('110high self-influence>50K → >50K5.000');
    expect(screen.queryByText('?')).toBeNull();
    fireEvent.click(screen.getByText('Next'));
    expect(screen.getByLabelText('Page').textContent).toBe('11–20 of 100');
    expect(rows('Suspect rows')[1]!.firstChild!.textContent).toBe('11');
    fireEvent.change(screen.getByLabelText('Filter suspect rows'), { target: { value: 'self-influence' } });
    expect(screen.getByLabelText('Page').textContent).toBe('1–10 of 34'); // i % 3 == 0 for i < 100
    fireEvent.click(screen.getByRole('button', { name: 'score: self-influence' })); // the score says what it is
    expect(rows('Suspect rows')[1]!.firstChild!.textContent).toBe('1'); // score sorts descending first
    fireEvent.click(screen.getByRole('button', { name: /score/ }));
    expect(rows('Suspect rows')[1]!.lastChild!.textContent).toBe('1.040'); // 5 - 99 * 0.04, lowest self-influence row
    expect(screen.getByText(/^Lines of adult_train.csv. Score: self-influence \(TracIn over the checkpoints\)/)).toBeTruthy();
  });

  it('ranks suspects by score with ties sharing a rank, and says when the score does not rank', () => {
    const s = (score: number, line: number) => ({ file: '/t.csv', line, row: line, reason: 'r', score });
    expect(rankSuspects([s(3, 1), s(5, 2), s(3, 3), s(1, 4)]).map((r) => [r.line, r.rank])).toEqual([[2, 1], [1, 2], [3, 2], [4, 4]]);
    const ranked = rankSuspects([s(1, 5), s(1, 6)]);
    expect(sortSuspects(ranked, 'row', true).map((r) => r.line)).toEqual([6, 5]);
    expect(filterSuspects(ranked, 't.csv:6').map((r) => r.line)).toEqual([6]);
    show({ ...dashboard, suspects: [s(1, 5), s(1, 6)] });
    expect(screen.getByText(/All 2 rows have the same score \(1.000\): it does not rank them/)).toBeTruthy();
  });

  it('uses the daemon\'s staleness when it sends it, and infers it otherwise', () => {
    const view = dashboard as DashboardView;
    expect(isStale(view, 'importance', 'epoch-002')).toBe(true); // epoch-003 running
    expect(isStale(view, 'importance', 'epoch-003')).toBe(false); // epoch-004 is not ready
    expect(isStale({ ...view, provenance: { importance: { checkpoint: 'epoch-002', run: 'r1', stale: false } } }, 'importance', 'epoch-002')).toBe(false);
    expect(isStale({ ...view, checkpoints: view.checkpoints.map((c) => ({ ...c, analysis: c.name === 'epoch-003' ? 'failed' as const : c.analysis })) }, 'importance', 'epoch-002')).toBe(false);
  });

  it('shows each section\'s checkpoint and run from the daemon\'s provenance, stale where it says', () => {
    show({
      ...dashboardFull,
      provenance: {
        checks: { checkpoint: 'epoch-003', run: 'r2', stale: true },
        importance: { checkpoint: 'epoch-004', run: 'r2', stale: false },
      },
    });
    const checks = screen.getByRole('heading', { name: /^Checks/ });
    expect(within(checks).getByLabelText('source').textContent).toBe('epoch-003 · run r2');
    expect(within(checks).getByLabelText('stale')).toBeTruthy();
    expect(within(screen.getByRole('heading', { name: /Global importance/ })).queryByLabelText('stale')).toBeNull();
    expect(within(screen.getByRole('heading', { name: /Drift impact/ })).getByLabelText('stale')).toBeTruthy(); // inferred: epoch-005 running
  });

  it('says what is not available yet instead of failing', () => {
    show(dashboardEarly);
    expect(screen.getAllByText('Not available yet.')).toHaveLength(2); // suspects, importance
    expect(screen.getByText('Checks have not run yet (they run after each analysis; glassbox.json `checks`).')).toBeTruthy();
    expect(screen.getByText('not analysed')).toBeTruthy();
    expect(screen.getByLabelText('Status summary').textContent).toBe('ws · 1 checkpoint · none analysed yet');
  });

  it('switches importance to one predicted class and keeps the choice after being re-shown', () => {
    const { unmount } = render(<App />);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    fireEvent.change(screen.getByLabelText('Class'), { target: { value: '0' } });
    const first = () => rows('Global importance')[1]!.textContent;
    expect(first()).toBe('sex0.30050.0%'); // 0.3 of 0.3 + 0.2 + 0.1
    unmount();
    render(<App />); // hidden and shown: state comes back from getState without a new message
    expect(first()).toBe('sex0.30050.0%');
  });

  it('opens a suspect row by click and by keyboard', () => {
    show(dashboard);
    const row = rows('Suspect rows')[1]!;
    fireEvent.click(row);
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(posted.slice(1)).toEqual([
      { type: 'openLocation', file: '/ws/data/adult_train.csv', line: 42 },
      { type: 'openLocation', file: '/ws/data/adult_train.csv', line: 42 },
    ]);
  });

  it('shows the daemon error', () => {
    render(<App />);
    act(() => fromExtension({ type: 'error', message: 'The Glassbox daemon is not running.' }));
    expect(screen.getByRole('alert').textContent).toBe('The Glassbox daemon is not running.');
  });

  it('orders importance per class, dropping features without a value', () => {
    const imp = { ...dashboard.importance!, features: [...dashboard.importance!.features, { feature: 'race', importance: 0.5 }] };
    expect(importanceRows(imp, 1).map((r) => r.feature)).toEqual(['capital_gain', 'age', 'sex']);
    expect(importanceRows(imp, -1).map((r) => r.feature)).toEqual(['capital_gain', 'race', 'age', 'sex']);
  });

  it('never says "none analysed" beside numbers: names the checkpoint they come from and its steps done', () => {
    // The newest checkpoint's importance is in while its later steps run; no checkpoint is 'done'.
    const cks = dashboard.checkpoints.map((c) => ({ ...c, analysis: c.state === 'ready' ? ('pending' as const) : c.analysis }));
    cks[2] = { ...cks[2]!, analysis: 'running', stepsDone: 2, stepsTotal: 5 } as typeof cks[number];
    show({ ...dashboard, checkpoints: cks, importance: { ...dashboard.importance!, checkpoint: 'epoch-003' } });
    expect(screen.getByLabelText('Status summary').textContent).toBe('ws · 4 checkpoints · newest results: epoch-003 (2/5 steps) · analysing epoch-003');
    expect(within(screen.getByRole('heading', { name: /Global importance/ })).getByLabelText('source').textContent).toBe('epoch-003');
    const timeline = rows('Checkpoint timeline').map((r) => r.lastChild!.textContent);
    expect(timeline).toEqual(['analysis', 'not analysed', 'not analysed', 'analysing… (2/5 steps)', 'incomplete']);
    // Older checkpoints with results (drift on epoch-002) are offered by the picker; ones without are not.
    expect([...(screen.getByLabelText('Checkpoint') as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      'newest analysed (follows training)', 'epoch-002 (epoch 2)', 'epoch-003 (epoch 3) – 2/5 steps',
    ]);

    // Fully analysed older checkpoint and a partly analysed newer one: both named.
    const mixed = dashboardFull.checkpoints.map((c, i) => (i === 4 ? { ...c, analysis: 'queued' as const, stepsDone: 1, stepsTotal: 6 } : c));
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, checkpoints: mixed, running: undefined } }));
    expect(screen.getByLabelText('Status summary').textContent).toBe('test-workspace · run r2 · 5 checkpoints · newest results: epoch-005 (1/6 steps) · fully analysed: epoch-004 · 1 queued');
    act(() => fromExtension({ type: 'dashboard', state: dashboardEarly }));
    expect(screen.getByLabelText('Status summary').textContent).toBe('ws · 1 checkpoint · none analysed yet');
  });

  it('asks the host for the picked checkpoint\'s state, again when re-shown, and follows the newest when it is gone', () => {
    show(dashboardFull);
    fireEvent.change(screen.getByLabelText('Checkpoint'), { target: { value: 'epoch-003' } });
    expect(posted.at(-1)).toEqual({ type: 'selectCheckpoint', checkpoint: 'epoch-003' });
    // The daemon's answer for epoch-003: every section from it.
    const provenance = Object.fromEntries(['importance', 'drift', 'suspects', 'checks'].map((k) => [k, { checkpoint: 'epoch-003', run: 'r2', stale: false }]));
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, importance: { ...dashboardFull.importance!, checkpoint: 'epoch-003' }, drift: { ...dashboardFull.drift!, checkpoint: 'epoch-003' }, provenance } }));
    for (const name of [/Global importance/, /Drift impact/, /Suspect rows/]) expect(within(screen.getByRole('heading', { name })).getByLabelText('source').textContent).toMatch(/epoch-003 · run r2$/);
    expect(rows('Global importance')[0]!.textContent).toBe('featuremean |attr.|share'); // its own mean |attribution|, not history shares

    // Re-shown panel (state restored): the host hears the pick again.
    cleanupAndShow();
    expect(posted).toHaveLength(2);
    expect(posted).toEqual(expect.arrayContaining([{ type: 'ready' }, { type: 'selectCheckpoint', checkpoint: 'epoch-003' }]));
    // A new run without epoch-003: back to the newest, and the host is told.
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, checkpoints: dashboardFull.checkpoints.map((c) => ({ ...c, name: c.name.replace('epoch', 'run3-epoch') })) } }));
    expect(posted.at(-1)).toEqual({ type: 'selectCheckpoint', checkpoint: null });
    expect((screen.getByLabelText('Checkpoint') as HTMLSelectElement).value).toBe('');
  });

  it('asks the host to export the report as HTML or Markdown', () => {
    show(dashboard);
    fireEvent.click(screen.getByText(/^HTML/));
    fireEvent.click(screen.getByText(/^Markdown/));
    expect(posted.slice(-2)).toEqual([{ type: 'exportReport', format: 'html' }, { type: 'exportReport', format: 'md' }]);
    expect(posted.slice(-2).every(isFromWebview)).toBe(true);
    expect(isFromWebview({ type: 'exportReport', format: 'pdf' })).toBe(false);
    expect(isFromWebview({ type: 'selectCheckpoint', checkpoint: null })).toBe(true);
    expect(isFromWebview({ type: 'selectCheckpoint', checkpoint: '' })).toBe(false);
    expect(isFromWebview({ type: 'selectCheckpoint' })).toBe(false);
  });
});

/** Unmounts the panel and mounts it again with the persisted webview state (VS Code re-showing a hidden view). */
function cleanupAndShow() {
  cleanup();
  posted.length = 0;
  render(<App />);
  act(() => fromExtension({ type: 'dashboard', state: dashboardFull }));
}

describe('side panel on the daemon\'s typed fields', () => {
  it('offers the workspace\'s projects by folder name; another project starts at its newest checkpoint', () => {
    const projects = ['/ws/churn/glassbox.json', '/ws/income/glassbox.json'];
    show({ ...dashboardFull, project: projects[1], projects });
    fireEvent.change(screen.getByLabelText('Checkpoint'), { target: { value: 'epoch-002' } });
    const picker = screen.getByLabelText('Project') as HTMLSelectElement;
    expect([...picker.options].map((o) => o.textContent)).toEqual(['churn', 'income']);
    expect(picker.value).toBe(projects[1]);
    fireEvent.change(picker, { target: { value: projects[0] } });
    expect(posted.at(-1)).toEqual({ type: 'selectProject', project: projects[0] });
    expect(isFromWebview(posted.at(-1))).toBe(true);
    posted.length = 0;
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, project: projects[0], projects } }));
    expect((screen.getByLabelText('Checkpoint') as HTMLSelectElement).value).toBe('');
    expect(posted.filter((m) => m.type === 'selectCheckpoint')).toEqual([]);
    // One project: no picker.
    act(() => fromExtension({ type: 'dashboard', state: { ...dashboardFull, projects: [projects[0]] } }));
    expect(screen.queryByLabelText('Project')).toBeNull();
  });


  it('labels the suspects\' score by the rows\' own kind, and uses the daemon\'s shares and rows', () => {
    const suspects = dashboard.suspects!.map((r) => ({ ...r, scoreKind: 'aum' as const }));
    // Shares as the daemon defines them; 0.55 / 0.84 = 65.5% computed here would agree, so give other ones to see whose are shown.
    const features = dashboard.importance!.features.map((f, i) => ({ ...f, share: [0.3, 0.5, 0.2][i]! }));
    show({ ...dashboard, suspects, importance: { ...dashboard.importance!, features, rows: 200, file: '/ws/data/adult_test.csv' } });
    fireEvent.click(screen.getByLabelText('Suspect rows summary'));
    expect(screen.getByRole('button', { name: 'score: area under the margin' })).toBeTruthy();
    expect(screen.getByText(/Score: area under the margin, negated/)).toBeTruthy();
    expect(rows('Global importance').slice(1).map((r) => r.textContent)).toEqual(['capital_gain0.55050.0%', 'age0.21030.0%', 'sex0.080020.0%']);
    expect(screen.getByText(/over 200 rows of adult_test.csv, divided by the sum over all 3 features/)).toBeTruthy();
  });
});
