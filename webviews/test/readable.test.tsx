// @vitest-environment jsdom
/**
 * The panels read right at a glance (issue 13): the explained output is named for what it is, rows
 * are counted as users count them, axis titles fit the side panel's usual width, and check messages
 * are readable in full. Chart.js is replaced by a recorder so the charts' titles can be read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App as ExplainApp } from '../explain/App';
import { App as SidebarApp } from '../sidebar/App';
import { App as CompareApp } from '../compare/App';
import { TWO_LINES_CHARS } from '../sidebar/components/Status';
import { posted } from '../common/bridge';
import type { DashboardState, ExplainState } from '../../server/src/protocol/panels';
import { compare, dashboard, dashboardFull, explain } from './fixtures';
import { fromExtension } from './setup';

interface Axis { title?: { display?: boolean; text?: string } }
interface Built {
  height: number;
  config: {
    type: string;
    data: { labels?: unknown[]; datasets: { label?: string }[] };
    options?: {
      indexAxis?: string;
      plugins?: { legend?: { display?: boolean; position?: string; labels?: { filter?: (item: { text: string; datasetIndex: number }, data: unknown) => boolean } } };
      scales?: Record<string, Axis>;
    };
  };
}
const rec = vi.hoisted(() => ({ built: [] as Built[] }));

vi.mock('chart.js', () => {
  class Chart {
    static defaults = { color: '', borderColor: '' };
    static register(): void {}
    constructor(ctx: { canvas: HTMLCanvasElement }, config: Built['config']) {
      rec.built.push({ config, height: Number.parseFloat(ctx.canvas.parentElement!.style.height) });
    }
    destroy(): void {}
  }
  const parts = ['BarController', 'BarElement', 'CategoryScale', 'Filler', 'Legend', 'LinearScale', 'LineController', 'LineElement', 'PointElement', 'ScatterController', 'Tooltip'];
  return { Chart, ...Object.fromEntries(parts.map((p) => [p, {}])) };
});

const original = HTMLCanvasElement.prototype.getContext;
beforeEach(() => {
  rec.built.length = 0;
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) { return { canvas: this }; } as never;
});
afterEach(() => {
  HTMLCanvasElement.prototype.getContext = original;
});

const showExplain = (state: ExplainState) => {
  render(<ExplainApp />);
  act(() => fromExtension({ type: 'explain', state }));
};
const showSidebar = (state: DashboardState) => {
  render(<SidebarApp />);
  act(() => fromExtension({ type: 'dashboard', state }));
};
const definitions = () => [...document.querySelectorAll('.definition')].map((d) => d.textContent).join('\n');
const waterfallChart = () => rec.built.find((b) => b.config.data.labels?.[0] === 'base value')!;

describe('the Explain panel names the output it explains', () => {
  // The fixture: a two-class model, >50K predicted with p = 0.91, base value -1.2, contributions sum to 2.71.
  it('a softmax head: one class\'s logit, and p is the softmax over both logits, not a function of it', () => {
    showExplain({ ...explain, outputKind: 'logit', output: 1.51 });
    const text = definitions();
    expect(text).toContain('contribution to the logit of >50K; they add up from the base value -1.200');
    expect(text).toContain('the probability p = 91.0% for >50K is the softmax over all 2 classes\' logits, so it does not follow from this logit alone');
    expect(text).toContain('p: the model\'s probability of the predicted class (the softmax of its logits over 2 classes)');
    expect(document.body.textContent).not.toMatch(/logit \/ margin|margin/);
    expect(waterfallChart().config.options!.scales!.x!.title!.text).toBe('logit of >50K');
    // The output bar is the output; p is not attached to it (it is not that bar's sigmoid).
    expect(waterfallChart().config.data.labels!.at(-1)).toBe('output');
  });

  it('a one-unit head: the log-odds of the class, whose sigmoid is p', () => {
    showExplain({ ...explain, outputKind: 'log-odds', output: 1.51 });
    const text = definitions();
    expect(text).toContain('contribution to the log-odds of >50K');
    expect(text).toContain('the probability p = 91.0% for >50K is the sigmoid of the log-odds');
    expect(text).toContain('(the sigmoid of its log-odds)');
    expect(text).not.toContain('logit');
    expect(waterfallChart().config.options!.scales!.x!.title!.text).toBe('log-odds of >50K');
  });

  it('regression: the predicted value, no probability', () => {
    showExplain({ ...explain, outputKind: 'value', prediction: { value: 41.5 }, label: undefined, classes: [] });
    const text = definitions();
    expect(text).toContain('contribution to the predicted value; they add up');
    expect(text).not.toMatch(/probability|logit|log-odds/);
    expect(waterfallChart().config.options!.scales!.x!.title!.text).toBe('predicted value');
  });
});

describe('rows are counted as users count them', () => {
  it('the Explain title gives the line and the 1-based data row, saying so', () => {
    showExplain(explain); // line 7, row index 5
    const title = screen.getByRole('heading', { level: 1 }).textContent!;
    expect(title).toBe('adult_test.csv line 7 (data row 6, counting from 1; checkpoint epoch-005)');
    expect(title).not.toMatch(/row 5\b/);
  });

  it('a suspect row\'s tooltip gives the line and the 1-based data row', () => {
    showSidebar(dashboard); // line 42, row index 40
    const row = within(screen.getByRole('table', { name: 'Suspect rows' })).getAllByRole('row')[1]!;
    expect(row.title).toBe('/ws/data/adult_train.csv line 42 (data row 41, counting from 1)');
  });
});

describe('no 0-based row index reaches the user', () => {
  /** Every "row N" in the text and tooltips of the rendered panel, N a number not said to count from 1. */
  const rowNumbers = () => {
    const texts = [document.body.textContent ?? '', ...[...document.querySelectorAll('[title]')].map((e) => e.getAttribute('title')!)];
    return texts.flatMap((t) => [...t.matchAll(/\brow (\d+)(?!\d)(?!, counting from 1)/g)].map((m) => m[0]));
  };

  it('in the Explain panel, the side panel and Compare, rows are lines (and 1-based data rows, said so)', () => {
    const nearestOpposite = { file: '/ws/data/adult_train.csv', line: 31, row: 29, label: '<=50K', distance: 1.5, values: explain.values };
    showExplain({ ...explain, nearestOpposite });
    expect(rowNumbers()).toEqual([]);
    // Tables listing other rows head their position column "line" (the cells are file:line).
    expect(within(screen.getByRole('table', { name: 'Proponents' })).getAllByRole('columnheader')[0]!.textContent).toBe('line');
    document.body.innerHTML = '';
    showSidebar(dashboardFull);
    fireEvent.click(screen.getByLabelText('Suspect rows summary'));
    expect(rowNumbers()).toEqual([]);
    document.body.innerHTML = '';
    render(<CompareApp />);
    act(() => fromExtension({ type: 'compare', state: compare }));
    expect(within(screen.getByRole('table', { name: 'Flipped predictions' })).getAllByRole('columnheader')[0]!.textContent).toBe('line');
    expect(rowNumbers()).toEqual([]);
  });
});

