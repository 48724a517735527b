/**
 * Time of each model check on the reference Adult MLP (5 checkpoints, 32,561 training rows), each
 * with a fresh context (so checks reading importance shares pay for them), and ICE curves batched
 * (rows x grid points in one pass) against one forward pass per row as the baseline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../src/core/config/config';
import { initEngine } from '../src/core/engine/backend';
import { Project } from '../src/core/project';
import { takeRows } from '../src/core/data/dataset';
import { predict } from '../src/core/model/model';
import { CHECKS, runChecks } from '../src/core/checks/registry';
import { checkOptions, createCheckContext } from '../src/core/checks/context';
import { iceCurves } from '../src/core/checks/monotonic';
import { time, printTable, peakRssMiB } from './util';

async function main(): Promise<void> {
  const engine = await initEngine();
  // The reference project plus the demo's expectations, so every check has work to do.
  const file = path.join(__dirname, '../../server/test/anchors/glassbox.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  raw.protected = ['sex', 'race'];
  raw.expectations = {
    irrelevant: [{ feature: 'fnlwgt', maxShare: 0.05 }],
    monotonic: { education_num: 'increasing' },
    expectedTop: { features: ['capital_gain', 'marital_status', 'education_num'], k: 5 },
  };
  const project = new Project(parseConfig(JSON.stringify(raw, null, 2), file));
  const checkpoint = project.latestCheckpoint();
  const model = await project.model(checkpoint);
  await project.dataset('train');
  const test = await project.dataset('test');
  const rows: Array<Array<string | number>> = [];
  for (const check of CHECKS) {
    let status = '';
    const t = await time(async () => {
      const ctx = await createCheckContext({ project, checkpoint, model, options: checkOptions(project.config) });
      const report = await runChecks(ctx, { only: [check.id] });
      status = report.results[0]!.status;
    }, 3);
    rows.push([check.id, status, t.medianMs]);
  }
  printTable(`glassbox check on the Adult MLP, backend ${engine.backend}`, ['check', 'status', 'median ms'], rows);

  const n = 500;
  const width = test.width;
  const X = takeRows(test, Array.from({ length: n }, (_, i) => i));
  const grid = Float64Array.from({ length: 21 }, (_, g) => -2 + (4 * g) / 20);
  const batched = await time(() => iceCurves({ model }, X, n, width, 0, grid));
  const perRow = await time(() => {
    for (let i = 0; i < n; i++) iceCurves({ model }, X.subarray(i * width, (i + 1) * width), 1, width, 0, grid);
  }, 3);
  const single = await time(() => predict(model, X, n));
  printTable(`ICE curves, ${n} rows x ${grid.length} grid points`, ['path', 'median ms', 'vs batched'], [
    ['batched: one pass over rows x grid', batched.medianMs, 1],
    ['one forward pass per row', perRow.medianMs, perRow.medianMs / batched.medianMs],
    ['(reference: plain forward pass of the rows)', single.medianMs, single.medianMs / batched.medianMs],
  ]);
  console.log(`\npeak RSS ${peakRssMiB().toFixed(0)} MiB`);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
