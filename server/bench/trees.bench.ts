/**
 * Exact path-dependent TreeSHAP on the tree fixtures (XGBoost and LightGBM models trained on Adult
 * and toy data by scripts/fixtures/tree_fixtures.py) side by side with shap.TreeExplainer's C++
 * implementation in the same run (alternated pairs; ratio = shap time / Glassbox time). The fixture
 * rows (50, with missing values) are repeated to 1,000. Goal (issue 18): >= 1x shap.TreeExplainer.
 * Work per row: the sum over trees of leaves x depth^2 (Algorithm 2's bound), printed as "path ops".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTreeEnsemble, treeShap } from '../src/core/model/trees';
import { treeDepth } from '../src/core/model/trees/types';
import { printTable, time } from './util';
import { Reference, median, paired, ratioCell } from './reference';

const FIXTURES = path.join(__dirname, '../../server/test/fixtures/trees');
const MODELS = ['xgb-binary.json', 'xgb-multiclass.json', 'xgb-regression.json', 'lgb-binary.txt', 'lgb-multiclass.txt'];
const REPEAT = 20;

async function main(): Promise<void> {
  const pairs = Number(process.env.GLASSBOX_BENCH_PAIRS ?? 5);
  const ref = await Reference.start(1);
  const out: Array<Array<string | number>> = [];
  for (const file of MODELS) {
    const modelFile = path.join(FIXTURES, file);
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, file.replace(/\.(json|txt)$/, '.expected.json')), 'utf8')) as { X: (number | null)[][] };
    const rows = Float32Array.from(expected.X.flat(), (v) => (v === null ? NaN : v));
    const d = expected.X[0]!.length;
    const n = expected.X.length * REPEAT;
    const X = new Float32Array(n * d);
    for (let r = 0; r < REPEAT; r++) X.set(rows, r * rows.length);
    const ensemble = readTreeEnsemble(modelFile);
    const leaves = ensemble.trees.reduce((a, t) => a + t.left.filter((l) => l < 0).length, 0);
    const pathOps = ensemble.trees.reduce((a, t) => a + t.left.filter((l) => l < 0).length * treeDepth(t) ** 2, 0);
    const run = () => treeShap(ensemble, X, n);
    const label = `${file}: ${ensemble.trees.length} trees, ${leaves} leaves, ${ensemble.outputs} output(s), ${n} rows`;
    if (ref?.has('shap', 'xgboost')) {
      const p = await paired(run, ref, 'shap_tree_explainer', { model_file: modelFile, x: ref.matrix(rows), width: d, repeat: REPEAT }, pairs);
      out.push([label, median(p.oursMs), ((n * pathOps) / median(p.oursMs) / 1e6).toFixed(2), median(p.refMs), `${ratioCell(p)}, goal 1x ${median(p.ratios) >= 1 ? 'met' : 'NOT met'}`]);
    } else {
      const t = await time(run, 5, 1);
      out.push([label, t.medianMs, ((n * pathOps) / t.medianMs / 1e6).toFixed(2), '', 'no reference side']);
    }
  }
  printTable('path-dependent TreeSHAP, Glassbox vs shap.TreeExplainer (C++), one thread each', ['model', 'Glassbox ms', 'G path ops/s', 'shap ms', 'speed-up: median (IQR) of pairs'], out);
  ref?.close();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
