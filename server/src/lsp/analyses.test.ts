/**
 * The daemon's analyses as the editor sees them, over an in-process LSP connection: suspect rows
 * in the training CSV, drift beside a training-script literal, check findings at their config
 * line, the panels' requests (dashboard, explain with influence, compare, run checks). A small
 * workspace (600 training rows, two checkpoints); every wait is on a recorded event.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';
import { Project } from '../core/project';
import { initEngine } from '../core/engine/backend';
import { InfluenceIndex } from '../core/influence/index';
import { suspects } from '../core/influence/suspects';
import { influenceReport } from '../core/influence/report';
import { predict } from '../core/model/model';
import { featureNames } from '../core/data/encoding';
import { FLIPPED_ROWS } from '../core/analyses/compare';

const SUSPECT_ROWS = 4;

describe('glassbox daemon: analyses in the editor', () => {
  let root: string;
  let train: string;
  let config: string;
  let client: TestClient;
  let project: Project;
  let index: InfluenceIndex;

  beforeAll(async () => {
    root = makeWorkspace(600);
    train = path.join(root, 'data/train.csv');
    config = path.join(root, 'glassbox.json');
    // The reference is the training data with hours_per_week moved by 30 hours: only it drifts.
    const lines = fs.readFileSync(train, 'utf8').trimEnd().split('\n');
    const col = lines[0]!.split(',').indexOf('hours_per_week');
    const shifted = lines.map((l, i) => (i === 0 ? l : l.split(',').map((v, c) => (c === col ? String(Number(v) + 30) : v)).join(',')));
    fs.writeFileSync(path.join(root, 'data/reference.csv'), shifted.join('\n') + '\n');
    const raw = JSON.parse(fs.readFileSync(config, 'utf8'));
    raw.data.reference = 'data/reference.csv';
    raw.drift = { thresholds: { importance: 0 } };
    fs.writeFileSync(config, JSON.stringify(raw, null, 2));
    addCheckpoint(root, 1);
    addCheckpoint(root, 3);
    client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-3' && !s.busy && s.health === 'ok');
    await initEngine({ prefer: 'wasm' });
    project = Project.open(config);
    index = await InfluenceIndex.open(project, { checkpoints: project.checkpoints().filter((c) => c.state === 'ready') });
  }, 120_000);
  afterAll(async () => {
    index?.close();
    await project?.dispose();
    await client?.shutdown();
  });

  // First: the test below starts a second daemon on the same folder, whose stream.json replaces this one's.
  it('serves the same dashboard to the read-only browser page of the project', async () => {
    await client.waitFor('glassbox/dashboardChanged', (st) => st.checks !== undefined && st.suspects !== undefined);
    const state = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    const info = JSON.parse(fs.readFileSync(path.join(root, '.glassbox/stream.json'), 'utf8')) as { url: string; token: string };
    const socket = new WebSocket(`${info.url}dashboard/socket?token=${info.token}`);
    const messages: any[] = [];
    const answered = new Promise<any>((resolve) =>
      socket.on('message', (data) => {
        const m = JSON.parse(String(data));
        messages.push(m);
        if (m.type === 'dashboard') resolve(m.state);
      }),
    );
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'getDashboard' }));
    expect(await answered).toEqual(state);
    socket.close();
  });

  it('marks the most suspect training rows at their CSV lines, capped, with a summary on the header', async () => {
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === `file://${train}` && p.diagnostics.some((d: any) => d.code === 'suspect-summary'));
    const diags = client.diagnosticsFor(train)!;
    const ds = await project.dataset('train');
    const expected = suspects(index, 20).map((s) => ds.lines[s.index]! - 1);
    const rows = diags.filter((d) => d.code === 'suspect-row');
    expect(rows.map((d) => d.range.start.line)).toEqual(expected.slice(0, 20));
    expect(rows[0].message).toMatch(/^Suspect row \d+ \(#1 by combined score [\d.]+\): .*self-influence rank [\d,]+ of 600, at checkpoint epoch-3$/);
    expect(rows.every((d) => d.severity === 2 || d.severity === 3)).toBe(true);
    const summary = diags.find((d) => d.code === 'suspect-summary');
    expect(summary.range.start.line).toBe(0);
    expect(summary.message).toMatch(/of the 100 most suspect training rows \(of 600\).*over 2 checkpoint\(s\) up to epoch-3/);
  });

  it('caps suspect-row diagnostics at the configured count', async () => {
    // initializationOptions is a top-level initialize field: sent by hand here.
    const capped = inProcess();
    await capped.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: `file://${root}`,
      workspaceFolders: [{ uri: `file://${root}`, name: 'ws' }],
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
      initializationOptions: { suspectRows: SUSPECT_ROWS },
    });
    await capped.connection.sendNotification('initialized', {});
    // Results come from the store: no analysis runs again.
    const p = await capped.waitFor('textDocument/publishDiagnostics', (x) => x.uri === `file://${train}` && x.diagnostics.some((d: any) => d.code === 'suspect-row'));
    expect(p.diagnostics.filter((d: any) => d.code === 'suspect-row')).toHaveLength(SUSPECT_ROWS);
    await capped.shutdown();
  });

  it('warns beside the training-script literal of a drifted, important feature', async () => {
    const script = path.join(root, 'train.py');
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === `file://${script}` && p.diagnostics.some((d: any) => d.code === 'drift-impact'));
    const drift = client.diagnosticsFor(script)!.filter((d) => d.code === 'drift-impact');
    expect(drift).toHaveLength(1);
    const text = fs.readFileSync(script, 'utf8').split('\n');
    expect(drift[0].range.start).toEqual({ line: 2, character: text[2]!.indexOf('"hours_per_week"') + 1 });
    expect(drift[0].severity).toBe(2);
    expect(drift[0].message).toMatch(/^'hours_per_week' drifted: psi [\d.]+ \(threshold 0\.100\) in data\/reference\.csv vs data\/train\.csv, importance share \d+\.\d% .*drift impact [\d.e-]+: act: .*\(checkpoint epoch-3\)$/);
    const header = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 0, character: fs.readFileSync(train, 'utf8').indexOf('hours_per_week') + 2 } });
    expect(header.contents.value).toMatch(/Drift \(psi, reference\.csv vs train\.csv\): \*\*[\d.]+\*\*; drift impact [\d.]+ .*high-drift\/high-importance/);
  });

  it('reports a failed check at its glassbox.json line with the measured value and limit', async () => {
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri === `file://${config}` && p.diagnostics.some((d: any) => d.code === 'check:irrelevant'));
    const d = client.diagnosticsFor(config)!.find((x) => x.code === 'check:irrelevant');
    const lines = fs.readFileSync(config, 'utf8').split('\n');
    // The expectation's entry `{ "feature": "age", "maxShare": 0.001 }` starts the line before its first key.
    expect(d.range.start.line).toBe(lines.findIndex((l) => l.includes('"feature": "age"')) - 1);
    expect(lines[d.range.start.line]!.trim()).toBe('{');
    expect(d.severity).toBe(1);
    expect(d.message).toMatch(/importance share measured [\d.]+, limit 0\.001; checkpoint epoch-3\)$/);
    const checks = await client.connection.sendRequest<any[]>('glassbox/runChecks', {});
    const irrelevant = checks.find((c) => c.id === 'irrelevant');
    expect(irrelevant.status).toBe('fail');
    expect(irrelevant.line).toBe(d.range.start.line + 1);
  });

  it('answers the dashboard from stored results and pushes it when it changes', async () => {
    // epoch-1 is analysed too, in the background after epoch-3.
    const pushed = await client.waitFor('glassbox/dashboardChanged', (s) => s.checks !== undefined && s.suspects !== undefined && s.checkpoints.every((c: any) => c.analysis === 'done'));
    const state = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(state.checkpoints.map((c: any) => [c.name, c.analysis])).toEqual([['epoch-1', 'done'], ['epoch-3', 'done']]);
    expect(state.importance.checkpoint).toBe('epoch-3');
    expect(state.importance.classes).toHaveLength(2);
    expect(state.importance.features).toHaveLength(14);
    for (const f of state.importance.features) expect(f.perClass).toHaveLength(2);
    const top = [...state.drift.features].sort((a: any, b: any) => b.impact - a.impact)[0];
    expect(top.feature).toBe('hours_per_week');
    expect(state.drift.features.filter((f: any) => f.drift > 1e-9).map((f: any) => f.feature)).toEqual(['hours_per_week']);
    expect(state.suspects).toHaveLength(100);
    const ds = await project.dataset('train');
    expect(state.suspects[0].line).toBe(ds.lines[suspects(index, 1)[0]!.index]);
    expect(state.checks.find((c: any) => c.id === 'irrelevant').status).toBe('fail');
    expect(pushed.checkpoints).toEqual(state.checkpoints);
    // Units and definitions: the rows and file importance is over, shares summing to 1.
    expect([state.importance.rows, state.importance.file]).toEqual([ds.n, train]);
    expect(state.importance.features.reduce((a: number, f: any) => a + f.share, 0)).toBeCloseTo(1, 9);
    const total = state.importance.features.reduce((a: number, f: any) => a + f.importance, 0);
    for (const f of state.importance.features) expect(f.share).toBeCloseTo(f.importance / total, 12);
    const m3 = await project.model(project.resolveCheckpoint('epoch-3'));
    const p3 = predict(m3, ds.X, ds.n);
    for (const s of state.suspects) expect([s.scoreKind, s.predicted]).toEqual(['combined', String(p3.predicted![s.row])]);
    expect(state.checkpoints.map((c: any) => [c.stepsDone, c.stepsTotal])).toEqual([[5, 5], [5, 5]]);
    expect([state.project, state.projectName, state.projects, state.checkpoint, state.status]).toEqual([config, path.basename(root), [config], 'epoch-3', 'epoch-3 analysed']);
  });

  it('shows every section of an older checkpoint picked in the dashboard, from the store', async () => {
    const picked = await client.connection.sendRequest<any>('glassbox/dashboard', { checkpoint: 'epoch-1' });
    expect(picked.checkpoint).toBe('epoch-1');
    for (const section of ['importance', 'drift', 'suspects', 'checks']) expect(picked.provenance[section]).toMatchObject({ checkpoint: 'epoch-1', stale: true });
    expect([picked.importance.checkpoint, picked.drift.checkpoint]).toEqual(['epoch-1', 'epoch-1']);
    // The same numbers the timeline holds for epoch-1, not the newest checkpoint's.
    const timeline = await client.connection.sendRequest<any[]>('glassbox/timeline', {});
    const e1 = timeline.find((t) => t.checkpoint === 'epoch-1')!;
    const e3 = timeline.find((t) => t.checkpoint === 'epoch-3')!;
    for (const f of picked.importance.features) expect(f.share).toBe(e1.importance[f.feature]);
    expect(picked.importance.features.some((f: any) => f.share !== e3.importance[f.feature])).toBe(true);
    // Suspects are epoch-1's stored result: the classes epoch-1 predicts.
    const m1 = await project.model(project.resolveCheckpoint('epoch-1'));
    const ds = await project.dataset('train');
    const p1 = predict(m1, ds.X, ds.n);
    for (const s of picked.suspects) expect(s.predicted).toBe(String(p1.predicted![s.row]));
    expect(picked.checks.length).toBeGreaterThan(0);
    // The default shows the newest; an unknown name is an error the panel can show.
    const latest = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    expect(latest.provenance.importance).toMatchObject({ checkpoint: 'epoch-3', stale: false });
    await expect(client.connection.sendRequest('glassbox/dashboard', { checkpoint: 'epoch-9' })).rejects.toThrow(/no ready checkpoint named 'epoch-9'/);
  });

  it('explains a row with its influential training rows and nearest row of another class', async () => {
    const r = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 3 });
    expect(r.checkpoint).toBe('epoch-3');
    expect(r.method).toBe('kernel-shap');
    expect(r.methods).toContain('integrated-gradients');
    const ds = await project.dataset('train');
    const model = await project.model(project.latestCheckpoint());
    const X = ds.X.slice(2 * ds.width, 3 * ds.width);
    const [rep] = influenceReport({ index, train: ds, model, X, n: 1, labels: Float32Array.of(ds.y![2]!), top: 5, method: 'relatif', protectedAttributes: [], featureColumns: [] });
    expect(r.influence.proponents.map((p: any) => p.line)).toEqual(rep!.proponents.map((p) => p.line));
    expect(r.influence.opponents.map((p: any) => p.line)).toEqual(rep!.opponents.map((p) => p.line));
    expect(r.influence.proponents.every((p: any) => p.influence > 0)).toBe(true);
    // Nearest row of another class, by brute force.
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < ds.n; i++) {
      if (ds.y![i] === ds.y![2]) continue;
      let d = 0;
      for (let j = 0; j < ds.width; j++) d += (ds.X[i * ds.width + j]! - X[j]!) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    expect(r.nearestOpposite.row).toBe(best);
    expect(r.nearestOpposite.distance).toBeCloseTo(Math.sqrt(bestD), 3);
    expect(r.nearestOpposite.label).not.toBe(r.label);
    // Values as written in the CSV, not decoded from the standardised encoding.
    const cells = (file: string, line: number) => fs.readFileSync(file, 'utf8').split('\n')[line - 1]!.split(',');
    expect(r.values.age).toBe(Number(cells(train, 4)[0]));
    expect(r.nearestOpposite.values.hours_per_week).toBe(Number(cells(train, r.nearestOpposite.line)[12]));
    const ig = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 3, method: 'integrated-gradients', influence: false });
    expect(ig.method).toBe('integrated-gradients');
    expect(ig.influence).toBeUndefined();
    expect(Object.keys(ig.attributions).sort()).toEqual(featureNames((await project.schema()).encoding).sort());
    // The hover joins the row's default explanation (KernelSHAP may take longer than its budget).
    await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 3, influence: false });
    const hover = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 3, character: 2 } });
    const rank = Math.round(Array.from(index.selfInfluence()).filter((v) => v > index.selfInfluence()[2]!).length + 1);
    expect(hover.contents.value).toContain(`Self-influence rank: **${rank}** of 600 training rows`);
    expect(hover.contents.value).toContain(`Nearest training row of another class: line ${ds.lines[best]}`);
  });

  it('compares two checkpoints: rank changes, flipped rows, attribution agreement', async () => {
    const c = await client.connection.sendRequest<any>('glassbox/compareCheckpoints', {});
    expect([c.a, c.b]).toEqual(['epoch-1', 'epoch-3']);
    const test = await project.dataset('test');
    const [pa, pb] = await Promise.all(['epoch-1', 'epoch-3'].map(async (n) => predict(await project.model(project.resolveCheckpoint(n)), test.X, test.n)));
    const flips = Array.from({ length: test.n }, (_, i) => i).filter((i) => pa!.predicted![i] !== pb!.predicted![i]);
    expect(c.flipped.length).toBe(Math.min(FLIPPED_ROWS, flips.length));
    // What the ranks are of, over which rows: the checks' importance shares, every test row counted.
    expect([c.method, c.rows, c.file]).toEqual(['mean |kernel-shap|', test.n, test.file]);
    for (const f of c.flipped) expect(flips).toContain(f.row);
    expect(c.rankChanges.map((r: any) => r.rankB).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    const same = await client.connection.sendRequest<any>('glassbox/compareCheckpoints', { a: 'epoch-3', b: 'epoch-3' });
    expect(same.flipped).toEqual([]);
    expect(same.rankChanges.every((r: any) => r.rankA === r.rankB)).toBe(true);
    expect(same.disagreement.every((d: any) => Math.abs(d.spearman - 1) < 1e-9)).toBe(true);
    await expect(client.connection.sendRequest('glassbox/compareCheckpoints', { a: 'nope' })).rejects.toThrow(/no ready checkpoint named 'nope'/);
  });
});
