/**
 * The panels and the daemon cannot drift apart: real daemon answers on the LSP test workspace (two
 * analysed checkpoints) have exactly the shape of webviews/test/fixtures/daemon-answers.json, the
 * fixture the panels' tests render (webviews/test/daemon-answers.test.tsx). Every key the fixture
 * has, the daemon's answer has with the same JSON type, and vice versa (arrays compared by the union
 * of their elements' shapes). A field added to a state fails here until the fixture is captured
 * again from this run, so the panels' tests see it:
 *   npm run build && GLASSBOX_CAPTURE=1 npx vitest run server/src/lsp/panel-shapes.test.ts
 * The capture rewrites workspace paths to /ws (its name to ws) and keeps the 25 most suspect rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCheckpoint, changed, inProcess, makeWorkspace, type TestClient } from '../../test/lsp-client';
import { REPO } from '../../test/helpers';

const FIXTURE = path.join(REPO, 'webviews/test/fixtures/daemon-answers.json');
const SUSPECTS_KEPT = 25;

/** A JSON value's shape: `typeof` for scalars, keys for objects, the merged elements for arrays. */
type Shape = string | Shape[] | { [key: string]: Shape };

function shapeOf(v: unknown): Shape {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? [v.map(shapeOf).reduce(merge)] : [];
  if (typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, shapeOf((v as Record<string, unknown>)[k])]));
  return typeof v;
}

function merge(a: Shape, b: Shape): Shape {
  if (Array.isArray(a) && Array.isArray(b)) return a.length && b.length ? [merge(a[0]!, b[0]!)] : a.length ? a : b;
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return Object.fromEntries(keys.map((k) => [k, a[k] === undefined ? b[k]! : b[k] === undefined ? a[k]! : merge(a[k]!, b[k]!)]));
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  return [...new Set([JSON.stringify(a), JSON.stringify(b)].flatMap((s) => s.split('|')))].sort().join('|');
}

describe('shapeOf', () => {
  it('compares keys and JSON types, arrays by the union of their elements', () => {
    expect(shapeOf({ b: [{ x: 1 }, { y: 'a' }], a: null })).toEqual({ a: 'null', b: [{ x: 'number', y: 'string' }] });
    expect(shapeOf({ a: 1 })).not.toEqual(shapeOf({ a: '1' }));
    expect(shapeOf({ a: 1 })).not.toEqual(shapeOf({ a: 1, b: 2 }));
    expect(shapeOf([{ a: [1] }, { a: [] }])).toEqual([{ a: ['number'] }]);
  });
});

describe('daemon answers have the shape of the panels\' fixture', () => {
  let root: string;
  let client: TestClient;
  const answers: Record<string, unknown> = {};

  beforeAll(async () => {
    root = makeWorkspace();
    client = inProcess();
    await client.initialize(root);
    const idle = (checkpoint: string) => (s: any) => s.checkpoint === checkpoint && !s.busy && s.health === 'ok';
    for (const epoch of [1, 2]) {
      const mark = client.seen.length;
      addCheckpoint(root, epoch);
      await changed(client, [path.join(root, `checkpoints/epoch-${epoch}/model.json`)]);
      await client.waitFor('glassbox/serverStatus', idle(`epoch-${epoch}`), mark);
    }
    await client.waitFor('glassbox/dashboardChanged', (s) => s.checkpoints.length === 2 && s.checkpoints.every((c: any) => c.analysis === 'done'));
    const uri = `file://${path.join(root, 'data/train.csv')}`;
    answers.dashboard = await client.connection.sendRequest('glassbox/dashboard', {});
    answers.timeline = await client.connection.sendRequest('glassbox/timeline', {});
    answers.explainSaliency = await client.connection.sendRequest('glassbox/explainRow', { uri, line: 3, method: 'saliency' });
    answers.explainKernelShap = await client.connection.sendRequest('glassbox/explainRow', { uri, line: 3 });
  }, 600_000);
  afterAll(async () => {
    await client?.shutdown();
  });

  it.runIf(process.env.GLASSBOX_CAPTURE)('captures the fixture', () => {
    const dashboard = answers.dashboard as { suspects?: unknown[] };
    const kept = { ...dashboard, ...(dashboard.suspects ? { suspects: dashboard.suspects.slice(0, SUSPECTS_KEPT) } : {}) };
    const fixture = {
      _comment: `Answers of the daemon (glassbox/dashboard, glassbox/timeline, glassbox/explainRow with saliency and the default kernel-shap) on the LSP test workspace (server/test/lsp-client.ts makeWorkspace, two checkpoints), paths rewritten to /ws, suspects cut to ${SUSPECTS_KEPT}. Written by server/src/lsp/panel-shapes.test.ts (GLASSBOX_CAPTURE=1).`,
      ...answers,
      dashboard: kept,
    };
    // The temporary folder's path, and its name (`projectName`), become /ws and ws.
    fs.writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 1).split(root).join('/ws').split(path.basename(root)).join('ws')}\n`);
  });

  for (const key of ['dashboard', 'timeline', 'explainSaliency', 'explainKernelShap']) {
    it(`${key}: every key of the fixture, and no other, with the same types`, () => {
      const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
      expect(shapeOf(answers[key])).toEqual(shapeOf(fixture[key]));
    });
  }

  it('the fixture is the analysed workspace: both checkpoints done, every section filled', () => {
    const d = answers.dashboard as any;
    for (const section of ['importance', 'drift', 'suspects', 'checks', 'provenance', 'status', 'projects', 'checkpoint']) expect(d[section]).toBeDefined();
    expect(d.checkpoints.map((c: any) => [c.name, c.stepsDone, c.stepsTotal])).toEqual([['epoch-1', 5, 5], ['epoch-2', 5, 5]]);
    expect((answers.explainKernelShap as any).methodKind).toBe('additive');
    expect((answers.explainSaliency as any).methodKind).toBe('gradient');
  });
});
