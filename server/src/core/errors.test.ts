import { describe, it, expect } from 'vitest';
import { echo, GlassboxError, MAX_MESSAGE, oneLine } from './errors';

describe('GlassboxError messages', () => {
  it('echo keeps short values, escapes line breaks and cuts long ones with their length', () => {
    expect(echo('income')).toBe('income');
    expect(echo('a\nb\r\tc\u0001')).toBe('a\\nb\\r\\tc\\u0001');
    const label = 'x'.repeat(10 * 1024 * 1024);
    const shown = echo(label);
    expect(shown).toBe(`${'x'.repeat(200)}… (10485760 characters)`);
    expect(echo('abcdef', 3)).toBe('abc… (6 characters)');
  });

  it('a multi-line message (as TF.js writes them) becomes one line; a huge one is cut', () => {
    const e = new GlassboxError('model', 'Error when checking model:\n   expected dense_input\n\n to have shape [null,108]', { file: 'm.json' });
    expect(e.message).toBe('Error when checking model: expected dense_input to have shape [null,108]');
    expect(e.format()).toBe('m.json: Error when checking model: expected dense_input to have shape [null,108]');
    const huge = new GlassboxError('csv', 'y'.repeat(5_000_000), { file: 'f.csv', line: 2 });
    expect(huge.message.length).toBe(MAX_MESSAGE);
    expect(huge.message.endsWith('…')).toBe(true);
    expect(oneLine('  a \r\n  b\u2028c  ')).toBe('a b c');
  });
});
