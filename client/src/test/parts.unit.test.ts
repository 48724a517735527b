import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Commands, WELCOME_VIEW, daemonCommandsToRegister } from '../commandIds';
import { DaemonCommands } from '../../../server/src/protocol';
import { readConfig, SETTING_KEYS } from '../config';
import { CrashPolicy } from '../crashPolicy';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../panels/html';
import { statusView } from '../status';
import { isFromWebview } from '../../../webviews/common/guards';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

describe('manifest', () => {
  it('declares every command with the Glassbox category and a when clause, and no others', () => {
    const declared = pkg.contributes.commands.map((c: { command: string; category: string }) => { expect(c.category).toBe('Glassbox'); return c.command; });
    expect(declared.sort()).toEqual(Object.values(Commands).sort());
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]));
    for (const id of Object.values(Commands)) expect(palette.get(id), id).toBeTruthy();
  });

  it('declares a welcome view, shown until a glassbox.json exists, whose links run declared commands', () => {
    const view = pkg.contributes.views.glassbox.find((v: { id: string }) => v.id === WELCOME_VIEW);
    expect(view.when).toBe('!glassbox.hasConfig');
    const welcome = pkg.contributes.viewsWelcome.filter((w: { view: string }) => w.view === WELCOME_VIEW);
    expect(welcome.map((w: { when: string }) => w.when)).toEqual(['workbenchState == empty', 'workbenchState != empty']);
    const links = welcome.flatMap((w: { contents: string }) => [...w.contents.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]));
    expect(links).toEqual(['vscode.openFolder', Commands.createConfig]);
  });

  it('declares exactly the settings the client reads, each with a scope', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
    expect(Object.keys(props).sort()).toEqual(SETTING_KEYS.map((k) => `glassbox.${k}`).sort());
    for (const [k, v] of Object.entries(props)) expect(v.scope, k).toMatch(/^(window|resource|application|machine|machine-overridable|language-overridable)$/);
  });
});

describe('daemon commands', () => {
  it('are registered except those the extension defines itself', () => {
    expect(daemonCommandsToRegister(['glassbox.server.explainRow', 'glassbox.server.analyze'])).toEqual(['glassbox.server.explainRow', 'glassbox.server.analyze']);
    expect(daemonCommandsToRegister(['glassbox.explainRow', 'glassbox.server.analyze'])).toEqual(['glassbox.server.analyze']);
  });
  it("never reuse the extension's own ids", () => {
    const own = new Set<string>(Object.values(Commands));
    for (const id of Object.values(DaemonCommands)) {
      expect(id).toMatch(/^glassbox\.server\./);
      expect(own.has(id)).toBe(false);
    }
  });
});

describe('config', () => {
  it('reads typed values with defaults and rejects unknown trace levels', () => {
    expect(readConfig(() => undefined)).toEqual({ autoRestart: true, explainMethod: undefined, suspectRows: 20 });
    const values: Record<string, unknown> = { 'trace.server': 'loud', 'daemon.autoRestart': false, 'explain.method': ' shap ', 'diagnostics.suspectRows': -3 };
    expect(readConfig(<T>(k: string) => values[k] as T)).toEqual({ autoRestart: false, explainMethod: 'shap', suspectRows: 0 });
  });
});

describe('status item', () => {
  it('shows backend, checkpoint, activity and findings', () => {
    const v = statusView({ health: 'ok', busy: true, message: 'Glassbox: analysing Global importance (epoch-3) 40% · 4 queued', backend: 'wasm', checkpoint: 'epoch-2' }, 2, true);
    expect(v.text).toBe('$(sync~spin) Glassbox (wasm · analysing Global importance (epoch-3) 40% · 4 queued · 2 findings)');
    expect(v.tooltip).toContain('Now: analysing Global importance (epoch-3) 40% · 4 queued');
    expect(statusView({ health: 'ok', busy: false, message: 'Glassbox: epoch-3 analysed', backend: 'wasm', checkpoint: 'epoch-3' }, 0, true).text).toBe('$(pass) Glassbox (wasm · epoch-3)');
    expect(statusView({ health: 'error', busy: false, message: 'x' }, 0, true)).toMatchObject({ text: '$(error) Glassbox', severity: 'error' });
    expect(statusView(undefined, 0, false).severity).toBe('error');
  });
});

describe('crash policy', () => {
  it('restarts at most N times within the window, and never when disabled', () => {
    let t = 0;
    const p = new CrashPolicy(2, 1000, () => t);
    expect([p.shouldRestart(true), p.shouldRestart(true), p.shouldRestart(true)]).toEqual([true, true, false]);
    t = 5000;
    expect(p.shouldRestart(true)).toBe(true);
    expect(p.shouldRestart(false)).toBe(false);
  });
});

describe('webview shell', () => {
  it('allows only nonce scripts and the extension resources', () => {
    const nonce = makeNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(makeNonce()).not.toBe(nonce);
    const csp = contentSecurityPolicy('vscode-resource:', nonce);
    expect(csp).toBe(`default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-${nonce}'`);
    const html = webviewHtml({ cspSource: 'vscode-resource:', nonce, scriptUri: 'https://x/a.js?"', styleUri: 'https://x/a.css', title: '<T>' });
    expect(html).toContain(`<script nonce="${nonce}" src="https://x/a.js?&quot;"></script>`);
    expect(html).toContain('<title>&lt;T&gt;</title>');
    expect(html).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('rejects malformed messages from a webview', () => {
    expect(isFromWebview({ type: 'openLocation', file: '/a.csv', line: 3 })).toBe(true);
    expect(isFromWebview({ type: 'openLocation', file: '/a.csv', line: 0 })).toBe(false);
    expect(isFromWebview({ type: 'compare', a: 'x' })).toBe(false);
    expect(isFromWebview({ type: 'exec', cmd: 'rm' })).toBe(false);
    expect(isFromWebview(null)).toBe(false);
  });
});
