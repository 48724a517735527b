/**
 * On demand (hover, `glassbox/explainRow`): one data row's prediction, attributions per raw feature
 * with the chosen method (default core/analyses `defaultExplainMethod`: additive, exact for linear
 * and tree models, KernelSHAP for networks), computed by core/analyses `explainRows` exactly as
 * `glassbox explain` does (same background rows and seed), the method's kind, the model output
 * explained and the method's baseline output when it has one (the waterfall's two ends), and the
 * nearest training row of another class (exact, brute force). With
 * `influence: true`, also the top proponents and opponents among the training rows from the
 * influence index (TracIn family, `DEFAULT_INFLUENCE_METHOD`) traced up to this checkpoint.
 * Values are the rows' cells as written in their files (raw-rows.ts).
 */
import * as path from 'node:path';
import { categoryLabels, decodeRow, featureNames, INFREQUENT_CATEGORY, UNKNOWN_CATEGORY, type Encoding } from '../../core/data/encoding';
import { rowAtLine, type Dataset } from '../../core/data/dataset';
import { GlassboxError } from '../../core/errors';
import { methodIds } from '../../core/methods/registry';
import { className, defaultExplainMethod, explainRows, methodKind } from '../../core/analyses';
import { nearest } from '../../core/influence/nearest';
import { DEFAULT_INFLUENCE_METHOD } from '../../core/influence/index';
import { influenceReport, type InfluentialRow as CoreInfluentialRow } from '../../core/influence/report';
import { influenceIndex } from './influence-index';
import { rawRow } from './raw-rows';
import type { AnalysisStep, StepOutput } from './types';
import { STEP_CATALOG } from './catalog';
import type { ExplainState, InfluentialRow } from '../../protocol/panels';

/** Methods offered per row: every registered one but permutation importance (a global measure). */
export const rowMethods = (): string[] => methodIds().filter((m) => m !== 'permutation');
export const INFLUENTIAL_ROWS = 5;

/** The `glassbox/explainRow` answer (typed once, in the protocol module). */
export type RowExplanation = ExplainState & StepOutput;

export const explainRowStep = {
  ...STEP_CATALOG.explainRow,
  async run({ project, checkpoint, signal, params }) {
    const file = path.resolve(String(params.file));
    const line = Number(params.line);
    const model = await project.model(checkpoint);
    const methodId = typeof params.method === 'string' && params.method ? params.method : defaultExplainMethod(model);
    if (!rowMethods().includes(methodId)) throw new GlassboxError('usage', `method '${methodId}' does not explain single rows (methods: ${rowMethods().join(', ')})`);
    const { encoding } = await project.schema();
    const ds = await project.datasetAt(file);
    const row = rowAtLine(ds, line);
    if (row < 0) throw new GlassboxError('usage', `line ${line} of ${project.relative(file)} starts no data row`, { file, line });
    const X = ds.X.slice(row * ds.width, (row + 1) * ds.width);
    // The same call as `glassbox explain --line`: same method, parameters, background and seed.
    const e = await explainRows(project, { checkpoint, dataset: ds, rows: [row], method: methodId, signal, ...(typeof params.seed === 'number' ? { seed: params.seed } : {}) });
    const r = e.rows[0]!;
    const train = await project.dataset('train');
    const classes = e.classes ?? [];
    const name = (k: number) => className(classes, k);
    const label = r.label;
    const predicted = r.prediction.class;
    const out: RowExplanation = {
      file,
      line,
      row,
      checkpoint: checkpoint.name,
      classes,
      values: rawRow(file, line, featureNames(encoding)) ?? decodeRow(encoding, X),
      ...(label !== undefined ? { label: name(label) } : {}),
      prediction: predicted !== undefined ? { class: name(predicted), probability: r.prediction.probability! } : { value: r.prediction.value! },
      methods: rowMethods(),
      method: e.method,
      methodKind: methodKind(e.method),
      attributions: r.attributions,
      output: r.output,
      // Same rule as methods/target.ts `targetScalar`, which defines the output explained.
      outputKind: model.task === 'regression' ? 'value' : model.task === 'binary' && model.outputWidth === 1 ? 'log-odds' : 'logit',
      ...baselineOf(e.extras),
      columns: columnsOf(encoding),
    };
    // The row's own class (its label, else the prediction) decides what "another class" is.
    const own = label ?? predicted;
    if (own !== undefined && train.y) {
      const nb = nearest(train.X, train.n, train.width, X, 1, 1, (i) => train.y![i] !== own)[0]?.[0];
      if (nb) out.nearestOpposite = { ...trainRow(encoding, train, nb.index, name), distance: nb.distance };
    }
    // Models TracIn cannot trace answer without influential rows (their suspects come from training dynamics).
    if (params.influence && train.y && (model.layers || model.denseTail)) {
      const index = await influenceIndex(project, checkpoint, signal);
      const [rep] = influenceReport({
        index,
        train,
        model,
        X,
        n: 1,
        ...(label !== undefined ? { labels: Float32Array.of(label) } : {}),
        top: INFLUENTIAL_ROWS,
        method: DEFAULT_INFLUENCE_METHOD,
        protectedAttributes: [],
        featureColumns: [],
      });
      const influential = (rows: CoreInfluentialRow[]): InfluentialRow[] => rows.map((x) => ({ ...trainRow(encoding, train, x.index, name), influence: x.score }));
      out.influence = { proponents: influential(rep!.proponents), opponents: influential(rep!.opponents) };
    }
    return out;
  },
} satisfies AnalysisStep<RowExplanation>;

/** Each raw feature's kind and, for categorical ones, the training categories (as `glassbox/whatIf` parses them). */
export function columnsOf(encoding: Encoding): NonNullable<ExplainState['columns']> {
  return Object.fromEntries(encoding.features.map((f) => [f.name, f.type === 'numeric'
    ? { type: 'number' as const }
    : { type: 'category' as const, categories: categoryLabels(f).filter((l) => l !== UNKNOWN_CATEGORY && l !== INFREQUENT_CATEGORY) }]));
}

/**
 * The model's output at the method's reference point, where the method defines one: the base value
 * of the Shapley methods (expected output over the background) or the output at the path methods'
 * baseline. Attributions then sum (exactly or approximately, per the method) from it to the output.
 */
function baselineOf(extras: Record<string, unknown>): { baseline?: number } {
  const v = extras.baseValue ?? extras.targetAtBaseline;
  return Array.isArray(v) && typeof v[0] === 'number' && Number.isFinite(v[0]) ? { baseline: v[0] } : {};
}

function trainRow(encoding: Encoding, train: Dataset, i: number, name: (k: number) => string) {
  const y = train.y?.[i];
  return {
    file: train.file,
    line: train.lines[i]!,
    row: i,
    values: rawRow(train.file, train.lines[i]!, featureNames(encoding)) ?? decodeRow(encoding, train.X.subarray(i * train.width, (i + 1) * train.width)),
    ...(y !== undefined && !Number.isNaN(y) ? { label: name(y) } : {}),
  };
}
