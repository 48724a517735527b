import { describe, expect, it } from 'vitest';
import { counterfactualParams, DashboardSelection, Replay, exportBytes, followTarget, importanceHistory, LatestOnly, themeMessage, whatIfParams } from './panelMessages';
import type { TimelineEntry } from '../../../server/src/protocol';
import { isFromWebview } from '../../../webviews/common/guards';

describe('panel messages', () => {
  it('writes a PNG export as the decoded bytes and text as UTF-8', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
    const m = { type: 'export', action: 'save', format: 'png', filename: 'chart.png', content: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } as const;
    expect(isFromWebview(m)).toBe(true);
    expect([...exportBytes(m)]).toEqual([...png]);
    expect([...exportBytes({ format: 'csv', content: 'é,1\r\n' })]).toEqual([0xc3, 0xa9, 0x2c, 0x31, 0x0d, 0x0a]);
  });

  it('names every colour theme kind of VS Code', () => {
    expect([1, 2, 3, 4].map((k) => themeMessage(k).kind)).toEqual(['light', 'dark', 'highContrast', 'highContrastLight']);
  });
});

describe('following the cursor', () => {
  const at = (line: number, over: Partial<import('./panelMessages').CursorPlace> = {}) => ({ uri: 'file:///ws/data/test.csv', line, languageId: 'plaintext', path: '/ws/data/test.csv', ...over });
  it('moves to another data line of a CSV file, never the header, never the same row', () => {
    const shown = { uri: 'file:///ws/data/test.csv', line: 6 };
    expect(followTarget(shown, at(9))).toEqual({ uri: 'file:///ws/data/test.csv', line: 9 });
    expect(followTarget(shown, at(6))).toBeUndefined();
    expect(followTarget(shown, at(0))).toBeUndefined();
    expect(followTarget(shown, at(3, { uri: 'file:///ws/train.py', path: '/ws/train.py', languageId: 'python' }))).toBeUndefined();
    expect(followTarget(shown, at(3, { uri: 'untitled:1', path: 'Untitled-1', languageId: 'csv' }))).toEqual({ uri: 'untitled:1', line: 3 });
    expect(followTarget(undefined, at(2, { path: '/ws/DATA.CSV' }))).toEqual({ uri: 'file:///ws/data/test.csv', line: 2 });
  });

  it('accepts a pin message only with a boolean', () => {
    expect(isFromWebview({ type: 'pin', pinned: false })).toBe(true);
    expect(isFromWebview({ type: 'pin', pinned: 'no' })).toBe(false);
  });
});

describe('importance history for the trend', () => {
  it('keeps the analysed checkpoints the panel lists, in series order', () => {
    const ck = (name: string) => ({ name, state: 'ready' as const, analysis: 'done' as const });
    const timeline: TimelineEntry[] = [
      { checkpoint: 'epoch-2', hash: 'b', order: 2, metrics: {}, importance: { age: 0.4, sex: 0.6 } },
      { checkpoint: 'epoch-1', hash: 'a', order: 1, metrics: {}, importance: { age: 0.7, sex: 0.3 } },
      { checkpoint: 'epoch-3', hash: 'c', order: 3, metrics: {}, importance: null },
      { checkpoint: 'other', hash: 'd', order: 4, metrics: {}, importance: { age: 1 } },
    ];
    expect(importanceHistory(timeline, [ck('epoch-1'), ck('epoch-2'), ck('epoch-3')])).toEqual([
      { checkpoint: 'epoch-1', features: [{ feature: 'age', importance: 0.7 }, { feature: 'sex', importance: 0.3 }] },
      { checkpoint: 'epoch-2', features: [{ feature: 'age', importance: 0.4 }, { feature: 'sex', importance: 0.6 }] },
    ]);
  });
});

