// @vitest-environment jsdom
/**
 * The Explain panel's what-if editor and counterfactuals on the daemon's own answers
 * (fixtures/daemon-whatif.json, written by capture-daemon-answers.test.ts from the LSP test
 * workspace): what the panel sends is what the daemon was asked, and its answers agree with each
 * other (a counterfactual tried in the editor gets the prediction the search reported).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../explain/App';
import { WHAT_IF_DELAY_MS } from '../explain/WhatIf';
import { posted } from '../common/bridge';
import { predictionText } from '../explain/prediction';
import { parseEdit } from '../explain/edits';
import { fromExtension } from './setup';
import answers from './fixtures/daemon-whatif.json';
import type { CounterfactualResult, WhatIfResult } from '../../server/src/protocol/counterfactual';
import type { ExplainState } from '../../server/src/protocol/panels';

const explain = answers.explain as ExplainState;
const counterfactual = answers.counterfactual as CounterfactualResult;
const whatIf = answers.whatIf as WhatIfResult;
const refused = answers.refused as WhatIfResult;
const rows = (name: string) => within(screen.getByRole('table', { name })).getAllByRole('row');
const field = (f: string) => screen.getByLabelText(f, { selector: 'input, select' }) as HTMLInputElement;
const lastWhatIf = () => posted.filter((m) => m.type === 'whatIf').at(-1) as Extract<(typeof posted)[number], { type: 'whatIf' }>;

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('what-if and counterfactuals on the daemon\'s answers', () => {
  it('lists the counterfactuals, and trying the first asks exactly what the daemon was asked and shows its prediction', () => {
    render(<App />);
    act(() => fromExtension({ type: 'explain', state: explain }));
    act(() => fromExtension({ type: 'counterfactuals', status: 'done', result: counterfactual }));
    const listed = rows('Counterfactuals').slice(1);
    expect(listed).toHaveLength(counterfactual.counterfactuals.length);
    counterfactual.counterfactuals.forEach((c, i) => {
      const cells = [...listed[i]!.children].map((td) => td.textContent);
      expect(cells[0]).toBe(c.changes.map((ch) => `${ch.feature}: ${ch.from} → ${ch.to}`).join(''));
      expect(cells[1]).toBe(predictionText(c.prediction));
    });
    // Cheapest first, as the daemon ranks them.
    const d = counterfactual.counterfactuals.map((c) => c.distance);
    expect(d).toEqual([...d].sort((a, b) => a - b));

    fireEvent.click(within(listed[0]!).getByText('Try'));
    for (const [f, v] of Object.entries(answers.tried)) expect(field(f).value).toBe(v); // a select of the training categories holds it
    act(() => { vi.advanceTimersByTime(WHAT_IF_DELAY_MS); });
    expect(lastWhatIf().values).toEqual(answers.tried);
    act(() => fromExtension({ type: 'whatIf', id: lastWhatIf().id, result: whatIf }));
    // The daemon's two answers agree: the counterfactual's prediction is the what-if prediction of its values.
    expect(whatIf.ok && whatIf.prediction).toEqual(counterfactual.counterfactuals[0]!.prediction);
    expect(screen.getByLabelText('What-if prediction').textContent).toBe(`What-if prediction: ${predictionText(counterfactual.counterfactuals[0]!.prediction)} · this row: ${predictionText(explain.prediction)} · the predicted class changes`);
    const waterfall = rows('What-if attributions').slice(1).map((r) => [r.firstChild!.textContent, r.lastChild!.textContent]);
    expect(waterfall.slice(1, -1).map(([f]) => f).sort()).toEqual(Object.keys(explain.values).sort());
    // It ends where the daemon's numbers add up to: base value + every contribution.
    if (!whatIf.ok) throw new Error('the fixture holds an answer');
    const end = whatIf.baseline! + Object.values(whatIf.attributions).reduce((a, b) => a + b, 0);
    expect(waterfall.at(-1)).toEqual(['output', end.toFixed(3)]);
  });

  it('offers the daemon\'s training categories; refuses a number column\'s text and an unknown category in the daemon\'s own words', () => {
    render(<App />);
    act(() => fromExtension({ type: 'explain', state: explain }));
    if (refused.ok) throw new Error('the fixture holds a refusal');
    const [num, cat] = refused.errors;
    fireEvent.change(field(num!.feature), { target: { value: String(num!.value) } });
    act(() => { vi.advanceTimersByTime(WHAT_IF_DELAY_MS); });
    expect(screen.getByRole('alert').textContent).toBe(num!.message); // refused here, before any request
    expect(posted.some((m) => m.type === 'whatIf')).toBe(false);

    // Categorical columns are selects of exactly the daemon's training categories: an unknown one cannot be chosen.
    expect(Object.keys(explain.columns!).sort()).toEqual(Object.keys(explain.values).sort());
    const categories = explain.columns![cat!.feature]!.categories!;
    expect(categories.length).toBeGreaterThan(1);
    const select = field(cat!.feature) as unknown as HTMLSelectElement;
    expect(select.tagName).toBe('SELECT');
    expect([...select.options].map((o) => o.value)).toEqual(['', ...categories]);
    expect(categories).not.toContain(cat!.value);
    expect(parseEdit(String(cat!.value), cat!.feature, { type: 'category', categories })).toEqual({ ok: false, reason: cat!.message });
    // Numbers stay text fields: what does not parse is explained.
    expect(field(num!.feature).tagName).toBe('INPUT');
  });
});
