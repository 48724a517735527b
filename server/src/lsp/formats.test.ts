/**
 * The daemon on a project trained outside Glassbox: an XGBoost series written by the Python package
 * (server/test/fixtures/projects/xgboost-adult). Every step runs with the model's own methods:
 * importance by TreeSHAP, suspect rows by the area under the margin, checks with reasons; no error
 * reaches glassbox.json. Waits are on recorded events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess, type TestClient } from '../../test/lsp-client';
import { DATA, REPO, tmpDir } from '../../test/helpers';

const FIXTURE = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');

describe('glassbox daemon on an XGBoost project', () => {
  let root: string;
  let client: TestClient;

  beforeAll(async () => {
    root = tmpDir('lsp-xgb');
    fs.mkdirSync(path.join(root, 'data'));
    const head = (src: string, n: number) => fs.readFileSync(src, 'utf8').split('\n').slice(0, n + 1).join('\n') + '\n';
    fs.writeFileSync(path.join(root, 'data/train.csv'), head(path.join(DATA, 'adult_train.csv'), 1500));
    fs.writeFileSync(path.join(root, 'data/test.csv'), head(path.join(DATA, 'adult_test.csv'), 400));
    fs.copyFileSync(path.join(FIXTURE, 'encoding.json'), path.join(root, 'encoding.json'));
    fs.cpSync(path.join(FIXTURE, 'checkpoints'), path.join(root, 'checkpoints'), { recursive: true });
    const config = { task: 'binary', data: { train: 'data/train.csv', test: 'data/test.csv' }, label: 'income', classNames: ['<=50K', '>50K'], encoding: 'encoding.json', checkpoints: { path: 'checkpoints' } };
    fs.writeFileSync(path.join(root, 'glassbox.json'), JSON.stringify(config, null, 2));
    client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'round-30' && !s.busy);
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  it('marks suspect training rows by the area under the margin, and reports no error on the config', async () => {
    const train = path.join(root, 'data/train.csv');
    const diagnostics = client.diagnosticsFor(train) ?? [];
    const suspects = diagnostics.filter((d) => d.code === 'suspect-row');
    expect(suspects.length).toBeGreaterThan(0);
    expect(suspects[0].message).toMatch(/by area under the margin, .*mean margin -?\d/);
    const config = client.diagnosticsFor(path.join(root, 'glassbox.json')) ?? [];
    expect(config.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('explains a row with exact TreeSHAP', async () => {
    const r = await client.connection.sendRequest('glassbox/explainRow', { uri: `file://${path.join(root, 'data/train.csv')}`, line: 1 });
    expect(r).toMatchObject({ method: 'tree-shap' });
  });
});
