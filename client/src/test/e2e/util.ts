/** Waiting helpers for the integration tests: wait on conditions, never fixed sleeps. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Settles a command that may end waiting for the user (a notification with a button, a quick pick):
 * it must not throw; still pending after `ms` counts as waiting for input.
 */
export async function settle(p: Thenable<unknown>, ms = 8_000): Promise<'done' | 'waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'waiting'>((r) => { timer = setTimeout(() => r('waiting'), ms); });
  try {
    return await Promise.race([Promise.resolve(p).then(() => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks the launcher for a screenshot of the workbench (when it set GLASSBOX_E2E_ARTIFACTS): writes
 * `<name>.request` and waits for the launcher to write `<name>.png`.
 */
export async function screenshot(name: string): Promise<string | undefined> {
  const dir = process.env.GLASSBOX_E2E_ARTIFACTS;
  if (!dir) return undefined;
  const png = path.join(dir, `${name}.png`);
  fs.rmSync(png, { force: true });
  fs.writeFileSync(path.join(dir, `${name}.request`), '');
  await waitFor(`screenshot ${name}`, () => fs.existsSync(png) || undefined, 90_000);
  return png;
}
