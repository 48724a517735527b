/** jsdom has no canvas: charts skip drawing (the tables carry the data) without jsdom's "not implemented" noise. */
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
import { resetBridge } from '../common/bridge';

if (typeof HTMLCanvasElement !== 'undefined') HTMLCanvasElement.prototype.getContext = (() => null) as never;
afterEach(() => {
  cleanup();
  resetBridge();
});

/** Deliver a message from the extension the way VS Code does. */
export function fromExtension(data: unknown): void {
  window.dispatchEvent(new MessageEvent('message', { data }));
}
