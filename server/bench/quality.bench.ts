/**
 * Detection and false alarms of multivariate drift and of the explanation-quality verdict, on
 * planted cases against healthy ones (small: a few minutes).
 *
 * 1. Multivariate drift (core/drift/multivariate.ts, defaults: 5 folds, 19 permutations, p <= 0.05
 *    and AUC >= 0.55), per seed:
 *    healthy — IID splits of Adult training rows (500 a side), of 54-row samples, and of synthetic
 *    Gaussians; planted — a correlation between two Gaussians (0 -> 0.6) with unchanged marginals,
 *    Adult's age and hours_per_week coupled by rank in the reference (marginals exactly unchanged),
 *    and Adult's age shifted by 0.3 standard deviations. For the synthetic correlation, the
 *    per-feature tests (Benjamini–Hochberg q < 0.01 on any feature) beside it.
 * 2. Explanation quality (core/quality, 64 rows, 32 background rows, no sensitivity) on the
 *    reference Adult MLP, one row sample per seed: healthy — Integrated Gradients and feature
 *    ablation configured; planted — random attributions and negated Integrated Gradients (the
 *    ordering reversed). Detected = not better than random orderings (the check's warning).
 */
import * as path from 'node:path';
import { Project } from '../src/core/project';
import { initEngine } from '../src/core/engine/backend';
import { takeRows } from '../src/core/data/dataset';
import type { Encoding } from '../src/core/data/encoding';
import { groupByFeature } from '../src/core/data/encoding';
import { createRng, permutation, sampleWithoutReplacement } from '../src/core/util/random';
import { multivariateDrift } from '../src/core/drift/multivariate';
import { featureDrift } from '../src/core/drift/table';
import { benjaminiHochberg, DRIFT_ALPHA, driftPValue } from '../src/core/drift/stats';
import { getMethod } from '../src/core/methods/registry';
import type { AttributionMethod } from '../src/core/methods/types';
import { explanationQuality } from '../src/core/quality/battery';
import { printTable } from './util';

const ANCHORS = path.join(__dirname, '../../server/test/anchors/glassbox.json');
const SEEDS = Number(process.env.GLASSBOX_QUALITY_SEEDS ?? 8);

const enc3: Encoding = {
  features: ['a', 'b', 'c'].map((name, i) => ({ name, type: 'numeric' as const, transform: 'none' as const, mean: 0, std: 1, columns: [i, i + 1] as [number, number] })),
  ignored: [],
  missing: [],
  width: 3,
};

function gaussian(n: number, rho: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const X = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = rng.normal();
    X[i * 3] = u;
    X[i * 3 + 1] = rho * u + Math.sqrt(1 - rho * rho) * rng.normal();
    X[i * 3 + 2] = rng.normal();
  }
  return X;
}

const csv = (X: Float32Array, n: number, name: string) => ({ name, text: ['a,b,c', ...Array.from({ length: n }, (_, i) => `${X[i * 3]},${X[i * 3 + 1]},${X[i * 3 + 2]}`)].join('\n') });

/** Reorders column b of the rows so its ranks follow column a's (plus noise): same values, new dependence. */
function coupleByRank(X: Float32Array, n: number, width: number, a: number, b: number, rng: ReturnType<typeof createRng>): void {
  const byA = Array.from({ length: n }, (_, i) => i).sort((i, j) => X[i * width + a]! + 0.5 * rng.normal() - (X[j * width + a]! + 0.5 * rng.normal()) || i - j);
  const bValues = Array.from({ length: n }, (_, i) => X[i * width + b]!).sort((x, y) => x - y);
  byA.forEach((row, r) => (X[row * width + b] = bValues[r]!));
}

