/**
 * The daemon while training goes on: every checkpoint analysed (newest first, the rest in the
 * background, cheap steps first), runs kept apart, projects appearing and disappearing, hovers that
 * never ask to hover again, and code actions on findings. Over an in-process LSP connection with the
 * bundled worker (`npm run build` first); every wait is on a recorded event, nothing sleeps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, changed, CHECKPOINTS, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';
import { DATA, REPO, tmpDir } from '../../test/helpers';
import { CancellationTokenSource } from 'vscode-languageserver-protocol';

type Client = TestClient & { server: { daemon(): any } };
const idle = (checkpoint: string) => (s: any) => s.checkpoint === checkpoint && !s.busy && s.health === 'ok';
const STEPS = ['Predictions', 'Global importance', 'Drift and drift impact', 'Influence and suspect rows', 'Model checks'];
const begins = (client: TestClient, after = 0) =>
  client.seen.slice(after).filter((r) => r.method === '$/progress' && r.params.value.kind === 'begin').map((r) => r.params.value.message as string);

/** Writes reference checkpoint `epoch` into the workspace folder `name` (a retrain reusing names). */
function writeCheckpointAs(root: string, epoch: number, name: string): void {
  const dir = path.join(root, 'checkpoints', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(CHECKPOINTS, `epoch-${epoch}`, 'weights.bin'), path.join(dir, 'weights.bin'));
  fs.copyFileSync(path.join(CHECKPOINTS, `epoch-${epoch}`, 'model.json'), path.join(dir, 'model.json'));
}