/**
 * Room an axis title gets, estimated as Chart.js lays it out with its defaults (12 px font, about
 * 7 px a character; legend rows 20 px; x ticks and title about 40 px): a y title runs along the
 * plot's height, an x title along the canvas width.
 */
const CHAR_PX = 7;
function plotHeight(b: Built, width: number): number {
  const legend = b.config.options?.plugins?.legend;
  const legendShown = legend?.display !== false && (legend?.position === 'bottom' || legend?.position === 'top' || legend?.position === undefined);
  const inLegend = b.config.data.datasets.filter((d, i) => legend?.labels?.filter?.({ text: d.label ?? '', datasetIndex: i }, b.config.data) ?? true);
  const items = inLegend.map((d) => 10 + 10 + CHAR_PX * (d.label ?? '').length);
  let rows = 0;
  for (let i = 0, used = width; i < items.length; i++) {
    if (used + items[i]! > width) { rows++; used = 0; }
    used += items[i]!;
  }
  return b.height - 40 - (legendShown ? rows * 20 : 0);
}

describe('axis titles fit the side panel at its usual width', () => {
  for (const width of [300, 400]) {
    it(`every side panel chart's axis titles fit at ${width} px`, () => {
      showSidebar({ ...dashboardFull, previousRun: { run: 'r1', checkpoints: dashboardFull.checkpoints } } as DashboardState);
      // Among them the Metrics curves, whose y titles were cut ("loss (lower = be…").
      expect(rec.built.length).toBeGreaterThanOrEqual(4);
      const cut: string[] = [];
      for (const b of rec.built) {
        const x = b.config.options?.scales?.x?.title;
        const y = b.config.options?.scales?.y?.title;
        if (x?.display && x.text!.length * CHAR_PX > width - 40) cut.push(`x "${x.text}" (${b.config.type})`);
        if (y?.display && y.text!.length * CHAR_PX > plotHeight(b, width)) cut.push(`y "${y.text}" in ${plotHeight(b, width)} px (${b.config.type})`);
      }
      expect(cut).toEqual([]);
    });
  }

  it('the metrics charts say what "better" means beside them, not in the axis', () => {
    showSidebar(dashboardFull);
    expect(screen.getByRole('heading', { name: 'Losses and errors (lower = better)' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Scores (higher = better)' })).toBeTruthy();
    const axes = rec.built.filter((b) => b.config.type === 'line').map((b) => b.config.options!.scales!.y!.title!.text);
    expect(axes).toEqual(expect.arrayContaining(['loss', 'score']));
  });

  it('the Explain waterfall\'s axis titles fit the panel at 350 px', () => {
    showExplain({ ...explain, outputKind: 'logit', prediction: { class: 'Married-civ-spouse household', probability: 0.8 } });
    const x = waterfallChart().config.options!.scales!.x!.title!.text!;
    expect(x.length * CHAR_PX).toBeLessThanOrEqual(350 - 40);
  });
});

describe('check messages are readable in full', () => {
  const long = 'over the limit 25.0%: sex +33.5%, race +15.8%: predictions lean on training rows of the same \'sex\' (limit 25.0%; 100 rows of data/adult_production.csv)';
  const state: DashboardState = {
    ...dashboard,
    checks: [
      { id: 'influential', title: 'Influential rows for protected attributes', status: 'warn', message: long, file: '/ws/glassbox.json', line: 12 },
      { id: 'short', title: 'Irrelevant features', status: 'fail', message: 'fnlwgt 9.0%' },
    ],
  };

  it('wraps title and message over two lines, with the whole message on "more" and on hover', () => {
    showSidebar(state);
    const [second, first] = within(screen.getByRole('list', { name: 'Failed checks' })).getAllByRole('listitem');
    // The short one fits its two lines: no toggle.
    expect(second!.textContent).toBe('✗Irrelevant features fnlwgt 9.0%');
    expect(within(second!).queryByRole('button')).toBeNull();
    // The long one: the whole message is there (clamped by CSS, never cut by an ellipsis in the text).
    expect(first!.querySelector('.msg')!.textContent).toBe(long);
    expect(first!.title).toBe(`${long}\n/ws/glassbox.json:12`);
    const more = within(first!).getByRole('button', { name: 'Show the whole message of Influential rows for protected attributes' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    const before = posted.length;
    fireEvent.click(more);
    expect(first!.className).toBe('check-line expanded');
    expect(more.getAttribute('aria-expanded')).toBe('true');
    expect(more.textContent).toBe('less');
    expect(posted.length).toBe(before); // unfolding does not jump to the file
    fireEvent.click(first!);
    expect(posted.at(-1)).toEqual({ type: 'openLocation', file: '/ws/glassbox.json', line: 12 });
    expect(TWO_LINES_CHARS).toBeLessThan(long.length);
  });

  it('the style clamps a check to two lines instead of one line cut with "…"', () => {
    const css = fs.readFileSync(path.join(__dirname, '../common/styles.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const rules = (selector: string) => [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].filter((m) => m[1]!.split(',').some((s) => s.trim() === selector)).map((m) => m[2]!).join(';');
    expect(rules('.check-line .msg')).not.toMatch(/nowrap|ellipsis/);
    expect(rules('.check-line .check-text')).toMatch(/-webkit-line-clamp:\s*2/);
    expect(rules('.check-line .check-text')).not.toMatch(/nowrap/);
    expect(rules('.check-line.expanded .check-text')).toMatch(/-webkit-line-clamp:\s*unset/);
  });
});
