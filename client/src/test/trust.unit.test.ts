import { describe, expect, it } from 'vitest';
import { startWhenTrusted, type TrustSource } from '../trust';

function fakeTrust(isTrusted: boolean) {
  const listeners = new Set<() => unknown>();
  const source: TrustSource & { grant(): void; listening(): number } = {
    isTrusted,
    onDidGrantWorkspaceTrust(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    grant() {
      for (const l of [...listeners]) l();
    },
    listening: () => listeners.size,
  };
  return source;
}

describe('workspace trust', () => {
  it('starts the daemon at once in a trusted workspace', () => {
    let starts = 0;
    startWhenTrusted(fakeTrust(true), async () => void starts++);
    expect(starts).toBe(1);
  });

  it('does not start in Restricted Mode, then starts once when trust is granted', () => {
    const trust = fakeTrust(false);
    let starts = 0;
    startWhenTrusted(trust, async () => void starts++);
    expect(starts).toBe(0);
    trust.grant();
    trust.grant();
    expect(starts).toBe(1);
    expect(trust.listening()).toBe(0);
  });

  it('stops waiting when disposed', () => {
    const trust = fakeTrust(false);
    let starts = 0;
    startWhenTrusted(trust, async () => void starts++).dispose();
    trust.grant();
    expect(starts).toBe(0);
  });
});

describe('the extension manifest', () => {
  it('declares limited support for untrusted workspaces, saying why', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(manifest.capabilities.untrustedWorkspaces.description).toMatch(/does not run in untrusted workspaces because it loads model files/);
  });
});