describe('every checkpoint of a run analysed, runs kept apart', () => {
  let root: string;
  let client: Client;
  let train: string;

  beforeAll(async () => {
    root = makeWorkspace(300);
    train = path.join(root, 'data/train.csv');
    for (const e of [1, 2, 3]) addCheckpoint(root, e);
    client = inProcess();
    await client.initialize(root);
  });
  afterAll(async () => {
    await client.shutdown();
  });

  it('analyses the newest checkpoint first, then the older ones in the background, cheap steps first', async () => {
    await client.waitFor('glassbox/serverStatus', idle('epoch-3'));
    expect(begins(client)).toEqual([
      ...STEPS.map((s) => `${s} (epoch-3)`),
      ...STEPS.flatMap((s) => [`${s} (epoch-2)`, `${s} (epoch-1)`]),
    ]);
    const dashboard = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(dashboard.checkpoints.map((c: any) => [c.name, c.analysis])).toEqual([
      ['epoch-1', 'done'],
      ['epoch-2', 'done'],
      ['epoch-3', 'done'],
    ]);
    expect(dashboard.run).toMatch(/^run-[0-9a-f]{8}$/);
    expect(dashboard.checkpoints.every((c: any) => c.run === dashboard.run)).toBe(true);
    expect(dashboard.running).toBeUndefined();
    for (const section of ['importance', 'drift', 'suspects', 'checks']) expect(dashboard.provenance[section]).toEqual({ checkpoint: 'epoch-3', run: dashboard.run, stale: false });
    // Suspects carry the class the checkpoint predicts for them.
    expect(dashboard.suspects.length).toBeGreaterThan(0);
    expect(dashboard.suspects.every((x: any) => x.predicted === '0' || x.predicted === '1')).toBe(true);
    const timeline = await client.connection.sendRequest<any>('glassbox/timeline');
    expect(timeline.map((t: any) => [t.checkpoint, Boolean(t.importance)])).toEqual([
      ['epoch-1', true],
      ['epoch-2', true],
      ['epoch-3', true],
    ]);
  });

  it('said which step ran with its progress, and "queued" only for checkpoints in the queue', async () => {
    const states = client.seen.filter((r) => r.method === 'glassbox/dashboardChanged').map((r) => r.params);
    // While epoch-3's steps ran, the older checkpoints waited in the queue.
    const during = states.find((s: any) => s.running?.checkpoint === 'epoch-3' && s.checkpoints.find((c: any) => c.name === 'epoch-1')?.analysis === 'queued');
    expect(during).toBeDefined();
    const e3 = during.checkpoints.find((c: any) => c.name === 'epoch-3');
    expect(e3.analysis).toBe('running');
    expect(e3.running.title).toMatch(/\(epoch-3\)$/);
    expect(e3.running.fraction).toBeGreaterThanOrEqual(0);
    // Before anything was submitted (first observation, not yet stable), nothing said queued.
    const first = states[0];
    expect(first.checkpoints.every((c: any) => c.analysis === 'pending')).toBe(true);
    // The status line named the running step, its percentage and the queue behind it.
    const statuses = client.seen.filter((r) => r.method === 'glassbox/serverStatus').map((r) => r.params.message as string);
    expect(statuses.some((m) => /^Glassbox: analysing epoch-3: \w+ \(\d+%\)( — [\w, ]+ ready)? · \d+ queued$/.test(m))).toBe(true);
    expect(statuses.some((m) => /^Glassbox: analysing epoch-1: \w+ \(\d+%\)/.test(m))).toBe(true);
    // The steps of the running checkpoint already done are named, in the order they ran.
    expect(statuses.some((m) => /^Glassbox: analysing epoch-3: drift \(\d+%\) — predictions, importance ready/.test(m))).toBe(true);
    const e3Running = states.filter((s: any) => s.running?.checkpoint === 'epoch-3' && s.running.step === 'influence').pop();
    expect(e3Running.status).toMatch(/^analysing epoch-3: influence \(\d+%\) — predictions, importance, drift ready/);
    const e3Summary = e3Running.checkpoints.find((c: any) => c.name === 'epoch-3');
    expect([e3Summary.stepsDone, e3Summary.stepsTotal, e3Summary.stepsReady]).toEqual([3, 5, ['predictions', 'importance', 'drift']]);
  });

  it('starts a new run when a retrain writes other content under the same names, never mixing their trends', async () => {
    const before = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    const mark = client.seen.length;
    writeCheckpointAs(root, 4, 'epoch-1');
    await changed(client, [path.join(root, 'checkpoints/epoch-1/model.json')]);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-1' && !s.busy && s.health === 'ok', mark);
    // Only the new run's checkpoint was analysed: epoch-2 and epoch-3 on disk belong to the old run.
    expect(begins(client, mark)).toEqual(STEPS.map((s) => `${s} (epoch-1)`));
    const d = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(d.run).not.toBe(before.run);
    expect(d.checkpoints.map((c: any) => c.name)).toEqual(['epoch-1']);
    expect(d.previousRun.run).toBe(before.run);
    expect(d.previousRun.checkpoints.map((c: any) => [c.name, c.analysis])).toEqual([
      ['epoch-1', 'done'],
      ['epoch-2', 'done'],
      ['epoch-3', 'done'],
    ]);
    // Side by side: the old run's importance is its newest checkpoint's, as it was shown then.
    expect(d.previousRun.importance).toEqual(before.importance);
    expect(d.provenance.importance).toEqual({ checkpoint: 'epoch-1', run: d.run, stale: false });
    const timeline = await client.connection.sendRequest<any>('glassbox/timeline');
    expect(timeline.map((t: any) => t.checkpoint)).toEqual(['epoch-1']);
    const header = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 0, character: 1 } });
    expect(header.contents.value).toContain('at checkpoint `epoch-1`');
    expect(header.contents.value).not.toContain('Trend over');
    // Comparing by default stays within the run: one checkpoint is not enough.
    await expect(client.connection.sendRequest('glassbox/compareCheckpoints', {})).rejects.toThrow(/comparing needs two ready checkpoints/);
  });

  it('continues the new run as the retrain overwrites more names, with a trend over the new run only', async () => {
    const mark = client.seen.length;
    writeCheckpointAs(root, 5, 'epoch-2');
    await changed(client, [path.join(root, 'checkpoints/epoch-2/model.json')]);
    // The newest moved on: what is shown is stale until epoch-2's steps are done.
    const stale = await client.waitFor('glassbox/dashboardChanged', (s) => s.provenance?.importance?.stale === true, mark);
    expect(stale.provenance.importance.checkpoint).toBe('epoch-1');
    await client.waitFor('glassbox/serverStatus', idle('epoch-2'), mark);
    const d = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(d.checkpoints.map((c: any) => c.name)).toEqual(['epoch-1', 'epoch-2']);
    expect(d.provenance.importance).toEqual({ checkpoint: 'epoch-2', run: d.run, stale: false });
    const header = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 0, character: 1 } });
    expect(header.contents.value).toMatch(/Trend over 2 checkpoints: \S+ epoch-1 \d+\.\d% → epoch-2 \d+\.\d%\n/);
    const timeline = await client.connection.sendRequest<any>('glassbox/timeline');
    expect(timeline.map((t: any) => t.checkpoint)).toEqual(['epoch-1', 'epoch-2']);
    const compared = await client.connection.sendRequest<any>('glassbox/compareCheckpoints', {});
    expect([compared.a, compared.b]).toEqual(['epoch-1', 'epoch-2']);
  });

  it('still shows the previous run after the daemon restarts on the same workspace', async () => {
    const before = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(before.previousRun).toBeDefined();
    await client.shutdown();
    client = inProcess();
    await client.initialize(root);
    // Stored results are shown before any analysis; the run table comes from the store too.
    const after = await client.waitFor('glassbox/dashboardChanged', (s) => s.previousRun !== undefined && s.importance !== undefined);
    expect(after.run).toBe(before.run);
    expect(after.previousRun.run).toBe(before.previousRun.run);
    expect(after.previousRun.checkpoints.map((c: any) => c.name)).toEqual(['epoch-1', 'epoch-2', 'epoch-3']);
    expect(after.previousRun.importance).toEqual(before.previousRun.importance);
    expect(after.checkpoints.map((c: any) => c.name)).toEqual(['epoch-1', 'epoch-2']);
    // Never "nothing analysed" beside stored numbers.
    expect(after.status).toBe('epoch-2 analysed');
  });
});

