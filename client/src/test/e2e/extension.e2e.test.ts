/**
 * In a real editor with test-workspace/ open (and, from the code-server launcher, a second folder
 * without glassbox.json): activation, the daemon's status, the side panel and the Explain panel,
 * the demo's findings as diagnostics, the analysed demo's side panel as drawn (every checkpoint
 * analysed, predicted classes in the suspects, checks listed), charts following a theme switch,
 * every command run without an error shown, the row hover, and a glassbox.json created while the
 * editor runs becoming an analysed project.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../commandIds';
import type { GlassboxContext } from '../../context';
import { dashboard } from '../../../../webviews/test/fixtures';
import { inWebviews, recordMessages, screenshot, settle, waitFor } from './util';

const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
/** Set by the code-server launcher, which can also inspect webviews and take screenshots. */
const launcher = () => Boolean(process.env.GLASSBOX_E2E_ARTIFACTS);

/** Notifications that mean a command did not do its job, though shown as information. */
const FAILURE_INFO = /not running|not available yet|needs at least|could not|did not|cannot|error|failed:|failed to/i;

/**
 * The side panel's document as the user sees it: every fold opened (not the export menus), the status, checks, checkpoint
 * and suspect texts, the suspects' "label → predicted" cells, and per canvas its most frequent
 * colours. Runs in the webview (by the launcher); null in documents that are not the side panel.
 */
const SIDE_PANEL_PROBE = `(async () => {
  if (!document.querySelector('h2#status')) return null;
  // Folds opened (checkpoints, passed checks, suspects), export menus left closed.
  for (const d of document.querySelectorAll('details')) if (!d.classList.contains('export')) d.open = true;
  // Opened folds lay out and their charts (animation off) redraw on resize: wait, frame by frame,
  // until every canvas has a size and the sizes held for two frames (bounded: 120 frames; a hidden
  // page paints no frames, and is not probed for pixels anyway).
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const sizes = () => [...document.querySelectorAll('canvas')].map((c) => c.width + 'x' + c.height).join(',');
  for (let i = 0, last = '', steady = 0; !document.hidden && i < 120 && steady < 2; i++) {
    await frame();
    const now = sizes();
    steady = now === last && !/(^|,)0x|x0(,|$)/.test(now) ? steady + 1 : 0;
    last = now;
  }
  const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.innerText.trim());
  const suspectsTable = [...document.querySelectorAll('table')].find((t) => /label → predicted/.test(t.tHead ? t.tHead.innerText : ''));
  const col = suspectsTable ? [...suspectsTable.tHead.rows[0].cells].findIndex((c) => /label → predicted/.test(c.innerText)) : -1;
  const labelPredicted = suspectsTable ? [...suspectsTable.tBodies[0].rows].map((r) => r.cells[col].innerText.trim()) : [];
  const canvases = [...document.querySelectorAll('canvas')].map((c) => {
    const ctx = c.getContext('2d');
    if (!ctx || !c.width || !c.height) return [];
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map();
    for (let i = 0; i < data.length; i += 16) {
      if (data[i + 3] < 200) continue;
      const k = data[i] + ',' + data[i + 1] + ',' + data[i + 2];
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map((e) => e[0]);
  });
  window.__glassboxE2eDocument = window.__glassboxE2eDocument || Math.random().toString(36).slice(2);
  return {
    document: window.__glassboxE2eDocument,
    // The text colour: a view's background may be transparent in every theme.
    body: getComputedStyle(document.body).color,
    themeClass: document.body.className,
    status: text('[aria-label="Status summary"]').join(' '),
    checksSummary: text('[aria-label="Checks summary"]').join(' '),
    checkLines: text('.check-line'),
    summaries: text('summary'),
    labelPredicted,
    canvases,
  };
})()`;

interface SidePanel {
  document: string;
  body: string;
  themeClass: string;
  status: string;
  checksSummary: string;
  checkLines: string[];
  summaries: string[];
  labelPredicted: string[];
  canvases: string[][];
}

