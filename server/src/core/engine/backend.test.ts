import { describe, it, expect } from 'vitest';
import { initEngine } from './backend';

describe('backend ladder', () => {
  it('chooses the best backend that starts and says why the better ones were skipped', async () => {
    const info = await initEngine();
    const names = info.attempts.map((a) => a.candidate);
    expect(names[0]).toBe('@tensorflow/tfjs-node-gpu');
    const chosen = info.attempts.find((a) => a.ok)!;
    const skipped = info.attempts.slice(0, info.attempts.indexOf(chosen));
    expect(skipped.every((a) => a.detail.length > 0)).toBe(true);
    let nativeInstalled = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      nativeInstalled = false;
    }
    if (!nativeInstalled) {
      // On machines where libtensorflow cannot be downloaded: WebAssembly with SIMD.
      expect(info.backend).toBe('wasm');
      expect(info.simd).toBe(true);
      expect(skipped[1]!.detail).toMatch(/not installed \(optional; its install downloads libtensorflow/);
    }
    // Same answer on every call.
    expect(await initEngine()).toBe(info);
  });
});
