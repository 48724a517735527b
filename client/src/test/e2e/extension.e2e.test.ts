/**
 * In a real editor with test-workspace/ open: activation, the daemon's status, every command, the
 * side panel and the Explain panel, the demo's findings as diagnostics and the row hover.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../commandIds';
import type { GlassboxContext } from '../../context';
import { dashboard } from '../../../../webviews/test/fixtures';
import { screenshot, settle, waitFor } from './util';

const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

describe('Glassbox in a real editor', function () {
  let api: GlassboxContext;

  before(async function () {
    const ext = vscode.extensions.getExtension<GlassboxContext>('glassbox.glassbox');
    assert.ok(ext, 'the extension is installed');
    // workspaceContains:glassbox.json activates it without any command.
    api = await waitFor('activation', () => (ext.isActive ? ext.exports : undefined));
  });

  it('starts the daemon and shows its backend', async () => {
    const status = await waitFor('glassbox/serverStatus with a backend', () => (api.serverStatus?.backend ? api.serverStatus : undefined));
    assert.ok(api.running);
    assert.match(status.backend!, /^(wasm|cpu|tensorflow|tensorflow-gpu)$/);
    await waitFor('the status item to show the backend', () => api.statusText.includes(status.backend!) || undefined, 10_000);
  });

  it('registers every command', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(Commands)) assert.ok(all.has(id), id);
  });

  it('renders the side panel', async () => {
    await vscode.commands.executeCommand(Commands.openDashboard);
    // `ready` comes from the React app itself: the bundle loaded under the CSP and mounted.
    await waitFor('the side panel app to start', () => api.dashboard.appReady || undefined);
    await screenshot('side-panel');
    // The same panel with a full state (the live-update path), for a person to look at every section.
    api.dashboard.update(dashboard);
    await screenshot('side-panel-fixture');
  });

  it('opens the Explain panel for the row under the cursor', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspace(), 'data', 'adult_test.csv'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(5, 0, 5, 0);
    await vscode.commands.executeCommand(Commands.explainRow);
    await waitFor('the Explain panel app to start', () => api.explain.appReady || undefined);
    await screenshot('explain-panel');
  });

  it('runs each command without error', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspace(), 'data', 'adult_test.csv'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(3, 0, 3, 0);
    for (const id of Object.values(Commands)) {
      const outcome = await settle(vscode.commands.executeCommand(id));
      if (process.env.GLASSBOX_E2E_ARTIFACTS) fs.appendFileSync(path.join(process.env.GLASSBOX_E2E_ARTIFACTS, 'results.txt'), `      ${id}: ${outcome}\n`);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await vscode.commands.executeCommand('notifications.clearAll');
    }
    await waitFor('the daemon to run again after Restart Daemon', () => api.running || undefined);
  });

  it("shows the demo's findings as diagnostics: the expected-top check on glassbox.json, suspect rows in the training CSV", async function () {
    this.timeout(300_000);
    const config = vscode.Uri.file(path.join(workspace(), 'glassbox.json'));
    const train = vscode.Uri.file(path.join(workspace(), 'data', 'adult_train.csv'));
    const code = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));
    // The full analysis (5 checkpoints, 32,561 training rows) runs first; checks come last.
    const check = await waitFor('the expected-top finding on glassbox.json', () => vscode.languages.getDiagnostics(config).find((d) => code(d) === 'check:expected-top'), 180_000);
    assert.equal(check.source, 'glassbox');
    assert.equal(check.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(check.message, /'education_num' is expected in the top 5 but ranks \d+ of 14.*importance rank measured \d+, limit 5; checkpoint epoch-5/);
    const lines = fs.readFileSync(config.fsPath, 'utf8').split('\n');
    assert.equal(check.range.start.line, lines.findIndex((l) => l.includes('"expectedTop"')));
    const suspects = await waitFor('suspect rows in the training CSV', () => {
      const d = vscode.languages.getDiagnostics(train).filter((x) => code(x) === 'suspect-row');
      return d.length ? d : undefined;
    }, 60_000);
    assert.equal(suspects.length, 20);
    assert.ok(suspects.every((d) => d.range.start.line > 0 && /^Suspect row \d+ .*self-influence rank/.test(d.message)));
    assert.ok(vscode.languages.getDiagnostics(train).some((d) => code(d) === 'suspect-summary' && d.range.start.line === 0));
  });

  it('explains a CSV row on hover: prediction, attributions, nearest row of another class', async () => {
    const uri = vscode.Uri.file(path.join(workspace(), 'data', 'adult_test.csv'));
    await vscode.window.showTextDocument(uri);
    // The first hover may answer before the row's attributions are computed (it marks them pending
    // rather than wait past its budget): ask again until they are there.
    const text = await waitFor('hover with attributions', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(5, 1));
      const t = h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return t.includes('Top attributions') && !t.includes('_pending_') ? t : undefined;
    }, 60_000);
    assert.match(text, /Prediction: \*\*(<=50K|>50K)\*\* \(confidence \d+\.\d%\)/);
    assert.match(text, /Nearest training row of another class: line \d+/);
  });
});
