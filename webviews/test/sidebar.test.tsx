// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../sidebar/App';
import { importanceRows } from '../sidebar/components/Importance';
import { posted } from '../common/bridge';
import { dashboard, dashboardEarly } from './fixtures';
import { fromExtension } from './setup';

describe('side panel', () => {
  it('asks for its state when mounted and renders every section from it', () => {
    render(<App />);
    expect(posted).toEqual([{ type: 'ready' }]);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    const timeline = screen.getByRole('table', { name: 'Checkpoint timeline' });
    expect(within(timeline).getAllByRole('row')).toHaveLength(5);
    expect(within(timeline).getByText('analysing…')).toBeTruthy();
    expect(within(timeline).getByText('incomplete')).toBeTruthy();
    const importance = screen.getByRole('table', { name: 'Global importance' });
    expect(within(importance).getAllByRole('row').map((r) => r.textContent)).toEqual(['capital_gain0.550', 'age0.210', 'sex0.080']);
    const drift = screen.getByRole('table', { name: 'Drift-weighted importance' });
    expect(within(drift).getAllByRole('row')[1]!.textContent).toContain('age');
    expect(screen.getByLabelText('Checks summary').textContent).toBe('1 passed · 0 warnings · 1 failed');
  });

  it('says what is not available yet instead of failing', () => {
    render(<App />);
    act(() => fromExtension({ type: 'dashboard', state: dashboardEarly }));
    expect(screen.getAllByText('Not available yet.')).toHaveLength(4);
    expect(screen.getByText('queued')).toBeTruthy();
  });

  it('switches importance to one class and keeps the choice after being re-shown', () => {
    const { unmount } = render(<App />);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    fireEvent.change(screen.getByLabelText('Class'), { target: { value: '0' } });
    const first = () => within(screen.getByRole('table', { name: 'Global importance' })).getAllByRole('row')[0]!.textContent;
    expect(first()).toBe('sex0.300');
    unmount();
    render(<App />); // hidden and shown: state comes back from getState without a new message
    expect(first()).toBe('sex0.300');
  });

  it('opens a suspect row by click and by keyboard', () => {
    render(<App />);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    const row = within(screen.getByRole('table', { name: 'Suspect rows' })).getAllByRole('row')[1]!;
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
});
