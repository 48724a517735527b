// @vitest-environment jsdom
/**
 * The panels' own charts follow a theme switch without a refresh, for every kind of VS Code theme:
 * Chart.js is replaced by a recorder, so each chart's configuration (its colours) and its teardown
 * can be read after VS Code swaps the body class and colour variables.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render } from '@testing-library/react';
import { App as ExplainApp } from '../explain/App';
import { App as SidebarApp } from '../sidebar/App';
import { dashboard, explain } from './fixtures';
import { fromExtension } from './setup';

interface Built { config: { type: string; data: { labels?: unknown[]; datasets: { backgroundColor?: unknown; borderColor?: unknown }[] } }; destroyed: boolean }
const rec = vi.hoisted(() => ({ built: [] as Built[], defaults: { color: '', borderColor: '' } }));

vi.mock('chart.js', () => {
  class Chart {
    static defaults = rec.defaults;
    static register(): void {}
    private readonly mine: Built;
    constructor(_ctx: unknown, config: Built['config']) {
      this.mine = { config, destroyed: false };
      rec.built.push(this.mine);
    }
    destroy(): void {
      this.mine.destroyed = true;
    }
  }
  const parts = ['BarController', 'BarElement', 'CategoryScale', 'Filler', 'Legend', 'LinearScale', 'LineController', 'LineElement', 'PointElement', 'ScatterController', 'Tooltip'];
  return { Chart, ...Object.fromEntries(parts.map((p) => [p, {}])) };
});

/** Colours as VS Code's default themes of each kind define them (Light+, Dark+, High Contrast, High Contrast Light). */
const THEMES = [
  { cls: 'vscode-light', foreground: '#3b3b3b', red: '#e51400', blue: '#1a85ff', chartsForeground: '#616161' },
  { cls: 'vscode-dark', foreground: '#cccccc', red: '#f14c4c', blue: '#3794ff', chartsForeground: '#cccccc' },
  { cls: 'vscode-high-contrast', foreground: '#ffffff', red: '#f48771', blue: '#75beff', chartsForeground: '#ffffff' },
  { cls: 'vscode-high-contrast-light', foreground: '#292929', red: '#b5200d', blue: '#0f4a85', chartsForeground: '#292929' },
];

async function switchTo(t: (typeof THEMES)[number]) {
  await act(async () => {
    document.body.className = t.cls;
    document.body.style.setProperty('--vscode-foreground', t.foreground);
    document.body.style.setProperty('--vscode-charts-red', t.red);
    document.body.style.setProperty('--vscode-charts-blue', t.blue);
    document.body.style.setProperty('--vscode-charts-foreground', t.chartsForeground);
    await new Promise((r) => setTimeout(r, 0)); // MutationObserver callbacks
  });
}

const live = () => rec.built.filter((b) => !b.destroyed);
const original = HTMLCanvasElement.prototype.getContext;
beforeEach(() => {
  rec.built.length = 0;
  HTMLCanvasElement.prototype.getContext = (() => ({})) as never; // a context, so the panels build real charts
});
afterEach(() => {
  HTMLCanvasElement.prototype.getContext = original;
  document.body.className = '';
  document.body.removeAttribute('style');
});

describe('panel charts follow the theme', () => {
  it('the Explain waterfall takes each theme\'s colours and the old chart is torn down', async () => {
    render(<ExplainApp />);
    act(() => fromExtension({ type: 'explain', state: explain }));
    const waterfall = () => live().filter((b) => b.config.data.labels?.[0] === 'base value');
    for (const t of THEMES) {
      const before = rec.built.length;
      await switchTo(t);
      expect(rec.built.length, t.cls).toBeGreaterThan(before); // rebuilt, no new state needed
      const [w, ...more] = waterfall();
      expect(more, t.cls).toEqual([]); // the previous theme's chart was destroyed
      // base value, capital_gain (+), education_num (+), age (+), sex (−), race (+), output
      expect(w!.config.data.datasets[0]!.backgroundColor, t.cls).toEqual([t.chartsForeground, t.red, t.red, t.red, t.blue, t.red, t.chartsForeground]);
      expect(rec.defaults.color, t.cls).toBe(t.foreground);
    }
  });

  it('the side panel\'s importance bars take each theme\'s first series colour', async () => {
    render(<SidebarApp />);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    for (const t of THEMES) {
      await switchTo(t);
      const bars = live().filter((b) => b.config.type === 'bar' && b.config.data.datasets[0]?.backgroundColor === t.blue);
      expect(bars.length, t.cls).toBeGreaterThan(0);
      expect(live().some((b) => JSON.stringify(b.config.data.datasets).includes(THEMES.find((o) => o !== t && o.blue !== t.blue)!.blue)), t.cls).toBe(false);
    }
  });
});
