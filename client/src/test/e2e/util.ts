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

/** One webview document's answer to `inWebviews`. */
export interface WebviewAnswer<T> {
  url: string;
  value: T;
}

/**
 * Evaluates `expression` (JavaScript, may return a promise) in every webview document of the
 * workbench and returns the answers that are not null/undefined. The extension host cannot reach
 * a webview's DOM, so the launcher does it: `<name>.eval.json` asks, `<name>.result.json` answers.
 */
export async function inWebviews<T>(name: string, expression: string, timeoutMs = 60_000): Promise<WebviewAnswer<T>[]> {
  const dir = process.env.GLASSBOX_E2E_ARTIFACTS;
  if (!dir) throw new Error('GLASSBOX_E2E_ARTIFACTS is not set: webviews can be inspected only from the code-server launcher');
  const result = path.join(dir, `${name}.result.json`);
  fs.rmSync(result, { force: true });
  fs.writeFileSync(path.join(dir, `${name}.eval.json`), JSON.stringify({ expression }));
  await waitFor(`the launcher's answer to ${name}`, () => fs.existsSync(result) || undefined, timeoutMs);
  const answer = JSON.parse(fs.readFileSync(result, 'utf8')) as { answers?: WebviewAnswer<T>[]; error?: string };
  if (answer.error) throw new Error(`evaluating ${name} in the webviews failed: ${answer.error}`);
  return answer.answers ?? [];
}

/** Messages the extension showed (error, warning, information), in order. */
export interface Shown {
  kind: 'error' | 'warning' | 'info';
  message: string;
}

/**
 * Records every notification shown through `api.window` while still showing it. The extension's
 * `vscode` module is the same object as the tests' (one API object per extension, and the tests
 * are bundled inside the extension's folder), so its calls pass through here; a test checks that.
 */
export function recordMessages(window: { showErrorMessage: unknown; showWarningMessage: unknown; showInformationMessage: unknown }): { shown: Shown[]; restore(): void } {
  const shown: Shown[] = [];
  const w = window as Record<'showErrorMessage' | 'showWarningMessage' | 'showInformationMessage', (...a: unknown[]) => unknown>;
  const original = { error: w.showErrorMessage, warning: w.showWarningMessage, info: w.showInformationMessage };
  const wrap = (kind: Shown['kind'], fn: (...a: unknown[]) => unknown) => (...args: unknown[]) => {
    shown.push({ kind, message: String(args[0]) });
    return fn.apply(window, args);
  };
  w.showErrorMessage = wrap('error', original.error);
  w.showWarningMessage = wrap('warning', original.warning);
  w.showInformationMessage = wrap('info', original.info);
  return {
    shown,
    restore() {
      w.showErrorMessage = original.error;
      w.showWarningMessage = original.warning;
      w.showInformationMessage = original.info;
    },
  };
}
