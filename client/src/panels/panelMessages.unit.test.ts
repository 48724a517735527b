import { describe, expect, it } from 'vitest';
import { exportBytes, followTarget, themeMessage } from './panelMessages';
import { isFromWebview } from '../../../webviews/common/guards';

describe('panel messages', () => {
  it('writes a PNG export as the decoded bytes and text as UTF-8', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
    const m = { type: 'export', action: 'save', format: 'png', filename: 'chart.png', content: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } as const;
    expect(isFromWebview(m)).toBe(true);
    expect([...exportBytes(m)]).toEqual([...png]);
    expect([...exportBytes({ format: 'csv', content: 'é,1\r\n' })]).toEqual([0xc3, 0xa9, 0x2c, 0x31, 0x0d, 0x0a]);
  });

  it('names every colour theme kind of VS Code', () => {
    expect([1, 2, 3, 4].map((k) => themeMessage(k).kind)).toEqual(['light', 'dark', 'highContrast', 'highContrastLight']);
  });
});

describe('following the cursor', () => {
  const at = (line: number, over: Partial<import('./panelMessages').CursorPlace> = {}) => ({ uri: 'file:///ws/data/test.csv', line, languageId: 'plaintext', path: '/ws/data/test.csv', ...over });
  it('moves to another data line of a CSV file, never the header, never the same row', () => {
    const shown = { uri: 'file:///ws/data/test.csv', line: 6 };
    expect(followTarget(shown, at(9))).toEqual({ uri: 'file:///ws/data/test.csv', line: 9 });
    expect(followTarget(shown, at(6))).toBeUndefined();
    expect(followTarget(shown, at(0))).toBeUndefined();
    expect(followTarget(shown, at(3, { uri: 'file:///ws/train.py', path: '/ws/train.py', languageId: 'python' }))).toBeUndefined();
    expect(followTarget(shown, at(3, { uri: 'untitled:1', path: 'Untitled-1', languageId: 'csv' }))).toEqual({ uri: 'untitled:1', line: 3 });
    expect(followTarget(undefined, at(2, { path: '/ws/DATA.CSV' }))).toEqual({ uri: 'file:///ws/data/test.csv', line: 2 });
  });

  it('accepts a pin message only with a boolean', () => {
    expect(isFromWebview({ type: 'pin', pinned: false })).toBe(true);
    expect(isFromWebview({ type: 'pin', pinned: 'no' })).toBe(false);
  });
});
