import { describe, it, expect } from 'vitest';
import { initEngine } from './backend';
import { tf } from './tf';

describe('backend ladder with a forced backend', () => {
  it('uses the requested backend and records the others as skipped by request', async () => {
    const info = await initEngine({ prefer: 'cpu' });
    expect(info.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.attempts.slice(0, 3).every((a) => !a.ok && /requested/.test(a.detail))).toBe(true);
  });
});