describe('several projects in one workspace, and settings changed while running', () => {
  let a: string;
  let b: string;
  let client: Client;
  const configOf = (root: string) => path.join(root, 'glassbox.json');
  const analysed = (root: string, checkpoint: string) => (s: any) => s.project === configOf(root) && s.status === `${checkpoint} analysed`;

  beforeAll(async () => {
    a = makeWorkspace(300);
    b = makeWorkspace(300);
    addCheckpoint(a, 1);
    addCheckpoint(b, 2);
    client = inProcess();
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: [a, b].map((f) => ({ uri: `file://${f}`, name: path.basename(f) })),
      capabilities: { window: { workDoneProgress: true }, workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    });
    await client.connection.sendNotification('initialized', {});
    // One side panel state per project, each saying which project it is.
    await client.waitFor('glassbox/dashboardChanged', analysed(a, 'epoch-1'));
    await client.waitFor('glassbox/dashboardChanged', analysed(b, 'epoch-2'));
  }, 240_000);
  afterAll(async () => {
    await client.shutdown();
  });

  it('answers each request for the project it names or the file it is about, and refuses to guess', async () => {
    const both = new RegExp(`^2 Glassbox projects in this workspace \\(${configOf(a)}, ${configOf(b)}\\): name one with 'project'$`);
    for (const [method, params] of [['glassbox/dashboard', {}], ['glassbox/importance', {}], ['glassbox/timeline', {}], ['glassbox/runChecks', {}], ['glassbox/compareCheckpoints', {}], ['glassbox/exportReport', {}]] as const) {
      await expect(client.connection.sendRequest(method, params)).rejects.toThrow(both);
    }
    const da = await client.connection.sendRequest<any>('glassbox/dashboard', { project: a });
    const db = await client.connection.sendRequest<any>('glassbox/dashboard', { project: path.basename(b) });
    expect([da.project, da.checkpoint, da.projects]).toEqual([configOf(a), 'epoch-1', [configOf(a), configOf(b)]]);
    expect([db.project, db.checkpoint]).toEqual([configOf(b), 'epoch-2']);
    expect((await client.connection.sendRequest<any>('glassbox/importance', { project: configOf(b) })).checkpoint).toBe('epoch-2');
    expect((await client.connection.sendRequest<any[]>('glassbox/timeline', { project: a })).map((t) => t.checkpoint)).toEqual(['epoch-1']);
    // A row explanation belongs to the project of its file.
    const rb = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${path.join(b, 'data/train.csv')}`, line: 3, influence: false });
    const ra = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${path.join(a, 'data/train.csv')}`, line: 3, influence: false });
    expect([ra.checkpoint, rb.checkpoint]).toEqual(['epoch-1', 'epoch-2']);
    await expect(client.connection.sendRequest('glassbox/dashboard', { project: '/nowhere' })).rejects.toThrow(/^no Glassbox project '\/nowhere' in this workspace \(projects: /);
  });

  it('applies a changed suspect-row count and explain method without a restart', async () => {
    const train = path.join(a, 'data/train.csv');
    const suspectRows = (p: any) => p.diagnostics.filter((d: any) => d.code === 'suspect-row').length;
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === `file://${train}` && suspectRows(p) === 20);
    let mark = client.seen.length;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { glassbox: { suspectRows: 2 } } });
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === `file://${train}` && suspectRows(p) === 2, mark);
    mark = client.seen.length;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { glassbox: { suspectRows: 0, explainMethod: 'integrated-gradients' } } });
    const none = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === `file://${train}` && suspectRows(p) === 0, mark);
    expect(none.diagnostics.some((d: any) => d.code === 'suspect-summary')).toBe(true);
    const r = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 4, influence: false });
    expect([r.method, r.methodKind]).toEqual(['integrated-gradients', 'additive']);
    const h = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 4, character: 1 } });
    expect(h.contents.value).toContain('Top attributions (integrated-gradients, predicted class):');
    // A request naming its method still gets it; settings are sent whole: an absent method is the
    // default again (the notification is handled before the request that follows it).
    expect((await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 4, influence: false, method: 'saliency' })).methodKind).toBe('gradient');
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { glassbox: { suspectRows: 0 } } });
    expect((await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 4, influence: false })).method).toBe('kernel-shap');
  });
});

