/**
 * `glassbox/counterfactual` and `glassbox/whatIf` over an in-process LSP connection (the bundled
 * worker from `npm run build` computes). Every answer is checked against the model evaluated here,
 * independently of the daemon: counterfactual rows are re-encoded from their raw values and run
 * through `predict`; what-if predictions are compared with `predict` on the edited row.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource, LSPErrorCodes } from 'vscode-languageserver-protocol';
import { addCheckpoint, changed, inProcess, makeWorkspace, type TestClient } from '../../../test/lsp-client';
import { tmpDir } from '../../../test/helpers';
import { Project } from '../../core/project';
import { initEngine } from '../../core/engine/backend';
import { compileEncoder, featureNames } from '../../core/data/encoding';
import { predict, type ModelHandle } from '../../core/model/model';
import type { Encoding } from '../../core/data/encoding';
import type { CounterfactualResult, WhatIfResult } from '../../protocol/counterfactual';

const idle = (checkpoint: string) => (s: any) => s.checkpoint === checkpoint && !s.busy && s.health === 'ok';

describe('counterfactuals and what-if over LSP', () => {
  let root: string;
  let train: string;
  let client: TestClient;
  let project: Project;
  let model: ModelHandle;
  let encoding: Encoding;

  /** The model's probabilities for raw rows, computed here (not by the daemon). */
  const probabilitiesOf = (rows: Array<Record<string, unknown>>): number[][] => {
    const names = featureNames(encoding);
    const enc = compileEncoder(encoding, names);
    const X = new Float32Array(rows.length * encoding.width);
    rows.forEach((r, i) => enc.encode(names.map((n) => (r[n] === null || r[n] === undefined ? '' : String(r[n]))), X, i * encoding.width));
    const p = predict(model, X, rows.length);
    return rows.map((_, i) => Array.from(p.probabilities!.subarray(i * p.classes, (i + 1) * p.classes)));
  };
  const argmax = (p: number[]) => p.indexOf(Math.max(...p));

  beforeAll(async () => {
    root = makeWorkspace();
    train = path.join(root, 'data/train.csv');
    client = inProcess();
    await client.initialize(root);
    const mark = client.seen.length;
    addCheckpoint(root, 3);
    await changed(client, [path.join(root, 'checkpoints/epoch-3/model.json')]);
    await client.waitFor('glassbox/serverStatus', idle('epoch-3'), mark);
    await initEngine({ prefer: 'wasm' });
    project = await Project.open(path.join(root, 'glassbox.json'));
    model = await project.model(project.resolveCheckpoint('epoch-3'));
    encoding = (await project.schema()).encoding;
  });
  afterAll(async () => {
    await client.shutdown();
    await project?.dispose();
  });

  it('every counterfactual flips the prediction when re-evaluated through predict; immutable features never change', async () => {
    let found = 0;
    for (const line of [1, 5, 9, 14]) {
      const r = await client.connection.sendRequest<CounterfactualResult>('glassbox/counterfactual', { uri: `file://${train}`, line, immutable: ['sex', 'race', 'age'] });
      expect(r.file).toBe(train);
      expect(r.line).toBe(line + 1);
      expect(r.checkpoint).toBe('epoch-3');
      const [before] = probabilitiesOf([r.values]);
      expect(r.prediction.kind).toBe('classification');
      if (r.prediction.kind !== 'classification') continue;
      expect(r.prediction.classIndex).toBe(argmax(before!));
      expect(r.prediction.probability).toBeCloseTo(before![argmax(before!)]!, 5);
      if (r.status !== 'found') {
        expect(r.message).toBeTruthy();
        continue;
      }
      const after = probabilitiesOf(r.counterfactuals.map((c) => c.values));
      r.counterfactuals.forEach((c, k) => {
        found++;
        expect(argmax(after[k]!)).not.toBe(r.prediction.kind === 'classification' ? r.prediction.classIndex : -1);
        expect(c.prediction.kind === 'classification' && c.prediction.classIndex).toBe(argmax(after[k]!));
        for (const f of ['sex', 'race', 'age']) expect(c.values[f]).toEqual(r.values[f]);
        expect(c.changes.map((ch) => ch.feature).some((f) => ['sex', 'race', 'age'].includes(f))).toBe(false);
        expect(c.sparsity).toBe(c.changes.length);
        expect(c.sparsity).toBeLessThanOrEqual(3);
        for (const ch of c.changes) {
          expect(ch.from).toEqual(r.values[ch.feature]);
          expect(ch.to).toEqual(c.values[ch.feature]);
        }
        expect(c.plausibility.outOfDistribution).toBe(c.plausibility.oodPValue < 0.05);
      });
      if (r.nearestTrainingRow) {
        const n = r.nearestTrainingRow;
        expect(n.file).toBe(train);
        const lines = fs.readFileSync(train, 'utf8').split('\n');
        const header = lines[0]!.split(',');
        const cells = lines[n.line - 1]!.split(',');
        for (const f of ['sex', 'race', 'age']) expect(String(cells[header.indexOf(f)]).trim()).toBe(String(r.values[f]));
        expect(n.prediction.kind === 'classification' && n.prediction.classIndex).not.toBe(r.prediction.classIndex);
      }
    }
    expect(found).toBeGreaterThan(3);
  });

  it('takes a row by file and data row, and a target by label', async () => {
    const r = await client.connection.sendRequest<CounterfactualResult>('glassbox/counterfactual', { file: train, row: 0, target: 1, maxChanges: 2, count: 2 });
    expect(r.row).toBe(0);
    expect(r.line).toBe(2);
    if (r.status === 'already') expect(r.prediction.kind === 'classification' && r.prediction.classIndex).toBe(1);
    else {
      expect(r.goal.class).toBeDefined();
      const after = probabilitiesOf(r.counterfactuals.map((c) => c.values));
      after.forEach((p) => expect(argmax(p)).toBe(1));
      r.counterfactuals.forEach((c) => expect(c.sparsity).toBeLessThanOrEqual(2));
      expect(r.counterfactuals.length).toBeLessThanOrEqual(2);
    }
  });

  it('what-if: an edited row gets the prediction and attributions of the model; bad values say why per column', async () => {
    const edited = { hours_per_week: '80', education: 'Doctorate', capital_gain: 15000 };
    const r = await client.connection.sendRequest<WhatIfResult>('glassbox/whatIf', { uri: `file://${train}`, line: 5, values: edited });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.values.hours_per_week).toBe(80);
    expect(r.values.education).toBe('Doctorate');
    const [p] = probabilitiesOf([r.values]);
    expect(r.prediction.kind === 'classification' && r.prediction.classIndex).toBe(argmax(p!));
    expect(r.prediction.kind === 'classification' && r.prediction.probability).toBeCloseTo(Math.max(...p!), 5);
    expect(r.method).toBe('saliency');
    expect(Object.keys(r.attributions).sort()).toEqual(featureNames(encoding).slice().sort());
    expect(Object.values(r.attributions).every(Number.isFinite)).toBe(true);

    const bad = await client.connection.sendRequest<WhatIfResult>('glassbox/whatIf', { uri: `file://${train}`, line: 5, values: { age: 'forty', education: 'Doctorat', hours_per_wek: 3 } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const by = Object.fromEntries(bad.errors.map((e) => [e.feature, e.message]));
    expect(by.age).toBe("'forty' is not a number; age is numeric");
    expect(by.education).toMatch(/^'Doctorat' is not a category of education in the training data.*did you mean 'Doctorate'/);
    expect(by.hours_per_wek).toMatch(/no feature 'hours_per_wek'.*did you mean 'hours_per_week'/);
  });

  it('a cancelled request ends as RequestCancelled and the daemon keeps serving', async () => {
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest('glassbox/counterfactual', { uri: `file://${train}`, line: 33, count: 4, maxChanges: 4 }, source.token);
    source.cancel();
    const e = await pending.then(
      () => undefined,
      (err: any) => err,
    );
    expect(e?.code).toBe(LSPErrorCodes.RequestCancelled);
    const r = await client.connection.sendRequest<CounterfactualResult>('glassbox/counterfactual', { uri: `file://${train}`, line: 33, count: 4, maxChanges: 4 });
    expect(['found', 'none', 'already']).toContain(r.status);
  });

  it('bad input answers one line and the daemon stays alive', async () => {
    const fails = async (params: object, message: RegExp) => {
      const e = await client.connection.sendRequest('glassbox/counterfactual', params).then(
        () => undefined,
        (err: any) => err,
      );
      expect(e, JSON.stringify(params)).toBeDefined();
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
    };
    const uri = `file://${train}`;
    await fails({ uri, line: 5, immutable: ['agee'] }, /^immutable: unknown feature 'agee'.*did you mean 'age'/);
    await fails({ uri, line: 5, target: 'rich' }, /^target: no class 'rich'/);
    await fails({ uri, line: 5, target: 7 }, /^target: class 7 does not exist/);
    await fails({ uri, line: 5, target: 1, probability: 1.5 }, /probability must be between 0 and 1/);
    await fails({ uri, line: 5, bounds: { age: { min: 200, max: 300 } } }, /^bounds: age 200\.\.300 lies outside the training data's/);
    const other = path.join(tmpDir('cf-other'), 'other.csv');
    fs.copyFileSync(train, other);
    await fails({ uri: `file://${other}`, line: 5 }, /is not a data set of this project/);
    await fails({ uri, line: 0 }, /line 1 of .* starts no data row/);
    // Still serving.
    const ok = await client.connection.sendRequest<CounterfactualResult>('glassbox/counterfactual', { uri, line: 5 });
    expect(['found', 'none', 'already']).toContain(ok.status);
  });
});
