import { describe, expect, it } from 'vitest';
import { rankName, rowHover, staleNote } from './hover';
import type { PredictionsResult } from './steps/predictions';

const predictions = {
  checkpoint: { name: 'round-30', hash: 'h' },
  value: { classes: ['<=50K', '>50K'], files: [{ file: '/t.csv', lines: [2, 3], predicted: [1, 0], confidence: [0.9, 0.8], labels: [0, 0], accuracy: 0.5, metrics: {} }] } as unknown as PredictionsResult,
};

describe('stale note', () => {
  it('says which checkpoint the numbers come from while a newer one is analysed, and nothing otherwise', () => {
    expect(staleNote({ name: 'epoch-3', hash: 'c' }, { name: 'epoch-2', hash: 'b' })).toBe('\n\n_Checkpoint `epoch-3` is being analysed; these numbers are from `epoch-2`._');
    expect(staleNote({ name: 'epoch-3', hash: 'c' }, { name: 'epoch-3', hash: 'c' })).toBe('');
    expect(staleNote(undefined, { name: 'epoch-3', hash: 'c' })).toBe('');
  });
});

describe('row hover', () => {
  it('names the rank after the score the influence step ranked with', () => {
    const file = predictions.value.files[0]!;
    const aum = rowHover(predictions, file, 0, undefined, { selfInfluenceRank: 3, n: 1000, checkpoint: 'round-30', score: 'aum' });
    expect(aum).toContain('Area-under-the-margin rank: **3** of 1,000 training rows (1 = most suspect; checkpoint `round-30`)');
    expect(aum).not.toMatch(/self-influence/i);
    expect(rankName('loss')).toBe('Loss rank');
    expect(rankName('tracin-self')).toBe('Self-influence rank');
  });

  it('marks what is not computed yet as pending, never asking to hover again', () => {
    const file = predictions.value.files[0]!;
    const text = rowHover(predictions, file, 0, undefined, undefined, 5, true);
    expect(text).toBe(
      [
        '**Row 1** (line 2) · checkpoint `round-30`',
        '',
        'Prediction: **>50K** (confidence 90.0%)',
        'Label: <=50K ✗ misclassified',
        '',
        'Top attributions: _pending_ (being computed for checkpoint `round-30`).',
        '',
        'Suspicion rank: _pending_ (influence is being computed).',
        '',
        // Arguments of glassbox.counterfactualRow: the file's URI and the row's 0-based line.
        '[What would change this prediction?](command:glassbox.counterfactualRow?%5B%22file%3A%2F%2F%2Ft.csv%22%2C1%5D)',
      ].join('\n'),
    );
  });
});
