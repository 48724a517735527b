// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App, isCorrect, topFeatures, waterfall } from '../explain/App';
import { methodKind } from '../explain/methods';
import { posted } from '../common/bridge';
import { explain } from './fixtures';
import { fromExtension } from './setup';

const show = (state: unknown) => {
  render(<App />);
  act(() => fromExtension({ type: 'explain', state }));
};
const rows = (name: string) => within(screen.getByRole('table', { name })).getAllByRole('row');

describe('explain panel', () => {
  it('shows the prediction with its probability and whether it is correct', () => {
    show(explain);
    expect(screen.getByLabelText('Prediction').textContent).toBe('Prediction: >50K (p = 91.0%) · label: >50K · ✓ correct');
    expect(isCorrect({ ...explain, label: '<=50K' })).toBe(false);
    expect(isCorrect({ ...explain, prediction: { value: 3 } })).toBeUndefined();
    expect(isCorrect({ ...explain, label: undefined })).toBeUndefined();
  });

  it('draws an additive method as a waterfall from the base value to the output', () => {
    show(explain); // integratedGradients, baseline -1.2, attributions sum to 2.71
    const table = rows('Attributions').slice(1).map((r) => [r.firstChild!.textContent, r.lastChild!.textContent]);
    expect(table).toEqual([
      ['base value', '-1.200'],
      ['capital_gain', '0.900'], ['education_num', '1.400'], ['age', '1.700'], ['sex', '1.500'], ['race', '1.510'],
      ['output', '1.510'],
    ]);
    expect(screen.getByLabelText('Waterfall legend').textContent).toBe(' raises the output lowers the output base value and output');
    expect(screen.getByRole('img', { name: 'Waterfall: integratedGradients contributions from the base value to the output' })).toBeTruthy();
    expect(screen.getByText(/they add up from the base value -1.200 \(the output on the background rows\) to 1.510/)).toBeTruthy();
  });

  it('says how far the output is from base value + contributions when the daemon sends the output', () => {
    show({ ...explain, output: 1.61 });
    expect(screen.getByText(/the model's output is 1.610: the method's approximation leaves 0.100/)).toBeTruthy();
  });

  it('never draws signed gradient saliency as a waterfall', () => {
    show({ ...explain, method: 'saliency', baseline: undefined });
    expect(screen.queryByLabelText('Waterfall legend')).toBeNull();
    expect(rows('Attributions').map((r) => r.firstChild!.textContent)).toEqual(['feature', 'capital_gain', 'education_num', 'age', 'sex', 'race']);
    expect(rows('Attributions')[0]!.textContent).toBe('featurevaluegradient (signed slope)');
    expect(screen.getByText(/saliency is a gradient: the signed slope .* It has no base value and does not add up to the output/)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Why: saliency gradient' })).toBeTruthy();
    // even when a base value is (wrongly) present, a gradient stays bars
    act(() => fromExtension({ type: 'explain', state: { ...explain, method: 'saliency' } }));
    expect(screen.queryByText('base value')).toBeNull();
  });

  it('classifies methods by what their numbers are', () => {
    expect(['kernel-shap', 'integrated-gradients', 'tree-shap', 'linear-shap'].map((m) => methodKind(m))).toEqual(['additive', 'additive', 'additive', 'additive']);
    expect(['saliency', 'smoothgrad', 'vargrad', 'input-x-gradient'].map((m) => methodKind(m))).toEqual(['gradient', 'gradient', 'gradient', 'gradient']);
    expect(methodKind('lime')).toBe('score');
    expect(methodKind('saliency', 'additive')).toBe('additive'); // the daemon's word wins
  });

  it('shows the most important features in the influence tables and marks the row itself', () => {
    expect(topFeatures(explain, 4)).toEqual(['capital_gain', 'education_num', 'age', 'sex']);
    const self = { ...explain.influence!.proponents[0]!, file: explain.file, line: explain.line, influence: 3.2 };
    show({ ...explain, influence: { proponents: [self, ...explain.influence!.proponents], opponents: [] } });
    const p = rows('Proponents');
    expect(p[0]!.textContent).toBe('linelabelinfluencecapital_gaineducation_numagesex');
    expect(p[1]!.className).toBe('self');
    expect(p[1]!.firstChild!.textContent).toBe('this row');
    expect(p[1]!.tabIndex).toBe(-1);
    expect(p[2]!.firstChild!.textContent).toBe('adult_train.csv:120');
    expect(screen.getByText('Nearest row of another class').nextElementSibling!.textContent).toBe('Not available yet.');
  });

  it('asks the extension for another method, and for several side by side', () => {
    show(explain);
    fireEvent.change(screen.getByLabelText('Method'), { target: { value: 'shap' } });
    expect(posted.at(-1)).toEqual({ type: 'selectMethod', method: 'shap' });
    fireEvent.click(screen.getByText('Side by side…'));
    fireEvent.click(screen.getByLabelText('saliency'));
    fireEvent.click(screen.getByLabelText('shap'));
    fireEvent.click(screen.getByText('Explain with 2 methods'));
    expect(posted.at(-1)).toEqual({ type: 'explainMethods', methods: ['saliency', 'shap'] });
    act(() => fromExtension({ type: 'explainMethods', states: [{ ...explain, method: 'saliency', baseline: undefined, influence: undefined }, { ...explain, method: 'shap' }] }));
    expect(rows('saliency attributions')[0]!.textContent).toBe('featuregradient (signed slope)');
    expect(rows('shap attributions')[0]!.textContent).toBe('featurecontribution');
    expect(screen.getByLabelText('Method')).toHaveProperty('value', 'integratedGradients'); // the row's own view stays
  });

  it('unpins to follow the cursor, and remembers the choice', () => {
    show(explain);
    const pin = screen.getByLabelText('Pinned to this row') as HTMLInputElement;
    expect(pin.checked).toBe(true);
    fireEvent.click(pin);
    expect(posted.at(-1)).toEqual({ type: 'pin', pinned: false });
    expect((screen.getByLabelText('Pinned to this row') as HTMLInputElement).checked).toBe(false);
  });

  it('states the probability beside the waterfall\'s output; a local surrogate is never a waterfall', () => {
    show(explain); // no outputKind (an older daemon): the output is named without claiming which kind
    expect(screen.getByText(/to 1.510; the model's probability: p = 91.0% for >50K \(the output is the class's logit, or its log-odds for a one-output model\)\./)).toBeTruthy();
    act(() => fromExtension({ type: 'explain', state: { ...explain, method: 'lime', methodKind: 'local-surrogate' } }));
    expect(screen.queryByLabelText('Waterfall legend')).toBeNull();
    expect(rows('Attributions')[0]!.textContent).toBe('featurevaluescore');
  });

  it('builds the waterfall from the baseline to the output', () => {
    const steps = waterfall({ a: 1, b: -3, c: 0.5 }, 2);
    expect(steps).toEqual([
      { feature: 'b', value: -3, start: 2, end: -1 },
      { feature: 'a', value: 1, start: -1, end: 0 },
      { feature: 'c', value: 0.5, start: 0, end: 0.5 },
    ]);
  });
});
