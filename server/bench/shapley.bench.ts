/**
 * Perturbation attributions on the reference Adult MLP: exact Shapley and KernelSHAP throughput
 * against the reference timings (server/test/anchors/timings.json) and a naive
 * one-forward-pass-per-coalition loop in the same run, KernelSHAP's time to reach a standard
 * error, and global importance over 1,000 rows with the default method (and the alternatives).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { initEngine } from '../src/core/engine/backend';
import { tf } from '../src/core/engine/tf';
import { Project } from '../src/core/project';
import { getMethod } from '../src/core/methods/registry';
import { resolveParams } from '../src/core/methods/params';
import { targetScalar } from '../src/core/methods/target';
import type { AttributionInput } from '../src/core/methods/types';
import { DEFAULT_IMPORTANCE, globalImportance } from '../src/core/importance/importance';
import { time, printTable } from './util';

const ANCHORS = path.join(__dirname, '../../server/test/anchors');

async function main(): Promise<void> {
  const engine = await initEngine();
  const project = Project.open(path.join(ANCHORS, 'glassbox.json'));
  const model = await project.model(project.latestCheckpoint());
  const { encoding } = await project.schema();
  const train = await project.dataset('train');
  const test = await project.dataset('test');
  const width = encoding.width;
  const F = encoding.features.length;
  const timings = JSON.parse(fs.readFileSync(path.join(ANCHORS, 'timings.json'), 'utf8')).timings as Array<{ task: string; median_s: number }>;
  const ref = (prefix: string) => timings.find((t) => t.task.startsWith(prefix))!.median_s;
  const mean = Float32Array.from(JSON.parse(fs.readFileSync(path.join(ANCHORS, 'encoding.json'), 'utf8')).baseline_mean as number[]);
  const rows = (n: number) => test.X.subarray(0, n * width);
  const attribute = async (id: string, input: AttributionInput, params: Record<string, unknown>) => {
    const m = getMethod(id);
    return m.attribute(input, resolveParams(m.id, m.params, params));
  };
  const meanBaseline = (n: number): AttributionInput => ({ model, encoding, X: rows(n), n, target: { kind: 'class', index: 1 }, background: mean, backgroundN: 1, seed: 0 });
  const withTrain = (n: number): AttributionInput => ({ model, encoding, X: rows(n), n, target: { kind: 'class', index: 1 }, background: train.X, backgroundN: train.n, seed: 0 });

  // Naive: one forward pass per coalition (the composite row against the one baseline row).
  const naiveCoalitions = 512;
  const naive = await time(() => {
    const x = rows(1);
    for (let S = 0; S < naiveCoalitions; S++) {
      const z = new Float32Array(width);
      encoding.features.forEach((f, i) => {
        for (let c = f.columns[0]; c < f.columns[1]; c++) z[c] = (S >> i) & 1 ? x[c]! : mean[c]!;
      });
      tf.tidy(() => targetScalar(model, tf.tensor2d(z, [1, width]), tf.tensor1d([1], 'int32'), { kind: 'class', index: 1 }).dataSync());
    }
  }, 1, 1);
  const naivePerRowMs = (naive.medianMs * 2 ** F) / naiveCoalitions;
  const exact = await time(() => attribute('shapley-exact', meanBaseline(50), {}), 3, 1);
  const exactBg = await time(() => attribute('shapley-exact', withTrain(5), { backgroundSize: 16 }), 1, 0);
  const ks = await time(() => attribute('kernel-shap', meanBaseline(50), { samples: 2048 }), 3, 1);
  const ksBg = await time(() => attribute('kernel-shap', withTrain(50), { samples: 2048, backgroundSize: 10 }), 1, 0);
  const rate = (n: number, ms: number) => (n / ms) * 1000;
  printTable(`exact Shapley and KernelSHAP per raw feature (14 players), Adult MLP, backend ${engine.backend}`, ['task', 'median s', 'rows/s', 'reference s', 'speed-up vs reference', 'speed-up vs naive'], [
    ['naive: one forward pass per coalition (extrapolated from 512 coalitions), per row', naivePerRowMs / 1000, rate(1, naivePerRowMs), '', '', 1],
    ['shapley-exact, 50 rows, mean-baseline row (2^14 coalitions)', exact.medianMs / 1000, rate(50, exact.medianMs), ref('exact Shapley'), ref('exact Shapley') / (exact.medianMs / 1000), (naivePerRowMs * 50) / exact.medianMs],
    ['shapley-exact, 5 rows, 16 training background rows', exactBg.medianMs / 1000, rate(5, exactBg.medianMs), '', '', (naivePerRowMs * 16 * 5) / exactBg.medianMs],
    ['kernel-shap, 50 rows x 2048 samples, mean-baseline row', ks.medianMs / 1000, rate(50, ks.medianMs), ref('shap KernelExplainer'), ref('shap KernelExplainer') / (ks.medianMs / 1000), (naivePerRowMs * (2050 / 2 ** F) * 50) / ks.medianMs],
    ['kernel-shap, 50 rows x 2048 samples, 10 k-means background rows', ksBg.medianMs / 1000, rate(50, ksBg.medianMs), '', '', ''],
  ]);

  // KernelSHAP: standard error against time (20 rows, 10 k-means background rows).
  const seRows: Array<Array<string | number>> = [];
  for (const samples of [64, 128, 256, 512, 1024, 2048]) {
    let res: Awaited<ReturnType<typeof attribute>> | undefined;
    const t = await time(async () => (res = await attribute('kernel-shap', withTrain(20), { samples })), 1, 0);
    const se = res!.extras.standardError as number[];
    seRows.push([samples, t.medianMs / 1000, se.reduce((a, b) => a + b, 0) / se.length, Math.max(...se)]);
  }
  printTable('KernelSHAP standard error vs time, 20 rows, 10 k-means background rows (target: mean SE <= 0.002 logit)', ['samples', 's', 'mean SE', 'max SE'], seRows);
  const reached = seRows.find((r) => (r[2] as number) <= 0.002);
  console.log(reached ? `mean SE <= 0.002 reached at ${reached[0]} samples in ${(reached[1] as number).toFixed(2)} s for 20 rows` : 'mean SE <= 0.002 not reached at 2048 samples');

  // Global importance over 1,000 rows.
  const n = 1000;
  const input: AttributionInput = { model, encoding, X: rows(n), n, labels: test.y!.subarray(0, n), target: { kind: 'predicted' }, background: train.X, backgroundN: train.n, seed: 0 };
  const refShares = (await globalImportance('kernel-shap', { samples: 2048, backgroundSize: 32, summary: 'sample' }, { ...input, X: rows(200), n: 200, labels: test.y!.subarray(0, 200), seed: 1 })).shares;
  const globalRows: Array<Array<string | number>> = [];
  const cases: Array<[string, Record<string, unknown>]> = [
    [DEFAULT_IMPORTANCE.method, { ...DEFAULT_IMPORTANCE.params }],
    ['random-ablation', { backgroundSize: 16 }],
    ['feature-ablation', { backgroundSize: 16 }],
    ['permutation', {}],
    ['saliency', {}],
  ];
  for (const [id, params] of cases) {
    let shares: number[] = [];
    const t = await time(async () => (shares = (await globalImportance(id, params, input)).shares), 1, 0);
    const l1 = shares.reduce((a, s, i) => a + Math.abs(s - refShares[i]!), 0);
    globalRows.push([`${id} ${JSON.stringify(params)}${id === DEFAULT_IMPORTANCE.method ? ' (default)' : ''}`, t.medianMs / 1000, rate(n, t.medianMs), l1]);
  }
  printTable('global importance, 1,000 Adult test rows (L1 distance of shares to KernelSHAP 2048 samples x 32 background rows on 200 rows)', ['method', 's', 'rows/s', 'L1 shares'], globalRows);
  await project.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
