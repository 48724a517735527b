/**
 * The daemon on a project whose data are Parquet files (server/test/fixtures/parquet, written by
 * pyarrow; the XGBoost series of server/test/fixtures/projects/xgboost-adult scores them). A binary
 * file has no lines: rows are addressed by 0-based index, nothing is shown "in" the Parquet file,
 * suspects are listed by row index in the panel, and problems of the file (a corrupt row group)
 * land on the glassbox.json key naming it. Waits are on recorded events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changed, inProcess, type TestClient } from '../../test/lsp-client';
import { REPO, tmpDir } from '../../test/helpers';

const FIXTURES = path.join(REPO, 'server/test/fixtures/parquet');
const XGB = path.join(REPO, 'server/test/fixtures/projects/xgboost-adult');
const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as { trainRows: number; corruptRowGroup: number; corruptRows: [number, number] };

describe('glassbox daemon on a Parquet-data project', () => {
  let root: string;
  let client: TestClient;
  let train: string;
  let config: string;
  /** 0-based line of `"train": ...` in glassbox.json. */
  let trainKeyLine: number;

  beforeAll(async () => {
    root = tmpDir('lsp-parquet');
    fs.mkdirSync(path.join(root, 'data'));
    train = path.join(root, 'data/train.parquet');
    fs.copyFileSync(path.join(FIXTURES, 'train.parquet'), train);
    fs.copyFileSync(path.join(FIXTURES, 'test.parquet'), path.join(root, 'data/test.parquet'));
    fs.copyFileSync(path.join(XGB, 'encoding.json'), path.join(root, 'encoding.json'));
    fs.cpSync(path.join(XGB, 'checkpoints'), path.join(root, 'checkpoints'), { recursive: true });
    config = path.join(root, 'glassbox.json');
    const text = JSON.stringify({ task: 'binary', data: { train: 'data/train.parquet', test: 'data/test.parquet' }, label: 'income', classNames: ['<=50K', '>50K'], encoding: 'encoding.json', checkpoints: { path: 'checkpoints' } }, null, 2);
    fs.writeFileSync(config, text);
    trainKeyLine = text.split('\n').findIndex((l) => l.includes('"train"'));
    client = inProcess();
    await client.initialize(root);
    await client.waitFor('glassbox/serverStatus', (s) => s.checkpoint === 'round-30' && !s.busy);
  }, 180_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  it('lists suspect rows by row index in the panel, shows nothing in the Parquet file, and no error', async () => {
    const state = await client.connection.sendRequest<any>('glassbox/dashboard', {});
    const suspects = state.suspects as Array<{ file: string; line: number; row: number; label?: string }>;
    expect(suspects.length).toBeGreaterThan(0);
    // A Parquet row's address is its index in the file, the data set's own row number.
    for (const s of suspects) {
      expect(s.file).toBe(train);
      expect(s.line).toBe(s.row);
      expect(s.row).toBeGreaterThanOrEqual(0);
      expect(s.row).toBeLessThan(manifest.trainRows);
    }
    // The label a suspect shows is the label of that row of the file (income is the CSV's last column, 0/1).
    const labels = fs.readFileSync(path.join(REPO, 'test-workspace/data/adult_train.csv'), 'utf8').split('\n').slice(1).map((l) => l.split(',').at(-1)!.trim());
    for (const s of suspects) expect([s.row, s.label]).toEqual([s.row, ['<=50K', '>50K'][Number(labels[s.row])]]);
    expect(client.diagnosticsFor(train) ?? []).toEqual([]);
    const onConfig = client.diagnosticsFor(config) ?? [];
    expect(onConfig.filter((d) => d.severity === 1)).toEqual([]);
    // The suspects' summary stands on the key naming the file instead of a line of it.
    const summary = onConfig.find((d) => d.code === 'suspect-summary');
    expect(summary?.range.start.line).toBe(trainKeyLine);
  });

  it('explains a row addressed by its index', async () => {
    // The request's 0-based `line` is the address minus one, as for a CSV line: row 5 is line 4.
    const r = await client.connection.sendRequest<any>('glassbox/explainRow', { uri: `file://${train}`, line: 4 });
    expect(r).toMatchObject({ method: 'tree-shap', row: 5, line: 5 });
    // Values decoded from the encoded row (no text to read in a binary file): row 5 of Adult train.
    const csv = fs.readFileSync(path.join(REPO, 'test-workspace/data/adult_train.csv'), 'utf8').split('\n');
    const header = csv[0]!.split(',');
    expect(r.values.age).toBe(Number(csv[6]!.split(',')[header.indexOf('age')]));
  });

  it('a corrupt row group becomes one error on the glassbox.json key naming the file, with the group', async () => {
    const after = client.seen.length;
    fs.copyFileSync(path.join(FIXTURES, 'train-corrupt.parquet'), train);
    await changed(client, [train]);
    const published = await client.waitFor(
      'textDocument/publishDiagnostics',
      (p) => p.uri === `file://${config}` && p.diagnostics.some((d: { severity: number }) => d.severity === 1),
      after,
    );
    const errors = published.diagnostics.filter((d: { severity: number }) => d.severity === 1);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.range.start.line).toBe(trainKeyLine);
      expect(e.message).toContain(`corrupt Parquet row group ${manifest.corruptRowGroup} (rows ${manifest.corruptRows[0]}–${manifest.corruptRows[1]})`);
      expect(e.message).toContain('(data/train.parquet)');
    }
    expect(client.diagnosticsFor(train) ?? []).toEqual([]);
  }, 120_000);
});
