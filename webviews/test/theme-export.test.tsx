// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { ChartCanvas } from '../common/Chart';
import { exportName, toCsv, toJson } from '../common/export';
import { isFromWebview, MAX_EXPORT_CHARS } from '../common/guards';
import { posted } from '../common/bridge';
import { isState } from '../../server/src/protocol/webview';
import type { ChartColors } from '../common/theme';
import { App } from '../sidebar/App';
import { dashboard, dashboardFull } from './fixtures';
import { fromExtension } from './setup';

/** What VS Code does on a theme switch: new variables on the body style, a new body class. */
function switchTheme(cls: string, foreground: string, blue: string) {
  document.body.className = cls;
  document.body.style.setProperty('--vscode-foreground', foreground);
  document.body.style.setProperty('--vscode-charts-blue', blue);
}

describe('charts follow the theme', () => {
  it('rebuild with the new colours when the body class changes, without a new state', async () => {
    switchTheme('vscode-dark', '#cccccc', '#3794ff');
    const build = vi.fn((c: ChartColors) => ({ type: 'bar' as const, data: { labels: [], datasets: [] }, options: { color: c.foreground } }));
    render(<ChartCanvas build={build} label="x" deps={[]} />);
    expect(build).toHaveBeenCalledTimes(1);
    expect(build.mock.calls[0]![0].foreground).toBe('#cccccc');
    await act(async () => {
      switchTheme('vscode-high-contrast', '#ffffff', '#1aebff');
      await new Promise((r) => setTimeout(r, 0)); // MutationObserver callbacks are microtasks
    });
    const last = build.mock.calls.at(-1)![0];
    expect([last.foreground, last.series[0]]).toEqual(['#ffffff', '#1aebff']);
    await act(async () => {
      switchTheme('vscode-light', '#3b3b3b', '#005fb8');
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(build.mock.calls.at(-1)![0].foreground).toBe('#3b3b3b');
  });

  it('rebuild on the extension\'s theme message and keep showing the same state', () => {
    switchTheme('vscode-dark', '#cccccc', '#3794ff');
    const build = vi.fn((_: ChartColors) => ({ type: 'bar' as const, data: { labels: [], datasets: [] } }));
    render(<><App /><ChartCanvas build={build} label="x" deps={[]} /></>);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    const before = screen.getByRole('table', { name: 'Global importance' }).textContent;
    const calls = build.mock.calls.length;
    act(() => fromExtension({ type: 'theme', kind: 'highContrastLight' }));
    expect(build.mock.calls.length).toBe(calls + 1);
    expect(screen.getByRole('table', { name: 'Global importance' }).textContent).toBe(before);
    expect(isState({ type: 'theme', kind: 'dark' })).toBe(false);
    expect(isState({ type: 'loading', message: '' })).toBe(false);
    expect(isState({ type: 'dashboard', state: dashboard })).toBe(true);
  });
});

describe('export', () => {
  it('writes RFC 4180 CSV and row-object JSON with the full numbers', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y'], ['say "hi"', null], [0.1234567891, 'line\nbreak'], [NaN, undefined]]))
      .toBe('a,b\r\n1,"x,y"\r\n"say ""hi""",\r\n0.1234567891,"line\nbreak"\r\n,\r\n');
    expect(JSON.parse(toJson(['a', 'b'], [[1, 'x'], [Infinity, undefined]]))).toEqual([{ a: 1, b: 'x' }, { a: null, b: null }]);
    expect(exportName('Drift impact epoch-004', 'csv')).toBe('drift-impact-epoch-004.csv');
    expect(exportName('../../etc/passwd', 'json')).toBe('etc-passwd.json');
    expect(exportName('***', 'png')).toBe('glassbox.png');
  });

  it('copies a table as CSV and saves it as JSON from the panel', () => {
    render(<App />);
    act(() => fromExtension({ type: 'dashboard', state: dashboardFull }));
    const checks = screen.getByRole('region', { name: /^Checks/ });
    fireEvent.click(within(checks).getByText('Copy CSV'));
    const m = posted.at(-1) as Extract<(typeof posted)[number], { type: 'export' }>;
    expect([m.action, m.format, m.filename]).toEqual(['copy', 'csv', 'checks.csv']);
    const lines = m.content.trimEnd().split('\r\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('id,title,status,message,file,line');
    expect(lines[4]).toBe('check-3,check 3,fail,measured 0.3 against limit 0.5,/ws/glassbox.json,30');
    expect(isFromWebview(m)).toBe(true);

    const suspects = screen.getByRole('region', { name: /^Suspect rows/ });
    fireEvent.change(within(suspects).getByLabelText('Filter suspect rows'), { target: { value: 'high self' } });
    fireEvent.click(within(suspects).getByText('Save JSON…'));
    const saved = posted.at(-1) as Extract<(typeof posted)[number], { type: 'export' }>;
    expect([saved.action, saved.filename]).toEqual(['save', 'suspect-rows.json']);
    const objects = JSON.parse(saved.content) as { rank: number; line: number; predicted: string }[];
    expect(objects).toHaveLength(34); // every filtered row, not only the page shown
    expect(objects[0]).toEqual({ rank: 1, file: '/ws/data/adult_train.csv', line: 10, reason: 'high self-influence', label: '>50K', predicted: '>50K', score: 5 });
  });

  it('saves a chart as PNG', () => {
    HTMLCanvasElement.prototype.toDataURL = () => 'data:image/png;base64,iVBORw0KGgo=';
    render(<ChartCanvas build={() => ({ type: 'bar', data: { labels: [], datasets: [] } })} label="Importance share per feature, epoch-004" deps={[]} />);
    fireEvent.click(screen.getByText('PNG'));
    expect(posted.at(-1)).toEqual({ type: 'export', action: 'save', format: 'png', filename: 'importance-share-per-feature-epoch-004.png', content: 'data:image/png;base64,iVBORw0KGgo=' });
  });

  it('refuses exports a webview should not be able to ask for', () => {
    const ok = { type: 'export', action: 'save', format: 'csv', filename: 'a.csv', content: 'x\r\n' };
    expect(isFromWebview(ok)).toBe(true);
    expect(isFromWebview({ ...ok, filename: '../a.csv' })).toBe(false);
    expect(isFromWebview({ ...ok, filename: '/etc/a.csv' })).toBe(false);
    expect(isFromWebview({ ...ok, filename: 'a.json' })).toBe(false); // extension must match the format
    expect(isFromWebview({ ...ok, format: 'exe', filename: 'a.exe' })).toBe(false);
    expect(isFromWebview({ ...ok, content: 'x'.repeat(MAX_EXPORT_CHARS + 1) })).toBe(false);
    expect(isFromWebview({ ...ok, format: 'png', filename: 'a.png', content: 'data:image/png;base64,AAAA' })).toBe(true);
    expect(isFromWebview({ ...ok, format: 'png', filename: 'a.png', content: 'data:text/html;base64,AAAA' })).toBe(false);
    expect(isFromWebview({ ...ok, format: 'png', action: 'copy', filename: 'a.png', content: 'data:image/png;base64,AAAA' })).toBe(false);
    expect(isFromWebview({ type: 'explainMethods', methods: ['saliency', 'kernel-shap'] })).toBe(true);
    expect(isFromWebview({ type: 'explainMethods', methods: [] })).toBe(false);
    expect(isFromWebview({ type: 'explainMethods', methods: [1] })).toBe(false);
  });
});
