// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../explain/App';
import { WHAT_IF_DELAY_MS } from '../explain/WhatIf';
import { columnsOf, parseEdit, whatIfValues } from '../explain/edits';
import { posted } from '../common/bridge';
import { isFromWebview } from '../common/guards';
import { isState, isToWebview } from '../../server/src/protocol/webview';
import type { CounterfactualResult, WhatIfResult } from '../../server/src/protocol/counterfactual';
import { explain } from './fixtures';
import { fromExtension } from './setup';

const TRAIN = '/ws/data/adult_train.csv';
const show = (state: unknown = explain) => {
  render(<App />);
  act(() => fromExtension({ type: 'explain', state }));
};
const field = (f: string) => screen.getByLabelText(f, { selector: 'input, select' }) as HTMLInputElement;
const type = (f: string, text: string) => fireEvent.change(field(f), { target: { value: text } });
const whatIfs = () => posted.filter((m) => m.type === 'whatIf') as Extract<(typeof posted)[number], { type: 'whatIf' }>[];
const wait = (ms: number) => act(() => { vi.advanceTimersByTime(ms); });
const rows = (name: string) => within(screen.getByRole('table', { name })).getAllByRole('row');

/** The daemon's answer for age 30: the predicted class flips (numbers shaped like the Adult MLP's). */
const flipped: WhatIfResult = {
  ok: true, checkpoint: 'epoch-005', method: 'integratedGradients',
  values: { ...explain.values, age: 30 },
  prediction: { kind: 'classification', class: '<=50K', classIndex: 0, probability: 0.64, probabilities: [0.64, 0.36] },
  attributions: { age: -0.9, education_num: 0.5, capital_gain: 0.2, sex: -0.2, race: 0.01 },
  baseline: -1.2,
};

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('what-if editor', () => {
  it('parses what is typed per column type and says why a value is refused', () => {
    const num = { type: 'number' as const };
    expect(parseEdit(' 42.5 ', 'age', num)).toEqual({ ok: true, value: 42.5 });
    expect(parseEdit('1e3', 'age', num)).toEqual({ ok: true, value: 1000 });
    expect(parseEdit('', 'age', num)).toEqual({ ok: true, value: null });
    for (const bad of ['abc', '0x10', '4,5', 'Infinity', '1e999', '--1']) expect(parseEdit(bad, 'age', num)).toEqual({ ok: false, reason: `'${bad}' is not a number; age is numeric` });
    expect(parseEdit('3.5', 'children', { type: 'integer' })).toEqual({ ok: false, reason: "'3.5' is not a whole number; children takes whole numbers" });
    expect(parseEdit('4', 'children', { type: 'integer' })).toEqual({ ok: true, value: 4 });
    const sex = { type: 'category' as const, categories: ['Female', 'Male'] };
    expect(parseEdit('Female', 'sex', sex)).toEqual({ ok: true, value: 'Female' });
    expect(parseEdit('male', 'sex', sex)).toEqual({ ok: false, reason: "'male' is not a category of sex in the training data (did you mean 'Male'?)" });
    expect(parseEdit('Unknown', 'sex', { type: 'category' })).toEqual({ ok: true, value: 'Unknown' }); // categories unknown here: the daemon decides
    // Only edits that differ from the row are sent.
    expect(whatIfValues({ age: 52, sex: 'Male' }, { age: '52', sex: 'Female' }, { age: num, sex })).toEqual({ values: { sex: 'Female' }, errors: {} });
  });

  it('takes column kinds from the daemon when it sends them, else from the values the panel holds', () => {
    const cols = columnsOf({ ...explain, values: { ...explain.values, race: null }, columns: { education_num: { type: 'integer' }, sex: { categories: ['Female', 'Male'] } } }, [{ race: 'Black' }, { race: 'White' }, { race: 'Black' }]);
    expect(cols.age!.type).toBe('number');
    expect(cols.education_num!.type).toBe('integer');
    expect([cols.sex!.type, cols.sex!.categories]).toEqual(['category', ['Female', 'Male']]);
    expect([cols.race!.type, cols.race!.suggestions]).toEqual(['category', ['Black', 'White']]);
    expect(columnsOf({ ...explain, values: { x: null } }).x!.type).toBe('text');
  });

  it('refuses a value that does not parse inline and sends nothing', () => {
    show();
    type('age', 'fifty');
    wait(WHAT_IF_DELAY_MS * 2);
    expect(screen.getByRole('alert').textContent).toBe("'fifty' is not a number; age is numeric");
    expect(field('age').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('What-if status').textContent).toBe('Fix the values marked above.');
    expect(whatIfs()).toEqual([]);
  });

  it('sends an edit once typing pauses, shows the new prediction and attributions, and drops stale answers', () => {
    show();
    type('age', '3');
    wait(WHAT_IF_DELAY_MS - 50);
    type('age', '30'); // still typing: the first value is never sent
    wait(WHAT_IF_DELAY_MS - 1);
    expect(whatIfs()).toEqual([]);
    wait(1);
    expect(whatIfs()).toEqual([{ type: 'whatIf', id: expect.any(Number), values: { age: 30 } }]);
    expect(isFromWebview(whatIfs()[0])).toBe(true);
    expect(screen.getByLabelText('What-if status').textContent).toBe('Updating…');
    const first = whatIfs()[0]!.id;

    type('age', '31');
    wait(WHAT_IF_DELAY_MS);
    const second = whatIfs()[1]!.id;
    expect(second).toBeGreaterThan(first);
    act(() => fromExtension({ type: 'whatIf', id: first, result: flipped })); // an answer to the older edit
    expect(screen.queryByLabelText('What-if prediction')).toBeNull();
    act(() => fromExtension({ type: 'whatIf', id: second, result: { ...flipped, values: { ...flipped.values, age: 31 } } }));
    expect(screen.getByLabelText('What-if prediction').textContent).toBe('What-if prediction: <=50K (p = 64.0%) · this row: >50K (p = 91.0%) · the predicted class changes');
    // The edited row's waterfall, by |contribution| from the base value -1.2: running totals in closed form.
    const t = rows('What-if attributions').slice(1).map((r) => [r.firstChild!.textContent, r.lastChild!.textContent]);
    expect(t).toEqual([['base value', '-1.200'], ['age', '-2.100'], ['education_num', '-1.600'], ['capital_gain', '-1.400'], ['sex', '-1.600'], ['race', '-1.590'], ['output', '-1.590']]);
    expect(rows('What-if attributions')[2]!.children[1]!.textContent).toBe('31'); // the edited value
    // The class flipped: the two columns explain different classes, so no difference is shown.
    expect(rows('What-if attribution changes')[1]!.textContent).toBe('age0.300-0.900');
    expect(screen.getByText(/explain <=50K, this row's >50K: compare the order of the features, not the numbers/)).toBeTruthy();
    expect(screen.getByText('1 value changed.')).toBeTruthy();

    fireEvent.click(screen.getByText('Reset to this row'));
    expect(field('age').value).toBe('52');
    expect(screen.queryByLabelText('What-if prediction')).toBeNull();
  });

  it('shows the daemon\'s parse errors beside their fields, and a failed request as one line', () => {
    show();
    type('sex', 'Mle');
    wait(WHAT_IF_DELAY_MS);
    const id = whatIfs()[0]!.id;
    act(() => fromExtension({ type: 'whatIf', id, result: { ok: false, errors: [{ feature: 'sex', value: 'Mle', message: "'Mle' is not a category of sex in the training data (did you mean 'Male'?)" }] } }));
    expect(screen.getByRole('alert').textContent).toBe("'Mle' is not a category of sex in the training data (did you mean 'Male'?)");
    type('sex', 'Female');
    wait(WHAT_IF_DELAY_MS);
    act(() => fromExtension({ type: 'whatIf', id: whatIfs()[1]!.id, error: 'What if failed: the worker stopped' }));
    expect(screen.getByRole('alert').textContent).toBe('What if failed: the worker stopped');
  });

  it('offers the training categories as a select when the daemon sends them, and forgets edits on another row', () => {
    show({ ...explain, columns: { sex: { type: 'category', categories: ['Female', 'Male'] } } });
    const sex = field('sex') as unknown as HTMLSelectElement;
    expect(sex.tagName).toBe('SELECT');
    expect([...sex.options].map((o) => o.value)).toEqual(['', 'Female', 'Male']);
    fireEvent.change(sex, { target: { value: 'Female' } });
    wait(WHAT_IF_DELAY_MS);
    expect(whatIfs().at(-1)!.values).toEqual({ sex: 'Female' });
    act(() => fromExtension({ type: 'explain', state: { ...explain, line: 8, row: 6 } }));
    expect((field('sex') as unknown as HTMLSelectElement).value).toBe('Male');
  });
});

const found: CounterfactualResult = {
  file: explain.file, line: 7, row: 5, checkpoint: 'epoch-005', values: explain.values,
  prediction: { kind: 'classification', class: '>50K', classIndex: 1, probability: 0.91, probabilities: [0.09, 0.91] },
  goal: { class: '<=50K' }, status: 'found',
  counterfactuals: [
    {
      changes: [{ feature: 'capital_gain', from: 15024, to: 0 }], values: { ...explain.values, capital_gain: 0 },
      prediction: { kind: 'classification', class: '<=50K', classIndex: 0, probability: 0.58, probabilities: [0.58, 0.42] },
      distance: 1.5, sparsity: 1, plausibility: { nearestTargetDistance: 0.8, oodPValue: 0.41, outOfDistribution: false }, method: 'gradient',
    },
    {
      changes: [{ feature: 'age', from: 52, to: 24 }, { feature: 'sex', from: 'Male', to: 'Female' }], values: { ...explain.values, age: 24, sex: 'Female' },
      prediction: { kind: 'classification', class: '<=50K', classIndex: 0, probability: 0.66, probabilities: [0.66, 0.34] },
      distance: 3.25, sparsity: 2, plausibility: { nearestTargetDistance: 2.1, oodPValue: 0.02, outOfDistribution: true }, method: 'gradient',
    },
  ],
  nearestTrainingRow: {
    file: TRAIN, line: 301, row: 299, distance: 4.5, sparsity: 3,
    changes: [{ feature: 'capital_gain', from: 15024, to: 0 }, { feature: 'education_num', from: 13, to: 9 }, { feature: 'age', from: 52, to: 47 }],
    prediction: { kind: 'classification', class: '<=50K', classIndex: 0, probability: 0.8, probabilities: [0.8, 0.2] },
  },
};

describe('counterfactuals in the explain panel', () => {
  it('asks for them with the target and the most features to change, and lists them cheapest first', () => {
    show();
    fireEvent.change(screen.getByLabelText('Target class'), { target: { value: '<=50K' } });
    fireEvent.change(screen.getByLabelText('Most features changed'), { target: { value: '2' } });
    expect([...(screen.getByLabelText('Target class') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', '<=50K']); // never the predicted class
    fireEvent.click(screen.getByText('Find counterfactuals'));
    expect(posted.at(-1)).toEqual({ type: 'counterfactuals', target: '<=50K', maxChanges: 2 });
    expect(isFromWebview(posted.at(-1))).toBe(true);
    act(() => fromExtension({ type: 'counterfactuals', status: 'searching' }));
    expect(screen.getByText('Searching for counterfactuals…')).toBeTruthy();
    act(() => fromExtension({ type: 'counterfactuals', status: 'done', result: found }));
    expect(rows('Counterfactuals').slice(1).map((r) => [...r.children].slice(0, 5).map((c) => c.textContent))).toEqual([
      ['capital_gain: 15024 → 0', '<=50K (p = 58.0%)', '1.50', '1', 'in distribution (OOD p = 0.41); 0.80 from the nearest training rows of the goal'],
      ['age: 52 → 24sex: Male → Female', '<=50K (p = 66.0%)', '3.25', '2', 'out of distribution (OOD p = 0.02); 2.10 from the nearest training rows of the goal'],
    ]);
    expect(screen.getByText(/^Reaching predicted <=50K from >50K \(p = 91.0%\) on epoch-005, cheapest first/)).toBeTruthy();
    const nearest = rows('Nearest training row reaching the goal')[0]!;
    expect([...nearest.children].map((td) => td.textContent)).toEqual(['adult_train.csv:301', '<=50K (p = 80.0%)', 'distance 4.50', 'capital_gain: 15024 → 0education_num: 13 → 9age: 52 → 47']);
    fireEvent.click(nearest);
    expect(posted.at(-1)).toEqual({ type: 'openLocation', file: TRAIN, line: 301 });
  });

  it('puts a counterfactual into the what-if editor, which re-explains it', () => {
    show();
    act(() => fromExtension({ type: 'counterfactuals', status: 'done', result: found }));
    fireEvent.click(within(rows('Counterfactuals')[2]!).getByText('Try'));
    expect([field('age').value, field('sex').value]).toEqual(['24', 'Female']);
    wait(WHAT_IF_DELAY_MS);
    expect(whatIfs().at(-1)!.values).toEqual({ age: 24, sex: 'Female' });
  });

  it('says when none exists and which constraints bind, or that the row already meets the goal', () => {
    show();
    act(() => fromExtension({ type: 'counterfactuals', status: 'done', result: { ...found, status: 'none', counterfactuals: [], nearestTrainingRow: null, message: 'No counterfactual changes at most 1 feature.', binding: ['maxChanges', 'immutable'] } }));
    expect(screen.getByLabelText('Counterfactual outcome').textContent).toBe('No counterfactual changes at most 1 feature. Binding: maxChanges, immutable (relaxing any one alone finds one).');
    expect(screen.getByLabelText('Nearest training row of the goal').textContent).toBe('No training row reaches the goal within the constraints.');
    act(() => fromExtension({ type: 'counterfactuals', status: 'error', message: 'Counterfactuals failed: unknown class' }));
    expect(screen.getByRole('alert').textContent).toBe('Counterfactuals failed: unknown class');
  });

  it('keeps what-if and counterfactual answers out of the panel state that is replayed', () => {
    for (const m of [{ type: 'whatIf', id: 1, result: flipped }, { type: 'counterfactuals', status: 'searching' }] as const) {
      expect(isToWebview(m)).toBe(true);
      expect(isState(m)).toBe(false);
    }
    expect(isFromWebview({ type: 'whatIf', id: -1, values: {} })).toBe(false);
    expect(isFromWebview({ type: 'whatIf', id: 1, values: { age: { x: 1 } } })).toBe(false);
    expect(isFromWebview({ type: 'whatIf', id: 1, values: { age: NaN } })).toBe(false);
    expect(isFromWebview({ type: 'counterfactuals', maxChanges: 0 })).toBe(false);
    expect(isFromWebview({ type: 'counterfactuals' })).toBe(true);
  });
});