describe('the side panel\'s selection', () => {
  const state = (project?: string) => ({ checkpoints: [], ...(project ? { project } : {}) });
  it('asks for the picked checkpoint of the shown project, and re-asks on every push while picked', () => {
    const s = new DashboardSelection();
    expect(s.params()).toEqual({});
    expect(s.onPushed(state('/ws/a/glassbox.json'))).toBe('show');
    s.shown(state('/ws/a/glassbox.json'));
    s.pick('epoch-002');
    expect(s.params()).toEqual({ project: '/ws/a/glassbox.json', checkpoint: 'epoch-002' });
    expect(s.onPushed(state('/ws/a/glassbox.json'))).toBe('refetch');
    expect(s.onPushed(state('/ws/b/glassbox.json'))).toBe('ignore'); // another project's push never replaces this one
    s.pick(null);
    expect(s.params()).toEqual({ project: '/ws/a/glassbox.json' });
    expect(s.onPushed(state('/ws/a/glassbox.json'))).toBe('show');
    expect(s.onPushed(state())).toBe('show'); // an older daemon names no project
    s.pick('epoch-003');
    s.pickProject('/ws/b/glassbox.json');
    expect(s.params()).toEqual({ project: '/ws/b/glassbox.json' }); // a picked checkpoint belongs to its project
    expect(s.onPushed(state('/ws/a/glassbox.json'))).toBe('ignore');
  });
});

describe('what-if and counterfactual requests', () => {
  const row = { uri: 'file:///ws/data/adult_test.csv', line: 6, method: 'kernel-shap', project: '/ws/glassbox.json' };
  it('ask about the shown row on the checkpoint it was explained on', () => {
    expect(whatIfParams(row, { age: 30, sex: 'Female' }, 'epoch-005')).toEqual({ uri: row.uri, line: 6, values: { age: 30, sex: 'Female' }, method: 'kernel-shap', checkpoint: 'epoch-005', project: '/ws/glassbox.json' });
    expect(whatIfParams({ uri: row.uri, line: 6 }, {}, undefined)).toEqual({ uri: row.uri, line: 6, values: {} });
    expect(counterfactualParams(row, { target: '<=50K', maxChanges: 2 }, 'epoch-005')).toEqual({ uri: row.uri, line: 6, target: '<=50K', maxChanges: 2, checkpoint: 'epoch-005', project: '/ws/glassbox.json' });
    expect(counterfactualParams({ uri: row.uri, line: 6, checkpoint: 'epoch-002' }, {}, undefined)).toEqual({ uri: row.uri, line: 6, checkpoint: 'epoch-002' });
  });

  it('cancel the request still running when a newer one starts, and answer only the newest', async () => {
    const latest = new LatestOnly();
    const signals: AbortSignal[] = [];
    const resolvers: ((v: string) => void)[] = [];
    const task = (signal: AbortSignal) => { signals.push(signal); return new Promise<string>((resolve) => resolvers.push(resolve)); };
    const first = latest.run(task);
    const second = latest.run(task);
    expect(signals.map((s) => s.aborted)).toEqual([true, false]); // the daemon hears $/cancelRequest for the first
    resolvers[0]!('old');
    resolvers[1]!('new');
    expect(await first).toBeUndefined();
    expect(await second).toEqual({ value: 'new' });
    const failing = latest.run(async () => { throw new Error('no such row'); });
    expect(await failing).toEqual({ error: new Error('no such row') });
    const third = latest.run(task);
    latest.cancel();
    resolvers[2]!('late');
    expect(await third).toBeUndefined();
    expect(signals[2]!.aborted).toBe(true);
  });
});

describe('what a reloaded webview is sent again', () => {
  const explainAt = (line: number, method = 'kernel-shap') => ({ type: 'explain' as const, state: { file: '/ws/t.csv', line, row: line - 2, checkpoint: 'e', classes: [], values: {}, prediction: { value: 1 }, methods: [method], method, attributions: {} } });
  const searching = { type: 'counterfactuals' as const, status: 'searching' as const };
  const failed = { type: 'counterfactuals' as const, status: 'error' as const, message: 'no' };
  it('the last state, then the newest counterfactuals about its row; never loading, theme or what-if answers', () => {
    const r = new Replay();
    expect(r.messages()).toEqual([]);
    r.remember({ type: 'loading', message: 'x' });
    r.remember(explainAt(7));
    r.remember(searching);
    r.remember({ type: 'theme', kind: 'dark' });
    r.remember({ type: 'whatIf', id: 3, error: 'x' });
    expect(r.messages()).toEqual([explainAt(7), searching]);
    r.remember(failed);
    r.remember(explainAt(7, 'saliency')); // the same row with another method keeps its counterfactuals
    expect(r.messages()).toEqual([explainAt(7, 'saliency'), failed]);
    r.remember(explainAt(9)); // another row: they are about the old one
    expect(r.messages()).toEqual([explainAt(9)]);
    expect(r.lastState).toEqual(explainAt(9));
  });
});