describe('projects picked up live', () => {
  it('opens a glassbox.json created while running, says the next step, and closes it when deleted', async () => {
    const root = makeWorkspace(200);
    const config = path.join(root, 'glassbox.json');
    const text = fs.readFileSync(config, 'utf8');
    fs.unlinkSync(config);
    fs.rmSync(path.join(root, 'checkpoints'), { recursive: true });
    const client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.message === 'Glassbox: no glassbox.json in the workspace folders');

    // First without the label: the missing key is reported on the first key, not at 1:1.
    let mark = client.seen.length;
    const unlabelled = JSON.parse(text);
    delete unlabelled.label;
    fs.writeFileSync(config, JSON.stringify(unlabelled, null, 2));
    await changed(client, [config]);
    const missing = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('/glassbox.json') && p.diagnostics.some((d: any) => d.code === 'config'), mark);
    expect(missing.diagnostics.map((d: any) => [d.message, d.range.start])).toEqual([["the top level is missing the required key 'label'", { line: 1, character: 2 }]]);

    mark = client.seen.length;
    fs.writeFileSync(config, text);
    await changed(client, [config]);
    const diag = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('/glassbox.json') && p.diagnostics.some((d: any) => d.code === 'no-checkpoint'), mark);
    const next = diag.diagnostics.find((d: any) => d.code === 'no-checkpoint');
    expect(next.message).toMatch(/^checkpoints does not exist yet: next, train the model and save a checkpoint there/);
    expect(next.severity).toBe(3);
    expect(next.range.start.line).toBe(text.split('\n').findIndex((l) => l.includes('"path"')));
    // Nothing on glassbox.json sits at 1:1.
    expect(diag.diagnostics.every((d: any) => d.range.start.line > 0 || d.range.start.character > 0)).toBe(true);
    await client.waitFor('glassbox/serverStatus', (s) => s.message === 'Glassbox: waiting for a complete checkpoint', mark);

    // The checkpoint folder did not exist when the project opened.
    mark = client.seen.length;
    addCheckpoint(root, 1);
    await changed(client, [path.join(root, 'checkpoints/epoch-1/model.json')]);
    await client.waitFor('glassbox/serverStatus', idle('epoch-1'), mark);
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('/glassbox.json') && !p.diagnostics.some((d: any) => d.code === 'no-checkpoint'), mark);
    // A working project: its findings reach the training script.
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('/train.py') && p.diagnostics.length > 0, mark);

    mark = client.seen.length;
    fs.unlinkSync(config);
    await changed(client, [config]);
    await client.waitFor('glassbox/serverStatus', (s) => s.message === 'Glassbox: no glassbox.json in the workspace folders', mark);
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('/train.py') && p.diagnostics.length === 0, mark);
    await client.shutdown();
  });

  it('sees a glassbox.json created while running with its own watcher (no client file events)', async () => {
    const root = makeWorkspace(200);
    const config = path.join(root, 'glassbox.json');
    const text = fs.readFileSync(config, 'utf8');
    fs.unlinkSync(config);
    const client = inProcess({ ownWatcher: true });
    await client.initialize(root, { workspace: {} });
    await client.waitFor('glassbox/serverStatus', (s) => s.message === 'Glassbox: no glassbox.json in the workspace folders');
    const mark = client.seen.length;
    fs.writeFileSync(config, text);
    addCheckpoint(root, 1);
    await client.waitFor('glassbox/serverStatus', idle('epoch-1'), mark);
    await client.shutdown();
  });
});

