/**
 * The settings the extension hands the daemon: converted once from `glassbox.*`, sent whole on a
 * change of a daemon setting only, and read back by the daemon (protocol/settings.ts) unchanged.
 */
import { describe, expect, it } from 'vitest';
import { affectsDaemon, daemonSettings, DAEMON_SETTING_KEYS, readConfig } from './config';
import { settingsChange } from './daemon';
import { readSettings } from '../../server/src/protocol/settings';

const config = (values: Record<string, unknown>) => readConfig(<T>(k: string) => values[k] as T);

describe('daemon settings', () => {
  it('converts the glassbox.* settings into what the daemon reads back unchanged', () => {
    const s = daemonSettings(config({ 'explain.method': ' integrated-gradients ', 'diagnostics.suspectRows': 3, 'trace.server': 'verbose' }));
    expect(s).toEqual({ suspectRows: 3, explainMethod: 'integrated-gradients' });
    const { type, params } = settingsChange(s);
    expect(type.method).toBe('workspace/didChangeConfiguration');
    expect(readSettings(params.settings!.glassbox)).toEqual(s);
    // An empty method is the daemon's default: not sent, so the daemon falls back to it.
    expect(daemonSettings(config({}))).toEqual({ suspectRows: 20 });
    expect(readSettings(settingsChange(daemonSettings(config({ 'diagnostics.suspectRows': 0 }))).params.settings!.glassbox)).toEqual({ suspectRows: 0 });
  });

  it('sends a change only when a daemon setting changed', () => {
    const changed = (...sections: string[]) => affectsDaemon((s) => sections.includes(s));
    expect(changed('glassbox.explain.method')).toBe(true);
    expect(changed('glassbox.diagnostics.suspectRows')).toBe(true);
    expect(changed('glassbox.trace.server', 'glassbox.daemon.autoRestart', 'editor.fontSize')).toBe(false);
    expect([...DAEMON_SETTING_KEYS].sort()).toEqual(['diagnostics.suspectRows', 'explain.method']);
  });

  it('drops values of the wrong type on the daemon side, keeping the defaults', () => {
    expect(readSettings({ suspectRows: -1, explainMethod: 7 })).toEqual({});
    expect(readSettings({ suspectRows: 2.5, explainMethod: '  ' })).toEqual({});
    expect(readSettings(null)).toEqual({});
    expect(readSettings('x')).toEqual({});
  });
});
