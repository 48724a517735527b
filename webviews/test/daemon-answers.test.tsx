// @vitest-environment jsdom
/**
 * The panels on real daemon answers (fixtures/daemon-answers.json: the LSP test workspace after two
 * checkpoints), so a field the daemon fills differently from the hand-made fixtures shows here.
 */
import { describe, expect, it } from 'vitest';
import { act, render, screen, within } from '@testing-library/react';
import { App as Sidebar } from '../sidebar/App';
import { App as ExplainApp } from '../explain/App';
import { fromExtension } from './setup';
import answers from './fixtures/daemon-answers.json';
import type { DashboardState, ExplainState } from '../../server/src/protocol/panels';

const dashboard = answers.dashboard as DashboardState;
const kernelShap = answers.explainKernelShap as ExplainState;
const saliency = answers.explainSaliency as ExplainState;
const rows = (name: string) => within(screen.getByRole('table', { name })).getAllByRole('row');

describe('panels on the daemon\'s own answers', () => {
  it('side panel: provenance, the failed check first, shares summing to 100%, predicted classes', () => {
    render(<Sidebar />);
    act(() => fromExtension({ type: 'dashboard', state: dashboard }));
    expect(within(screen.getByRole('heading', { name: /Global importance/ })).getByLabelText('source').textContent).toBe('epoch-2 · run run-ee5062ab');
    const failed = within(screen.getByRole('list', { name: 'Failed checks' })).getAllByRole('listitem');
    expect(failed.map((l) => l.firstChild!.textContent)).toEqual(dashboard.checks!.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => (c.status === 'fail' ? '✗' : '⚠')));
    const shares = rows('Global importance').slice(1).map((r) => Number.parseFloat(r.lastChild!.textContent!));
    expect(shares).toHaveLength(14);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0); // each rounded to 0.1%
    const first = rows('Suspect rows')[1]!;
    expect(first.textContent).toContain(`${dashboard.suspects![0]!.label} → ${dashboard.suspects![0]!.predicted}`);
    expect(screen.queryByText('n/a')).toBeNull();
  });

  it('explain: the KernelSHAP waterfall ends at base value + contributions, the row itself is marked', () => {
    render(<ExplainApp />);
    act(() => fromExtension({ type: 'explain', state: kernelShap }));
    const sum = Object.values(kernelShap.attributions).reduce((a, b) => a + b, 0);
    const table = rows('Attributions');
    expect(table[1]!.lastChild!.textContent).toBe(kernelShap.baseline!.toFixed(3));
    expect(table.at(-1)!.lastChild!.textContent).toBe((kernelShap.baseline! + sum).toFixed(3));
    // A two-logit softmax head: the output is one class's logit, and p is not its sigmoid (0.912 for
    // 2.342 here, while the model says 0.982), so the panel must not present them as one number.
    const { output, outputKind, prediction } = kernelShap;
    expect(outputKind).toBe('logit');
    expect('class' in prediction && Math.abs(1 / (1 + Math.exp(-output!)) - prediction.probability)).toBeGreaterThan(0.05);
    const p = 'class' in prediction ? prediction : undefined;
    expect(screen.getByText(new RegExp(`contribution to the logit of ${p!.class};.*is the softmax over all 2 classes' logits, so it does not follow from this logit alone`))).toBeTruthy();
    const proponents = rows('Proponents');
    expect(proponents[1]!.className).toBe('self'); // line 4 is a training row: its own top proponent
    expect(proponents.slice(2).every((r) => r.className !== 'self')).toBe(true);
    // columns: the four largest |contributions| of this row
    const top = Object.entries(kernelShap.attributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, 4).map(([f]) => f);
    expect(proponents[0]!.textContent).toBe(`linelabelinfluence${top.join('')}`);
  });

  it('explain: saliency (the daemon\'s default for networks) is drawn as a gradient, with no base value', () => {
    render(<ExplainApp />);
    act(() => fromExtension({ type: 'explain', state: saliency }));
    expect(saliency.baseline).toBeUndefined();
    expect(screen.queryByText('base value')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Why: saliency gradient' })).toBeTruthy();
  });
});