describe('hovers within their budget, and code actions', () => {
  let root: string;
  let client: Client;
  let train: string;
  const hover = (line: number) => client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line, character: 2 } });

  beforeAll(async () => {
    root = makeWorkspace(300);
    train = path.join(root, 'data/train.csv');
    client = inProcess({ hoverWaitMs: 0 });
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.message === 'Glassbox: waiting for a complete checkpoint');
  });
  afterAll(async () => {
    await client.shutdown();
  });

  it('shows a row as pending before any prediction, never asking to hover again', async () => {
    const h = await hover(4);
    expect(h.contents.value).toBe('**Line 5** · Glassbox\n\nPrediction: _pending_ (no checkpoint analysed yet).\n\nTop attributions: _pending_.');
  });

  it('shows what is known when the attributions miss the budget, and them once computed', async () => {
    const mark = client.seen.length;
    addCheckpoint(root, 1);
    await changed(client, [path.join(root, 'checkpoints/epoch-1/model.json')]);
    await client.waitFor('glassbox/serverStatus', idle('epoch-1'), mark);
    const h = await hover(4);
    expect(h.contents.value).toMatch(/Prediction: \*\*[01]\*\* \(confidence \d+\.\d%\)/);
    expect(h.contents.value).toContain('Top attributions: _pending_ (being computed for checkpoint `epoch-1`).');
    expect(h.contents.value).toMatch(/Self-influence rank: \*\*[\d,]+\*\* of 300 training rows \(1 = most suspect; checkpoint `epoch-1`\)/);
    expect(h.contents.value).not.toMatch(/hover again/i);
    // The explanation the hover started is the one this request joins.
    await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 4, influence: false });
    expect((await hover(4)).contents.value).toContain('Top attributions (kernel-shap, predicted class):');
  });

  it('stops a run of the checks the client cancels', async () => {
    const mark = client.seen.length;
    const source = new CancellationTokenSource();
    const request = client.connection.sendRequest('glassbox/runChecks', {}, source.token);
    // The user presses Cancel once the checks run.
    await client.waitFor('$/progress', (p) => p.value.kind === 'begin' && p.value.message === 'Model checks (epoch-1)', mark);
    source.cancel();
    await expect(request).rejects.toMatchObject({ code: -32800 });
    await client.waitFor('$/progress', (p) => p.value.kind === 'report' && p.value.message === 'Model checks (epoch-1): cancelled', mark);
    // And it still answers the next time.
    const checks = await client.connection.sendRequest<any[]>('glassbox/runChecks', {});
    expect(checks.find((c) => c.id === 'irrelevant').status).toBe('fail');
  });

  it('offers "Explain this row" on suspect rows', async () => {
    const diags = client.diagnosticsFor(train)!.filter((d) => d.code === 'suspect-row');
    expect(diags.length).toBeGreaterThan(0);
    const actions = await client.connection.sendRequest<any[]>('textDocument/codeAction', { textDocument: { uri: `file://${train}` }, range: diags[0].range, context: { diagnostics: [diags[0]] } });
    expect(actions).toHaveLength(1);
    expect(actions[0].title).toBe(`Explain this row (line ${diags[0].range.start.line + 1})`);
    expect(actions[0].command).toEqual({ title: 'Explain this row', command: 'glassbox.explainRow', arguments: [`file://${train}`, diags[0].range.start.line] });
  });
});

describe('a tree model (no gradients)', () => {
  it('labels the suspicion rank of a training row by the area under the margin', async () => {
    const root = tmpDir('lsp-trees');
    const fixture = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
    fs.cpSync(path.join(fixture, 'checkpoints'), path.join(root, 'checkpoints'), { recursive: true });
    fs.copyFileSync(path.join(fixture, 'encoding.json'), path.join(root, 'encoding.json'));
    fs.mkdirSync(path.join(root, 'data'));
    const head = (src: string, n: number) => fs.readFileSync(src, 'utf8').split('\n').slice(0, n + 1).join('\n') + '\n';
    fs.writeFileSync(path.join(root, 'data/train.csv'), head(path.join(DATA, 'adult_train.csv'), 300));
    fs.writeFileSync(path.join(root, 'data/test.csv'), head(path.join(DATA, 'adult_test.csv'), 200));
    const config = JSON.parse(fs.readFileSync(path.join(fixture, 'glassbox.json'), 'utf8'));
    delete config.$schema;
    config.data = { train: 'data/train.csv', test: 'data/test.csv' };
    fs.writeFileSync(path.join(root, 'glassbox.json'), JSON.stringify(config, null, 2));
    const client = inProcess({ hoverWaitMs: 5000 });
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'round-30' && !s.busy);
    const dashboard = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(dashboard.checkpoints.map((c: any) => c.analysis)).toEqual(['done', 'done', 'done']);
    const train = path.join(root, 'data/train.csv');
    const h = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 5, character: 1 } });
    expect(h.contents.value).toMatch(/Area-under-the-margin rank: \*\*[\d,]+\*\* of 300 training rows \(1 = most suspect; checkpoint `round-30`\)/);
    expect(h.contents.value).not.toMatch(/self-influence/i);
    expect(h.contents.value).toMatch(/Prediction: \*\*(<=50K|>50K)\*\*/);
    await client.shutdown();
  });
});
