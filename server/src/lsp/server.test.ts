/**
 * The daemon over an in-process LSP connection (the bundled worker from `npm run build` does the
 * analysis). Every wait is on an event the client recorded; nothing sleeps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, changed, CHECKPOINTS, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';
import { Project } from '../core/project';
import { initEngine } from '../core/engine/backend';
import { explainRows } from '../core/analyses';
import { featureNames } from '../core/data/encoding';
import { expectClose } from '../../test/helpers';

const idle = (checkpoint: string) => (s: any) => s.checkpoint === checkpoint && !s.busy && s.health === 'ok';

describe('glassbox daemon over LSP', () => {
  let root: string;
  let client: TestClient & { server: { daemon(): any } };
  let train: string;

  beforeAll(async () => {
    root = makeWorkspace();
    train = path.join(root, 'data/train.csv');
    client = inProcess();
    const init = await client.initialize(root);
    expect(init.capabilities.hoverProvider).toBe(true);
    expect(init.capabilities.executeCommandProvider.commands).toContain('glassbox.server.explainRow');
  });
  afterAll(async () => {
    await client.shutdown();
  });

  it('reports its backend and waits for a checkpoint', async () => {
    const s = await client.waitFor('glassbox/serverStatus', (p) => p.message.includes('waiting for a complete checkpoint'));
    expect(s.health).toBe('ok');
    await client.waitFor('client/registerCapability');
  });

  it('analyses a new checkpoint with progress, and shows findings beside training code', async () => {
    const mark = client.seen.length;
    addCheckpoint(root, 1);
    await changed(client, [path.join(root, 'checkpoints/epoch-1/model.json')]);
    const status = await client.waitFor('glassbox/serverStatus', idle('epoch-1'), mark);
    expect(status.backend).toBe('wasm');
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('train.py') && p.diagnostics.length > 0, mark);
    const script = client.diagnosticsFor(path.join(root, 'train.py'))!;
    expect(script).toHaveLength(1);
    expect(script[0].range.start).toEqual({ line: 2, character: 13 });
    expect(script[0].message).toMatch(/^Irrelevant features: 'age' .*carries \d+\.\d% of the importance.* \(importance share measured [\d.]+, limit 0\.001; checkpoint epoch-1\)$/);
    expect(script[0].relatedInformation[0].location.uri).toBe(`file://${root}/glassbox.json`);
    // Progress: a begin and an end for each scheduled step.
    const titles = ['Predictions (epoch-1)', 'Global importance (epoch-1)', 'Drift and drift impact (epoch-1)', 'Influence and suspect rows (epoch-1)', 'Model checks (epoch-1)'];
    for (const title of titles) {
      const begin = await client.waitFor('$/progress', (p) => p.value.kind === 'begin' && p.value.message === title, mark);
      await client.waitFor('$/progress', (p) => p.token === begin.token && p.value.kind === 'end', mark);
    }
    const progress = client.seen.slice(mark).filter((r) => r.method === '$/progress').map((r) => r.params.value);
    expect(progress.filter((v) => v.kind === 'begin').map((v) => v.message)).toEqual(titles);
    expect(progress.filter((v) => v.kind === 'end')).toHaveLength(titles.length);
    expect(progress.some((v) => v.kind === 'report' && v.percentage === 100)).toBe(true);
  });

  it('answers the importance request with shares that sum to 1', async () => {
    const imp = await client.connection.sendRequest<any>('glassbox/importance');
    expect(imp.checkpoint).toBe('epoch-1');
    expect(imp.rows).toBe(1000);
    expect([imp.project, imp.file]).toEqual([path.join(root, 'glassbox.json'), train]);
    expect(imp.features).toHaveLength(14);
    expect(imp.share.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('explains a row (executeCommand) additively by default, exactly as the core (and `glassbox explain`) does', async () => {
    const r = await client.connection.sendRequest<any>('workspace/executeCommand', { command: 'glassbox.server.explainRow', arguments: [`file://${train}`, 3] });
    expect(r.line).toBe(4);
    expect(r.row).toBe(2);
    expect([r.method, r.methodKind]).toEqual(['kernel-shap', 'additive']);
    await initEngine({ prefer: 'wasm' });
    const project = Project.open(path.join(root, 'glassbox.json'));
    const { encoding } = await project.schema();
    const ds = await project.dataset('train');
    const direct = await explainRows(project, { checkpoint: project.latestCheckpoint(), dataset: ds, rows: [2] });
    expect(direct.method).toBe('kernel-shap');
    expectClose(featureNames(encoding).map((f) => r.attributions[f] as number), featureNames(encoding).map((f) => direct.rows[0]!.attributions[f]!), 1e-5, 1e-7);
    // The waterfall's two ends: the base value plus the contributions is the model output explained.
    expect(r.output).toBeCloseTo(direct.rows[0]!.output, 5);
    const sum = Object.values(r.attributions as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(r.baseline + sum).toBeCloseTo(r.output, 4);
    await project.dispose();
  });

  it('hovers a data row with prediction, confidence and attributions, and a header cell with the share', async () => {
    // The row's explanation computed (the hover joins it); a first hover may show it pending.
    await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 3, influence: false });
    const row = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 3, character: 5 } });
    expect(row.contents.value).toMatch(/Prediction: \*\*[01]\*\* \(confidence \d+\.\d%\)/);
    expect(row.contents.value).toContain('Top attributions (kernel-shap');
    const header = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 0, character: 1 } });
    const imp = await client.connection.sendRequest<any>('glassbox/importance');
    expect(header.contents.value).toContain(`**age**`);
    expect(header.contents.value).toContain(`**${(imp.share[0] * 100).toFixed(1)}%** of the total`);
  });

  it('shows the trend over checkpoints once a second one is analysed', async () => {
    const mark = client.seen.length;
    addCheckpoint(root, 2);
    await changed(client, [path.join(root, 'checkpoints/epoch-2/model.json')]);
    await client.waitFor('glassbox/serverStatus', idle('epoch-2'), mark);
    const header = await client.connection.sendRequest<any>('textDocument/hover', { textDocument: { uri: `file://${train}` }, position: { line: 0, character: 1 } });
    expect(header.contents.value).toMatch(/Trend over 2 checkpoints: \S+ epoch-1 \d+\.\d% → epoch-2 \d+\.\d%/);
    const timeline = await client.connection.sendRequest<any>('glassbox/timeline');
    expect(timeline.map((t: any) => t.checkpoint)).toEqual(['epoch-1', 'epoch-2']);
    expect(timeline.every((t: any) => t.importance && Math.abs(Object.values(t.importance as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-6)).toBe(true);
  });

  it('waits for a half-written checkpoint, saying so on the config, and analyses it once complete', async () => {
    const config = path.join(root, 'glassbox.json');
    const dir = path.join(root, 'checkpoints/epoch-3');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(CHECKPOINTS, 'epoch-3/model.json'), path.join(dir, 'model.json'));
    const mark = client.seen.length;
    await changed(client, [path.join(dir, 'model.json')]);
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('glassbox.json') && p.diagnostics.some((d: any) => /epoch-3 is not complete yet: weight shard weights.bin/.test(d.message)), mark);
    const d = client.diagnosticsFor(config)!.find((x) => x.code === 'checkpoint-incomplete');
    expect(d.severity).toBe(3);
    expect(d.range.start.line).toBe(fs.readFileSync(config, 'utf8').split('\n').findIndex((l) => l.includes('"path"')));
    expect((await client.connection.sendRequest<any>('glassbox/importance')).checkpoint).toBe('epoch-2');
    fs.copyFileSync(path.join(CHECKPOINTS, 'epoch-3/weights.bin'), path.join(dir, 'weights.bin'));
    await changed(client, [path.join(dir, 'weights.bin')]);
    await client.waitFor('glassbox/serverStatus', idle('epoch-3'), mark);
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('glassbox.json') && !p.diagnostics.some((x: any) => x.code === 'checkpoint-incomplete'), mark);
  });

  it('turns a config error into a diagnostic at its line and keeps serving the last results', async () => {
    const config = path.join(root, 'glassbox.json');
    const good = fs.readFileSync(config, 'utf8');
    const mark = client.seen.length;
    fs.writeFileSync(config, good.replace('"label"', '"lable"'));
    await changed(client, [config]);
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('glassbox.json') && p.diagnostics.some((d: any) => d.code === 'config'), mark);
    const d = client.diagnosticsFor(config)!.find((x) => x.code === 'config');
    expect(d.range.start.line).toBe(good.split('\n').findIndex((l) => l.includes('"label"')));
    expect((await client.waitFor('glassbox/serverStatus', (s) => s.health === 'error', mark)).message).toMatch(/glassbox.json/);
    expect((await client.connection.sendRequest<any>('glassbox/importance')).checkpoint).toBe('epoch-3');
    const mark2 = client.seen.length;
    fs.writeFileSync(config, good);
    await changed(client, [config]);
    await client.waitFor('glassbox/serverStatus', (s) => s.health === 'ok', mark2);
  });

  it('turns a broken CSV row into a diagnostic at its line', async () => {
    const test = path.join(root, 'data/test.csv');
    const lines = fs.readFileSync(test, 'utf8').split('\n');
    lines[7] = `${lines[7]},extra,fields`;
    const mark = client.seen.length;
    fs.writeFileSync(test, lines.join('\n'));
    await changed(client, [test]);
    await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('test.csv') && p.diagnostics.length > 0, mark);
    const d = client.diagnosticsFor(test)![0];
    expect(d.range.start.line).toBe(7);
    expect(d.message).toMatch(/Predictions failed: row has 17 fields, the header has 15/);
  });

  it('restarts a crashed worker and keeps answering', async () => {
    const daemon = client.server.daemon();
    await daemon.host.crashForTest();
    const r = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 5 });
    expect(r.line).toBe(6);
    expect(daemon.host.restarts).toBe(1);
  });
});

describe('glassbox daemon: stale work, wrong models and reopening', () => {
  it('reports a model whose input width does not match the data on the config', async () => {
    const root = makeWorkspace(200);
    const config = path.join(root, 'glassbox.json');
    const raw = JSON.parse(fs.readFileSync(config, 'utf8'));
    delete raw.encoding;
    raw.inferFeatures = false;
    raw.features = { age: { type: 'numeric' }, hours_per_week: { type: 'numeric' } };
    fs.writeFileSync(config, JSON.stringify(raw, null, 2));
    addCheckpoint(root, 1);
    const client = inProcess();
    await client.initialize(root);
    const diag = await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('glassbox.json') && p.diagnostics.length > 0);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-1' && !s.busy);
    const d = (await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith('glassbox.json') && p.diagnostics[0]?.message.startsWith('Predictions, Global importance failed'))).diagnostics[0];
    expect(diag.diagnostics.length).toBeGreaterThan(0);
    expect(d.message).toMatch(/^Predictions, Global importance failed: the model expects input shape \[batch, \d+\] but the encoded data has shape \[batch, 2\].*\(checkpoints\/epoch-1\/model\.json\)$/s);
    expect(d.range.start.line).toBe(fs.readFileSync(config, 'utf8').split('\n').findIndex((l) => l.includes('"path"')));
    expect((await client.waitFor('glassbox/serverStatus', (s) => s.health === 'warning')).message).toMatch(/predictions failed/);
    await client.shutdown();
  });

  it('cancels the analysis of a checkpoint when a newer one arrives', async () => {
    const root = makeWorkspace(Infinity);
    const client = inProcess();
    await client.initialize(root);
    await client.waitFor('client/registerCapability');
    addCheckpoint(root, 1);
    await changed(client, [path.join(root, 'checkpoints/epoch-1/model.json')]);
    await client.waitFor('$/progress', (p) => p.value.kind === 'begin' && p.value.message === 'Predictions (epoch-1)');
    addCheckpoint(root, 2);
    await changed(client, [path.join(root, 'checkpoints/epoch-2/model.json')]);
    await client.waitFor('$/progress', (p) => p.value.kind === 'report' && /epoch-1\): cancelled/.test(p.value.message));
    await client.waitFor('glassbox/serverStatus', idle('epoch-2'));
    // epoch-1's cancelled work ran again in the background once epoch-2's was done.
    const begins = client.seen.filter((r) => r.method === '$/progress' && r.params.value.kind === 'begin').map((r) => r.params.value.message as string);
    expect(begins.lastIndexOf('Model checks (epoch-2)')).toBeLessThan(begins.lastIndexOf('Predictions (epoch-1)'));
    const timeline = await client.connection.sendRequest<any>('glassbox/timeline');
    expect(timeline.filter((t: any) => t.importance).map((t: any) => t.checkpoint)).toEqual(['epoch-1', 'epoch-2']);
    await client.shutdown();

    // Reopening shows the stored results before any analysis runs.
    const again = inProcess();
    await again.initialize(root);
    await again.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'epoch-2' && !s.busy);
    expect((await again.connection.sendRequest<any>('glassbox/importance')).checkpoint).toBe('epoch-2');
    // Every checkpoint was analysed before: nothing runs again, yet the engine starts and says which backend it uses.
    expect(again.seen.some((r) => r.method === '$/progress')).toBe(false);
    await again.waitFor('glassbox/serverStatus', (s) => typeof s.backend === 'string');
    await again.shutdown();
  });
});