async function multivariate(): Promise<void> {
  await initEngine();
  const project = await Project.open(ANCHORS);
  const { encoding } = await project.schema();
  const adult = await project.dataset('train');
  const col = (name: string) => encoding.features.find((f) => f.name === name)!.columns[0];
  const cases: Array<{ name: string; planted: boolean; run: (seed: number) => Promise<{ drifted: boolean; auc: number; univariate?: boolean }> }> = [
    {
      name: 'IID Adult halves (500 a side)',
      planted: false,
      run: async (seed) => {
        const order = permutation(adult.n, createRng(seed));
        const side = (k: number) => ({ X: takeRows(adult, order.subarray(k * 500, (k + 1) * 500)), n: 500 });
        return multivariateDrift(encoding, side(0), side(1), { seed });
      },
    },
    {
      name: 'IID Adult, 54 rows a side',
      planted: false,
      run: async (seed) => {
        const order = permutation(adult.n, createRng(seed + 100));
        const side = (k: number) => ({ X: takeRows(adult, order.subarray(k * 54, (k + 1) * 54)), n: 54 });
        return multivariateDrift(encoding, side(0), side(1), { seed });
      },
    },
    {
      name: 'IID Gaussians (1000 a side)',
      planted: false,
      run: async (seed) => {
        const X = gaussian(2000, 0.3, seed);
        return multivariateDrift(enc3, { X, n: 1000 }, { X: X.subarray(3000), n: 1000 }, { seed });
      },
    },
    {
      name: 'correlation 0 -> 0.6, marginals kept (1000 a side)',
      planted: true,
      run: async (seed) => {
        const t = gaussian(1000, 0, seed * 2 + 1);
        const r = gaussian(1000, 0.6, seed * 2 + 2);
        const table = await featureDrift(enc3, csv(t, 1000, 'train.csv'), csv(r, 1000, 'ref.csv'));
        const univariate = Math.min(...benjaminiHochberg(table.features.map(driftPValue))) < DRIFT_ALPHA;
        return { ...multivariateDrift(enc3, { X: t, n: 1000 }, { X: r, n: 1000 }, { seed }), univariate };
      },
    },
    {
      name: 'Adult age ~ hours_per_week coupled by rank (500 a side)',
      planted: true,
      run: async (seed) => {
        const rng = createRng(seed + 200);
        const idx = sampleWithoutReplacement(adult.n, 1000, rng);
        const t = takeRows(adult, idx.subarray(0, 500));
        const r = takeRows(adult, idx.subarray(500));
        coupleByRank(r, 500, encoding.width, col('age'), col('hours_per_week'), rng);
        return multivariateDrift(encoding, { X: t, n: 500 }, { X: r, n: 500 }, { seed });
      },
    },
    {
      name: 'Adult age + 0.3 sd (500 a side)',
      planted: true,
      run: async (seed) => {
        const idx = sampleWithoutReplacement(adult.n, 1000, createRng(seed + 300));
        const t = takeRows(adult, idx.subarray(0, 500));
        const r = takeRows(adult, idx.subarray(500));
        for (let i = 0; i < 500; i++) r[i * encoding.width + col('age')] += 0.3;
        return multivariateDrift(encoding, { X: t, n: 500 }, { X: r, n: 500 }, { seed });
      },
    },
  ];
  const rows: Array<Array<string | number>> = [];
  for (const c of cases) {
    const t0 = performance.now();
    const out = [];
    for (let s = 0; s < SEEDS; s++) out.push(await c.run(s));
    const fired = out.filter((o) => o.drifted).length;
    const uni = out.every((o) => o.univariate !== undefined) ? `${out.filter((o) => o.univariate).length}/${SEEDS}` : '-';
    const aucs = out.map((o) => o.auc);
    rows.push([c.name, c.planted ? 'planted' : 'healthy', `${fired}/${SEEDS}`, `${Math.min(...aucs).toFixed(3)}..${Math.max(...aucs).toFixed(3)}`, uni, ((performance.now() - t0) / 1000 / SEEDS).toFixed(1)]);
  }
  const total = (planted: boolean) => {
    const picked = rows.filter((r) => r[1] === (planted ? 'planted' : 'healthy')).map((r) => String(r[2]).split('/').map(Number));
    return `${picked.reduce((a, [f]) => a + f!, 0)}/${picked.reduce((a, [, n]) => a + n!, 0)}`;
  };
  printTable(`multivariate drift: domain classifier, ${SEEDS} seeds per case (fired = detection on planted, false alarm on healthy)`, ['case', 'kind', 'fired', 'AUC range', 'per-feature tests fired', 's / run'], rows);
  console.log(`detection ${total(true)} on planted shifts, false alarms ${total(false)} on IID splits`);
  await project.dispose();
}