async function sidePanel(name: string): Promise<SidePanel> {
  const answers = await inWebviews<SidePanel>(name, SIDE_PANEL_PROBE);
  assert.equal(answers.length, 1, `one side panel document answers (got ${answers.length})`);
  return answers[0]!.value;
}

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

  it('sees what the extension shows: a command that cannot act is recorded', async () => {
    const rec = recordMessages(vscode.window);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await settle(vscode.commands.executeCommand(Commands.explainRow));
      assert.deepEqual(rec.shown, [{ kind: 'info', message: 'Put the cursor on a row of a CSV file first.' }]);
    } finally {
      rec.restore();
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('shows the analysed demo in the side panel: every checkpoint analysed, checks listed, predicted classes in the suspects', async function () {
    // The goal is 90 s on a busy 2-core machine (npm run bench -- editor measures it); this waits
    // for correctness, not speed, and says what the panel showed when it gives up. (The panel is
    // read, not the daemon: this bundle's copy of the protocol types cannot be passed to the
    // extension's language client, whose JSON-RPC checks their identity.)
    this.timeout(1_600_000);
    if (!launcher()) this.skip();
    await vscode.commands.executeCommand(Commands.openDashboard);
    // The daemon's own state (an earlier test drew a fixture there).
    await api.dashboard.refresh();
    let last: SidePanel | undefined;
    const panel = await waitFor('the side panel to show every checkpoint analysed', async () => {
      const p = await sidePanel('side-panel-analysed');
      last = p;
      return /Checkpoints \(5: 5 analysed\)/.test(p.summaries.join('\n')) && p.checkLines.length > 0 && p.labelPredicted.length > 0 ? p : undefined;
    }, 1_500_000).catch((e: Error) => {
      throw new Error(`${e.message}; the panel showed: ${last?.status} | ${last?.summaries.join(' | ')}`);
    });
    assert.match(panel.status, /5 checkpoints · newest analysed: epoch-5/);
    assert.doesNotMatch(panel.status, /queued|none analysed/);
    assert.ok(panel.checkLines.some((l) => /Expected top features/i.test(l)), `the expected-top check is listed: ${panel.checkLines.join(' | ')}`);
    const counts = /^(\d+) passed · (\d+) warnings · (\d+) failed(?: · (\d+) skipped)?/.exec(panel.checksSummary);
    assert.ok(counts, panel.checksSummary);
    const total = counts.slice(1).reduce((sum, n) => sum + Number(n ?? 0), 0);
    assert.equal(panel.checkLines.length, total, `every check counted is listed: ${panel.checksSummary} vs ${panel.checkLines.length} lines`);
    for (const cell of panel.labelPredicted) assert.match(cell, /^(<=50K|>50K) → (<=50K|>50K)$/, 'label and predicted class');
    await screenshot('side-panel-analysed');
  });

  it('redraws the charts in the new theme on a theme switch, without reloading the panel', async function () {
    if (!launcher()) this.skip();
    const settings = vscode.workspace.getConfiguration('workbench');
    const themes = ['Default Light Modern', 'Default Dark Modern', 'Default High Contrast'];
    const seen: SidePanel[] = [];
    try {
      for (const theme of themes) {
        await settings.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
        const before = seen.at(-1);
        const p = await waitFor(`the side panel in ${theme}`, async () => {
          const now = await sidePanel(`theme-${seen.length}`);
          // Drawn in the new theme: the text colour and a chart's colours have changed.
          return !before || (now.body !== before.body && now.canvases.some((c, i) => c.join(';') !== (before.canvases[i] ?? []).join(';'))) ? now : undefined;
        }, 30_000);
        assert.ok(p.canvases.some((c) => c.length > 0), 'charts are drawn');
        seen.push(p);
        await screenshot(`side-panel-${theme.toLowerCase().replace(/\s+/g, '-')}`);
      }
      assert.equal(new Set(seen.map((p) => p.document)).size, 1, 'the same document throughout: no reload');
      assert.equal(new Set(seen.map((p) => p.body)).size, 3, `three text colours: ${seen.map((p) => p.body).join(', ')}`);
    } finally {
      await settings.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('runs each command without an error', async function () {
    this.timeout(600_000);
    const doc = await vscode.workspace.openTextDocument(path.join(workspace(), 'data', 'adult_test.csv'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(3, 0, 3, 0);
    const rec = recordMessages(vscode.window);
    const failures: string[] = [];
    try {
      for (const id of Object.values(Commands)) {
        await vscode.window.showTextDocument(doc);
        const from = rec.shown.length;
        // A command that throws rejects here; one that reports its failure shows it: both fail.
        const outcome = await settle(vscode.commands.executeCommand(id), 20_000).catch((e: Error) => `threw: ${e.message}`);
        if (id === Commands.restartDaemon) await waitFor('the daemon to run again after Restart Daemon', () => api.running || undefined);
        const shown = rec.shown.slice(from);
        if (process.env.GLASSBOX_E2E_ARTIFACTS) fs.appendFileSync(path.join(process.env.GLASSBOX_E2E_ARTIFACTS, 'results.txt'), `      ${id}: ${outcome}${shown.map((m) => ` [${m.kind}] ${m.message}`).join('')}\n`);
        if (outcome.startsWith('threw')) failures.push(`${id} ${outcome}`);
        for (const m of shown) if (m.kind !== 'info' || FAILURE_INFO.test(m.message)) failures.push(`${id} showed ${m.kind}: ${m.message}`);
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await vscode.commands.executeCommand('notifications.clearAll');
      }
    } finally {
      rec.restore();
    }
    assert.deepEqual(failures, []);
    await waitFor('the daemon to run again after Restart Daemon', () => api.running || undefined);
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

  it('explains a row of the analysed demo in the Explain panel', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspace(), 'data', 'adult_test.csv'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(5, 0, 5, 0);
    await vscode.commands.executeCommand(Commands.explainRow);
    await waitFor('the Explain panel app to start', () => api.explain.appReady || undefined);
    if (launcher()) {
      await waitFor('the Explain panel to show the row', async () => {
        const a = await inWebviews<string>('explain-analysed', "document.querySelector('main') && /<=50K|>50K/.test(document.body.innerText) && !/Waiting|Explaining|Loading/i.test(document.body.innerText) && !document.querySelector('h2#status') ? document.body.innerText : null");
        return a.length ? a : undefined;
      }, 60_000);
    }
    await screenshot('explain-panel-analysed');
  });

  it('analyses a project whose glassbox.json is created while the editor runs', async function () {
    this.timeout(600_000);
    const folder = process.env.GLASSBOX_E2E_NEW_PROJECT;
    if (!folder || !vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === folder)) this.skip();
    const config = path.join(folder!, 'glassbox.json');
    const train = vscode.Uri.file(path.join(folder!, 'data', 'train.csv'));
    assert.ok(!fs.existsSync(config));
    await vscode.window.showTextDocument(train);
    // The header's hover: the feature's importance share and its trend, once the project is analysed.
    const headerHover = async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', train, new vscode.Position(0, 1));
      return h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    };
    assert.doesNotMatch(await headerHover(), /Global importance/, 'no project yet');
    await vscode.workspace.fs.writeFile(vscode.Uri.file(config), new TextEncoder().encode(JSON.stringify({
      data: { train: 'data/train.csv', test: 'data/test.csv' },
      label: 'income',
      encoding: 'encoding.json',
      checkpoints: { path: 'checkpoints' },
      model: { output: 'logits' },
    }, null, 2)));
    const text = await waitFor('the new project analysed (its header hover with the importance of both checkpoints)', async () => {
      const t = await headerHover();
      return /Global importance: \*\*[\d.]+%\*\* of the total .* at checkpoint `epoch-2`/.test(t) && /Trend over 2 checkpoints/.test(t) ? t : undefined;
    }, 540_000);
    assert.match(text, /^\*\*age\*\* · Glassbox/);
    // The demo is still analysed beside it.
    const demo = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(path.join(workspace(), 'data', 'adult_train.csv')), new vscode.Position(0, 1));
    assert.match(demo.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /Trend over 5 checkpoints/);
  });
});
