/**
 * Perturbation attributions on the reference Adult MLP (14 raw features as players), side by side
 * with the references in the same run (scripts/reference/runner.py, alternated pairs):
 *   - exact Shapley, 50 rows, mean-baseline row, against torch's batched enumeration (all 2^14
 *     composite rows of a row in one forward pass, phi = v @ W); goal >= 2x;
 *   - KernelSHAP accuracy at equal model evaluations against shap.KernelExplainer (default
 *     l1_reg='auto', and l1_reg=False): relative squared error ||phi - phi_exact||^2 / ||phi_exact||^2
 *     per row, mean over 50 rows and seeds, at m = n, 4n, 16n, 160n and the default; goal >= 5x lower;
 *   - KernelSHAP 50 rows x 2,048 samples against shap.KernelExplainer's time;
 * then KernelSHAP's standard error against time, and global importance over 1,000 rows.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { initEngine } from '../src/core/engine/backend';
import { Project } from '../src/core/project';
import { getMethod } from '../src/core/methods/registry';
import { resolveParams } from '../src/core/methods/params';
import { resolveTargetClasses } from '../src/core/methods/target';
import { kernelDesign, kernelShapValues, type SizeAllocation } from '../src/core/methods/kernel-shap';
import type { Game } from '../src/core/methods/perturb';
import type { AttributionInput } from '../src/core/methods/types';
import { DEFAULT_IMPORTANCE, globalImportance } from '../src/core/importance/importance';
import { time, printTable, printLimit, rateOfLimit } from './util';
import { Reference, denseFlops, gflops, median, paired, ratioCell } from './reference';

const ANCHORS = path.join(__dirname, '../../server/test/anchors');

async function main(): Promise<void> {
  const engine = await initEngine();
  printLimit();
  const project = Project.open(path.join(ANCHORS, 'glassbox.json'));
  const checkpoint = project.latestCheckpoint();
  const model = await project.model(checkpoint);
  const { encoding } = await project.schema();
  const train = await project.dataset('train');
  const test = await project.dataset('test');
  const width = encoding.width;
  const F = encoding.features.length;
  const pairs = Number(process.env.GLASSBOX_BENCH_PAIRS ?? 5);
  const seeds = Number(process.env.GLASSBOX_BENCH_SEEDS ?? 3);
  const mean = Float32Array.from(JSON.parse(fs.readFileSync(path.join(ANCHORS, 'encoding.json'), 'utf8')).baseline_mean as number[]);
  const rows = (n: number) => test.X.subarray(0, n * width);
  const attribute = async (id: string, input: AttributionInput, params: Record<string, unknown>) => {
    const m = getMethod(id);
    return m.attribute(input, resolveParams(m.id, m.params, params));
  };
  const meanBaseline = (n: number): AttributionInput => ({ model, encoding, X: rows(n), n, target: { kind: 'class', index: 1 }, background: mean, backgroundN: 1, seed: 0 });
  const withTrain = (n: number): AttributionInput => ({ model, encoding, X: rows(n), n, target: { kind: 'class', index: 1 }, background: train.X, backgroundN: train.n, seed: 0 });
  const ref = await Reference.start(engine.threads ? 2 : 1);
  const N = 50;
  const columnFeature = new Array<number>(width);
  encoding.features.forEach((f, i) => columnFeature.fill(i, f.columns[0], f.columns[1]));
  const common = ref ? { model: checkpoint.dir, x: ref.matrix(rows(N)), width, target: 1, baseline: ref.matrix(mean), column_feature: columnFeature } : {};
  const H = (model.layers ?? []).map((l) => l.kernel.shape[1]);
  const fullFlops = denseFlops([width, ...H]).forward * N * 2 ** F;
  // Glassbox's dense path: the first layer as a (2^F x (F+1)) x ((F+1) x H1) product, the rest as is.
  const ourFlops = N * 2 ** F * (2 * (F + 1) * H[0]! + denseFlops(H).forward);

  // Exact Shapley.
  const exactRun = () => attribute('shapley-exact', meanBaseline(N), {});
  const exact = await exactRun();
  const timing: Array<Array<string | number>> = [];
  if (ref) {
    const p = await paired(exactRun, ref, 'torch_exact_shapley', common, pairs);
    const phi = (p.last!.phi as number[][]).flat();
    const diff = Math.max(...phi.map((v, i) => Math.abs(v - exact.grouped[i]!)));
    timing.push([`shapley-exact, ${N} rows x 2^${F} coalitions (max |phi - torch's| ${diff.toExponential(1)})`, median(p.oursMs), rateOfLimit(ourFlops, median(p.oursMs)), median(p.refMs), gflops(fullFlops, median(p.refMs)), `${ratioCell(p)}, goal 2x ${median(p.ratios) >= 2 ? 'met' : 'NOT met'}`]);
  } else {
    const t = await time(exactRun, 3, 1);
    timing.push([`shapley-exact, ${N} rows x 2^${F} coalitions`, t.medianMs, rateOfLimit(ourFlops, t.medianMs), '', '', 'no reference side']);
  }
  // 2,048 coalitions plus the empty and full ones, each one composite row through the same dense path.
  const kernelFlops = (ourFlops / 2 ** F) * 2050;
  const ksRun = () => attribute('kernel-shap', meanBaseline(N), { samples: 2048 });
  if (ref?.has('shap')) {
    const p = await paired(ksRun, ref, 'shap_kernel_explainer', { ...common, samples: 2048 }, Math.min(pairs, 3));
    timing.push([`kernel-shap, ${N} rows x 2048 samples vs shap.KernelExplainer`, median(p.oursMs), rateOfLimit(kernelFlops, median(p.oursMs)), median(p.refMs), '', ratioCell(p)]);
  } else {
    const ms = (await time(ksRun, 3, 1)).medianMs;
    timing.push([`kernel-shap, ${N} rows x 2048 samples`, ms, rateOfLimit(kernelFlops, ms), '', '', 'no reference side']);
  }
  printTable(`exact Shapley and KernelSHAP per raw feature (${F} players), Adult MLP, mean-baseline row, backend ${engine.backend}; GFLOP: Glassbox ${(ourFlops / 1e9).toFixed(1)}, enumeration of full rows ${(fullFlops / 1e9).toFixed(1)}`, ['task', 'Glassbox ms', 'GFLOP/s (of limit)', 'reference ms', 'reference GFLOP/s', 'speed-up: median (IQR) of pairs'], timing);

  // KernelSHAP accuracy at equal evaluations.
  const truth = exact.grouped;
  const rse = (phi: ArrayLike<number>) => {
    let total = 0;
    for (let r = 0; r < N; r++) {
      let num = 0;
      let den = 0;
      for (let f = 0; f < F; f++) {
        num += (phi[r * F + f]! - truth[r * F + f]!) ** 2;
        den += truth[r * F + f]! ** 2;
      }
      total += num / den / N;
    }
    return total;
  };
  const X = rows(N);
  const game: Game = { model, encoding, target: { kind: 'class', index: 1 }, X, n: N, classes: resolveTargetClasses(model, X, N, { kind: 'class', index: 1 }), bg: { B: mean, m: 1, w: new Float64Array([1]) } };
  const budgets = [F, 4 * F, 16 * F, 160 * F, 2048];
  const acc: Array<Array<string | number>> = [];
  const ours = new Map<number, number>();
  for (const m of budgets) {
    const row: Array<string | number> = [m === 2048 ? `${m} (default)` : `${m} (${m / F}n)`];
    const mine: Record<SizeAllocation, number[]> = { leverage: [], kernel: [] };
    for (const allocation of ['leverage', 'kernel'] as SizeAllocation[]) {
      for (let s = 0; s < seeds; s++) mine[allocation].push(rse((await kernelShapValues(game, kernelDesign(F, m, 100 + s, allocation))).grouped));
      row.push(median(mine[allocation]).toExponential(2));
    }
    ours.set(m, median(mine.leverage));
    for (const l1 of ['auto', 'false']) {
      if (!ref?.has('shap')) {
        row.push('');
        continue;
      }
      const errs: number[] = [];
      for (let s = 0; s < seeds; s++) {
        const r = await ref.run('shap_kernel_explainer', { ...common, samples: m, l1_reg: l1, seed: s });
        if (!r.ok) throw new Error(r.error);
        errs.push(rse((r.phi as number[][]).flat()));
      }
      row.push(median(errs).toExponential(2), `${(median(errs) / median(mine.leverage)).toFixed(1)}x`);
    }
    acc.push(row);
  }
  printTable(`KernelSHAP relative squared error to exact Shapley (mean over ${N} rows; median of ${seeds} seeds) at equal evaluations m; goal: >= 5x lower than shap.KernelExplainer`, ['m', 'Glassbox (leverage sizes, default)', 'Glassbox (kernel sizes)', 'shap default', 'shap default / ours', 'shap l1_reg=False', 'shap l1_reg=False / ours'], acc);
  const target = 1e-3;
  const enough = budgets.filter((m) => ours.get(m)! <= target).sort((a, b) => a - b)[0];
  console.log(enough ? `relative squared error <= ${target} reached at m = ${enough} (${(enough / F).toFixed(0)}n); default 2048 gives ${ours.get(2048)!.toExponential(2)}` : `relative squared error <= ${target} not reached up to m = ${Math.max(...budgets)}`);
  ref?.close();
  const rate = (n: number, ms: number) => (n / ms) * 1000;

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