/** Seeded normal values: attributions that know nothing about the model. */
const noise = {
  id: 'random-attributions',
  name: 'Random attributions (planted)',
  summary: 'seeded normal values',
  capabilities: { gradients: false, background: false, stochastic: true },
  params: {},
  async attribute({ X, n, encoding, seed }) {
    const rng = createRng((seed ?? 0) * 31 + Math.round(Math.abs(X[0]!) * 1e4));
    const encoded = Float32Array.from({ length: n * encoding.width }, () => rng.normal());
    return { method: 'random-attributions', n, width: encoding.width, encoded, grouped: groupByFeature(encoded, n, encoding), targetClass: new Int32Array(n).fill(-1), extras: {} };
  },
} satisfies AttributionMethod<Record<string, never>>;

/** Integrated Gradients negated: the most faithful ordering reversed. */
const negatedIg = {
  ...(getMethod('integrated-gradients') as AttributionMethod),
  id: 'negated-ig',
  async attribute(input, params) {
    const r = await getMethod('integrated-gradients').attribute(input, params);
    return { ...r, method: 'negated-ig', encoded: r.encoded.map((v) => -v), grouped: r.grouped.map((v) => -v) };
  },
} satisfies AttributionMethod;

async function quality(): Promise<void> {
  const project = await Project.open(ANCHORS);
  const { encoding } = await project.schema();
  const model = await project.model(project.latestCheckpoint());
  const test = await project.dataset('test');
  const train = await project.dataset('train');
  const methods: Array<{ m: AttributionMethod; planted: boolean | undefined }> = [
    { m: getMethod('integrated-gradients'), planted: false },
    { m: getMethod('feature-ablation'), planted: false },
    // No ground truth: whether signed gradients order features for removal is what is measured.
    { m: getMethod('saliency'), planted: undefined },
    { m: noise, planted: true },
    { m: negatedIg, planted: true },
  ];
  const z = new Map<string, number[]>(methods.map(({ m }) => [m.id, []]));
  const t0 = performance.now();
  for (let s = 0; s < SEEDS; s++) {
    const rows = Int32Array.from(sampleWithoutReplacement(test.n, 64, createRng(s * 7919 + 41))).sort();
    const bg = Int32Array.from(sampleWithoutReplacement(train.n, 32, createRng(s * 7919 + 43))).sort();
    const q = await explanationQuality({
      model,
      encoding,
      background: { X: takeRows(train, bg), n: 32 },
      X: takeRows(test, rows),
      n: 64,
      methods: methods.map((x) => x.m),
      settings: { sensitivitySamples: 0, seed: s },
    });
    for (const r of q.methods) z.get(r.method)!.push(r.advantage.z);
  }
  const rows = methods.map(({ m, planted }) => {
    const zs = z.get(m.id)!;
    const flagged = zs.filter((v) => !(v >= 1.645)).length;
    return [m.id, planted === undefined ? 'measured' : planted ? 'planted' : 'healthy', `${flagged}/${SEEDS}`, `${Math.min(...zs).toFixed(2)}..${Math.max(...zs).toFixed(2)}`];
  });
  printTable(
    `explanation quality on the Adult MLP: 'not better than random' per configured method, ${SEEDS} row samples (${((performance.now() - t0) / 1000 / SEEDS).toFixed(1)} s each)`,
    ['configured method', 'kind', 'warned', 'z range'],
    rows,
  );
  const count = (planted: boolean) => {
    const ids = methods.filter((x) => x.planted === planted).map((x) => x.m.id);
    const flagged = ids.reduce((a, id) => a + z.get(id)!.filter((v) => !(v >= 1.645)).length, 0);
    return `${flagged}/${ids.length * SEEDS}`;
  };
  console.log(`detection on planted methods ${count(true)}, false alarms on healthy ones ${count(false)}; saliency (signed gradient) is measured, not labelled: on this model it orders features for removal barely better than chance on some row samples.`);
  await project.dispose();
}

void (async () => {
  await multivariate();
  await quality();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
