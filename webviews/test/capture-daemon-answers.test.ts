/**
 * Writes fixtures/daemon-whatif.json: the daemon's own answers for the Explain panel's what-if
 * editor and counterfactuals on the LSP test workspace (one checkpoint), so the panel's tests run on
 * real answers without a daemon. Skipped unless asked:
 *   npm run build && GLASSBOX_CAPTURE=1 npx vitest run webviews/test/capture-daemon-answers.test.ts
 * Deterministic: the workspace, its model and the daemon's searches are seeded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addCheckpoint, changed, inProcess, makeWorkspace } from '../../server/test/lsp-client';
import type { CounterfactualResult, WhatIfResult } from '../../server/src/protocol/counterfactual';
import type { ExplainState } from '../../server/src/protocol/panels';

const OUT = path.join(__dirname, 'fixtures', 'daemon-whatif.json');
const idle = (checkpoint: string) => (s: { checkpoint?: string; busy?: boolean; health?: string }) => s.checkpoint === checkpoint && !s.busy && s.health === 'ok';
/** Workspace paths are temporary: the fixture names them under /ws. */
const relocate = (text: string, root: string) => text.split(root).join('/ws');

describe.skipIf(!process.env.GLASSBOX_CAPTURE)('capture the daemon\'s what-if and counterfactual answers', () => {
  const client = inProcess();
  afterAll(() => client.shutdown());

  it('writes fixtures/daemon-whatif.json', async () => {
    const root = makeWorkspace();
    const train = path.join(root, 'data/train.csv');
    await client.initialize(root);
    const mark = client.seen.length;
    addCheckpoint(root, 3);
    await changed(client, [path.join(root, 'checkpoints/epoch-3/model.json')]);
    await client.waitFor('glassbox/serverStatus', idle('epoch-3'), mark);
    const uri = `file://${train}`;
    // The first rows whose counterfactual search finds some.
    let line = 1;
    let counterfactual: CounterfactualResult | undefined;
    for (; line < 40; line++) {
      counterfactual = await client.connection.sendRequest<CounterfactualResult>('glassbox/counterfactual', { uri, line, maxChanges: 3 });
      if (counterfactual.status === 'found') break;
    }
    expect(counterfactual?.status).toBe('found');
    const explain = await client.connection.sendRequest<ExplainState>('glassbox/explainRow', { uri, line, influence: false });
    const first = counterfactual!.counterfactuals[0]!;
    const tried = Object.fromEntries(first.changes.map((c) => [c.feature, c.to === null ? '' : String(c.to)]));
    const whatIf = await client.connection.sendRequest<WhatIfResult>('glassbox/whatIf', { uri, line, values: tried, method: explain.method, checkpoint: explain.checkpoint });
    const numeric = Object.keys(explain.values).find((f) => typeof explain.values[f] === 'number')!;
    const category = Object.keys(explain.values).find((f) => typeof explain.values[f] === 'string')!;
    const refused = await client.connection.sendRequest<WhatIfResult>('glassbox/whatIf', { uri, line, values: { [numeric]: 'forty', [category]: 'Nonexistent' } });
    const answers = { line, tried, explain, counterfactual, whatIf, refused };
    fs.writeFileSync(OUT, `${relocate(JSON.stringify(answers, null, 1), root)}\n`);
  }, 300_000);
});
