// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App, waterfall } from '../explain/App';
import { posted } from '../common/bridge';
import { explain } from './fixtures';
import { fromExtension } from './setup';

describe('explain panel', () => {
  it('renders the prediction, attributions by magnitude and influential rows', () => {
    render(<App />);
    act(() => fromExtension({ type: 'explain', state: explain }));
    expect(screen.getByText('>50K (91.0%)')).toBeTruthy();
    const rows = within(screen.getByRole('table', { name: 'Attributions' })).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.firstChild!.textContent)).toEqual(['capital_gain', 'education_num', 'age', 'sex', 'race']);
    expect(within(screen.getByRole('table', { name: 'Proponents' })).getByText('adult_train.csv:120')).toBeTruthy();
    expect(screen.getByText('Nearest row of another class').nextElementSibling!.textContent).toBe('Not available yet.');
  });

  it('asks the extension for another method', () => {
    render(<App />);
    act(() => fromExtension({ type: 'explain', state: explain }));
    fireEvent.change(screen.getByLabelText('Method'), { target: { value: 'shap' } });
    expect(posted.at(-1)).toEqual({ type: 'selectMethod', method: 'shap' });
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
