// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../compare/App';
import { posted } from '../common/bridge';
import { compare } from './fixtures';
import { fromExtension } from './setup';

describe('compare panel', () => {
  it('lists rank changes, biggest move first, and flipped rows', () => {
    render(<App />);
    act(() => fromExtension({ type: 'compare', state: compare }));
    const ranks = within(screen.getByRole('table', { name: 'Importance rank changes' })).getAllByRole('row').slice(1);
    expect(ranks.map((r) => r.textContent)).toEqual(['age13↓2', 'capital_gain21↑1', 'sex32↑1']);
    const flipped = within(screen.getByRole('table', { name: 'Flipped predictions' })).getAllByRole('row')[1]!;
    fireEvent.keyDown(flipped, { key: 'Enter' });
    expect(posted.at(-1)).toEqual({ type: 'explainRow', file: '/ws/data/adult_test.csv', line: 9 });
    expect(screen.getByText('Attribution disagreement').nextElementSibling!.textContent).toBe('Not available yet.');
  });

  it('asks for another pair of checkpoints', () => {
    render(<App />);
    act(() => fromExtension({ type: 'compare', state: compare }));
    fireEvent.change(screen.getByLabelText('Before'), { target: { value: 'epoch-002' } });
    expect(posted.at(-1)).toEqual({ type: 'compare', a: 'epoch-002', b: 'epoch-005' });
  });
});

describe('compare panel definitions', () => {
  it('says what the ranks are ranked by, from the state when it says', () => {
    render(<App />);
    act(() => fromExtension({ type: 'compare', state: { ...compare, method: 'kernel-shap', rows: 500 } }));
    expect(screen.getByText('Rank 1 = most important by mean |kernel-shap attribution| over 500 rows; the biggest moves first.')).toBeTruthy();
    act(() => fromExtension({ type: 'compare', state: compare }));
    expect(screen.getByText(/^Rank 1 = most important by mean \|attribution\| with each checkpoint's default row method over the same rows/)).toBeTruthy();
    // This daemon's answer: shares (each side sums to 1), the rows and their file named.
    const shares = compare.rankChanges!.map((r, i) => ({ ...r, importanceA: [0.5, 0.3, 0.2][i]!, importanceB: [0.1, 0.6, 0.3][i]! }));
    act(() => fromExtension({ type: 'compare', state: { ...compare, method: 'mean |kernel-shap|', rows: 200, file: '/ws/data/adult_test.csv', rankChanges: shares } }));
    expect(screen.getByText("Rank 1 = most important by mean |kernel-shap| over 200 rows of adult_test.csv (importance as each feature's share of the total, per checkpoint); the biggest moves first.")).toBeTruthy();
  });
});
