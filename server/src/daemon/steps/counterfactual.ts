/**
 * On demand (`glassbox/counterfactual`, `glassbox/whatIf`): counterfactuals for one data row and
 * the model's answer for a row the user edited. Both call the core exactly as `glassbox
 * counterfactual` and `glassbox explain` do (core/counterfactual, core/analyses `attributeRows`:
 * same constraints, background rows and seed), on the worker thread.
 *
 * What every counterfactual request on a checkpoint shares (feature space, training predictions,
 * the OOD detector) is prepared once and kept for the newest checkpoint asked about, per project:
 * a second request on the same model answers in the search's time only.
 */
import * as path from 'node:path';
import { categoryLabels, compileEncoder, featureNames, INFREQUENT_CATEGORY, UNKNOWN_CATEGORY, decodeRow, type Encoding } from '../../core/data/encoding';
import { rowAtLine, type Dataset } from '../../core/data/dataset';
import { suggest } from '../../core/data/schema';
import { GlassboxError, echo } from '../../core/errors';
import type { Project } from '../../core/project';
import type { CheckpointInfo } from '../../core/model/checkpoints';
import { attributeRows, classNamesOf, className } from '../../core/analyses';
import { checkRequest, counterfactualsForRow, prepareCounterfactuals, type CounterfactualConstraints, type CounterfactualModel, type CounterfactualRequest, type Direction, type RowCounterfactuals } from '../../core/counterfactual';
import { defaultRowMethod } from '../../core/methods/registry';
import { rawRow } from './raw-rows';
import { rowMethods } from './explain-row';
import { STEP_CATALOG } from './catalog';
import type { AnalysisStep, StepOutput } from './types';
import type { CounterfactualResult, ParseError, RowPrediction, WhatIfResult } from '../../protocol/counterfactual';
import type { RawValue } from '../../protocol/panels';

export type CounterfactualStepResult = CounterfactualResult & StepOutput;
export type WhatIfStepResult = WhatIfResult & StepOutput;

/** How request fields are named in messages (the protocol's names). */
const NAMES = { immutable: 'immutable', directions: 'directions', bounds: 'bounds', maxChanges: 'maxChanges', outsideRange: 'outsideRange' };

const prepared = new WeakMap<Project, { hash: string; cf: Promise<CounterfactualModel> }>();

async function counterfactualModel(project: Project, checkpoint: CheckpointInfo, signal: AbortSignal): Promise<CounterfactualModel> {
  const key = checkpoint.hash ?? checkpoint.dir;
  const hit = prepared.get(project);
  if (hit?.hash === key) return hit.cf;
  const cf = (async () => {
    const model = await project.model(checkpoint);
    const { encoding } = await project.schema();
    const train = await project.dataset('train');
    const classes = classNamesOf(project, encoding);
    return prepareCounterfactuals(model, encoding, train, { ...(classes ? { classLabels: classes } : {}), signal });
  })();
  cf.catch(() => prepared.get(project)?.cf === cf && prepared.delete(project));
  prepared.set(project, { hash: key, cf });
  return cf;
}

/** The data set a request's row belongs to: one of the project's data files, by absolute path. */
async function datasetOf(project: Project, file: string): Promise<Dataset> {
  const files = [...new Set(Object.values(project.config.data))];
  if (!files.includes(file)) {
    throw new GlassboxError('usage', `${file} is not a data set of this project (glassbox.json data: ${files.map((f) => project.relative(f)).join(', ')})`, { file, line: 1 });
  }
  return project.datasetAt(file);
}

/** Row index from `line` (1-based file line) or `row` (0-based data row), checked. */
function rowOf(project: Project, ds: Dataset, params: Record<string, unknown>): number {
  if (typeof params.line === 'number') {
    const row = rowAtLine(ds, params.line);
    if (row < 0) throw new GlassboxError('usage', `line ${params.line} of ${project.relative(ds.file)} starts no data row`, { file: ds.file, line: params.line });
    return row;
  }
  const row = params.row;
  if (typeof row !== 'number' || !Number.isInteger(row) || row < 0 || row >= ds.n) {
    throw new GlassboxError('usage', `row ${String(row)} does not exist in ${project.relative(ds.file)} (${ds.n} data rows, numbered from 0)`, { file: ds.file, line: 1 });
  }
  return row;
}

function rowValues(encoding: Encoding, ds: Dataset, row: number): Record<string, RawValue> {
  return rawRow(ds.file, ds.lines[row]!, featureNames(encoding)) ?? decodeRow(encoding, ds.X.subarray(row * ds.width, (row + 1) * ds.width));
}

/** A class given as its display name, its value in the data, or its index. */
function resolveTarget(target: unknown, labels: string[], values: string[] | undefined): number {
  if (typeof target === 'number') {
    if (Number.isInteger(target) && target >= 0 && target < labels.length) return target;
    throw new GlassboxError('usage', `target: class ${target} does not exist; the classes are ${labels.map((l, k) => `${k} (${l})`).join(', ')}`);
  }
  const spec = String(target);
  const k = labels.indexOf(spec) >= 0 ? labels.indexOf(spec) : (values?.indexOf(spec) ?? -1);
  if (k >= 0) return k;
  throw new GlassboxError('usage', `target: no class '${echo(spec)}'${suggest(spec, labels)}; the classes are ${labels.map((l, i) => `${i} (${l})`).join(', ')}`);
}

function constraintsOf(project: Project, features: string[], params: Record<string, unknown>): CounterfactualConstraints {
  const c: CounterfactualConstraints = {};
  const strings = (v: unknown, arg: string): string[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new GlassboxError('usage', `${arg} must be a list of feature names`);
    return v as string[];
  };
  // Protected attributes the model does not read cannot change anyway.
  c.immutable = params.immutable !== undefined ? strings(params.immutable, 'immutable') : (project.config.raw.protected ?? []).filter((f) => features.includes(f));
  if (params.directions !== undefined) c.directions = params.directions as Record<string, Direction>;
  if (params.bounds !== undefined) c.bounds = params.bounds as Record<string, { min?: number; max?: number }>;
  if (params.maxChanges !== undefined) c.maxChanges = Number(params.maxChanges);
  return c;
}

function rowPrediction(p: { class: number; label: string; probabilities: number[]; value?: number }): RowPrediction {
  if (p.value !== undefined) return { kind: 'regression', value: p.value };
  return { kind: 'classification', class: p.label, classIndex: p.class, probability: p.probabilities[p.class]!, probabilities: p.probabilities };
}

/** Regression: a value to reach (number) or an interval `{ min?, max? }`. */
function targetValueOf(target: unknown): number | { min?: number; max?: number } {
  if (typeof target === 'number') return target;
  const t = target as { min?: unknown; max?: unknown } | null;
  if (typeof t === 'object' && t !== null && (typeof t.min === 'number' || typeof t.max === 'number') && [t.min, t.max].every((v) => v === undefined || typeof v === 'number')) {
    return { ...(typeof t.min === 'number' ? { min: t.min } : {}), ...(typeof t.max === 'number' ? { max: t.max } : {}) };
  }
  throw new GlassboxError('usage', `target: this is a regression model; give a value to reach or { min, max }, got ${echo(JSON.stringify(target))}`);
}

export const counterfactualStep = {
  ...STEP_CATALOG.counterfactual,
  async run({ project, checkpoint, signal, progress, params }) {
    const file = path.resolve(String(params.file));
    const ds = await datasetOf(project, file);
    const row = rowOf(project, ds, params);
    const { encoding } = await project.schema();
    const model = await project.model(checkpoint);
    progress(0, 'preparing the feature space');
    const cf = await counterfactualModel(project, checkpoint, signal);
    const req: CounterfactualRequest = { constraints: constraintsOf(project, featureNames(encoding), params), names: NAMES, signal };
    if (params.target !== undefined && params.target !== null) {
      if (model.task === 'regression') req.targetValue = targetValueOf(params.target);
      else req.target = resolveTarget(params.target, cf.classLabels, encoding.label?.classes);
    }
    if (typeof params.probability === 'number') req.probability = params.probability;
    if (params.count !== undefined) req.count = Number(params.count);
    checkRequest(cf, req);
    progress(0.2, 'searching');
    const r: RowCounterfactuals = counterfactualsForRow(cf, ds.X.slice(row * ds.width, (row + 1) * ds.width), req);
    const train = await project.dataset('train');
    const near = r.nearestTrainingRow;
    return {
      file,
      line: ds.lines[row]!,
      row,
      checkpoint: checkpoint.name,
      values: rowValues(encoding, ds, row),
      prediction: rowPrediction(r.prediction),
      goal: {
        ...(r.goal.targetLabel !== null ? { class: r.goal.targetLabel } : {}),
        ...(r.goal.probability !== null ? { probability: r.goal.probability } : {}),
        // JSON has no infinities: an open end is left out.
        ...(r.goal.interval && Number.isFinite(r.goal.interval.min) ? { min: r.goal.interval.min } : {}),
        ...(r.goal.interval && Number.isFinite(r.goal.interval.max) ? { max: r.goal.interval.max } : {}),
      },
      status: r.status,
      counterfactuals: r.counterfactuals.map((c) => ({ changes: c.changes, values: c.values, prediction: rowPrediction(c.prediction), distance: c.distance, sparsity: c.sparsity, plausibility: c.plausibility, method: c.method })),
      nearestTrainingRow: near ? { file: train.file, line: train.lines[near.row]!, row: near.row, distance: near.distance, sparsity: near.sparsity, changes: near.changes, prediction: rowPrediction(near.prediction) } : null,
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.binding !== undefined ? { binding: r.binding } : {}),
    };
  },
  async release(project) {
    prepared.delete(project);
  },
} satisfies AnalysisStep<CounterfactualStepResult>;

/**
 * Parses the edited values per column type: numbers for numeric features (missing tokens allowed,
 * imputed as in the data), training categories for categorical ones. Returns the cells in feature
 * order, or why each bad one does not parse.
 */
export function parseWhatIfValues(encoding: Encoding, base: Record<string, RawValue> | undefined, values: Record<string, RawValue>): { cells: string[]; parsed: Record<string, RawValue> } | { errors: ParseError[] } {
  const names = featureNames(encoding);
  const errors: ParseError[] = [];
  for (const k of Object.keys(values)) {
    if (!names.includes(k)) errors.push({ feature: k, value: values[k]!, message: `the model has no feature '${k}'${suggest(k, names)}` });
  }
  const missing = new Set(encoding.missing);
  const cells: string[] = [];
  const parsed: Record<string, RawValue> = {};
  for (const f of encoding.features) {
    const given = Object.prototype.hasOwnProperty.call(values, f.name);
    const v = given ? values[f.name]! : base?.[f.name];
    if (v === undefined) {
      errors.push({ feature: f.name, value: null, message: `no value for '${f.name}' (give every feature, or the row the edits start from)` });
      continue;
    }
    const text = v === null ? '' : String(v).trim();
    if (f.type === 'numeric') {
      if (text === '' || missing.has(text)) {
        parsed[f.name] = null;
        cells.push('');
        continue;
      }
      const x = typeof v === 'number' ? v : Number(text);
      if (!Number.isFinite(x) || (typeof v === 'string' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))) {
        errors.push({ feature: f.name, value: v, message: `'${echo(String(v))}' is not a number; ${f.name} is numeric` });
        continue;
      }
      parsed[f.name] = x;
      cells.push(String(x));
      continue;
    }
    const known = categoryLabels(f).filter((l) => l !== UNKNOWN_CATEGORY && l !== INFREQUENT_CATEGORY);
    const allowed = [...known, ...(f.infrequent ?? [])];
    if (!allowed.includes(text) && !(f.impute !== undefined && (text === '' || missing.has(text)))) {
      errors.push({ feature: f.name, value: v, message: `'${echo(text)}' is not a category of ${f.name} in the training data${suggest(text, known)}` });
      continue;
    }
    parsed[f.name] = text === '' ? null : text;
    cells.push(text);
  }
  return errors.length ? { errors } : { cells, parsed };
}

export const whatIfStep = {
  ...STEP_CATALOG.whatIf,
  async run({ project, checkpoint, signal, params }) {
    const { encoding } = await project.schema();
    const model = await project.model(checkpoint);
    let base: Record<string, RawValue> | undefined;
    if (params.file !== undefined) {
      const ds = await datasetOf(project, path.resolve(String(params.file)));
      base = rowValues(encoding, ds, rowOf(project, ds, params));
    }
    const methodId = typeof params.method === 'string' && params.method ? params.method : defaultRowMethod(model);
    if (!rowMethods().includes(methodId)) throw new GlassboxError('usage', `method '${echo(methodId)}' does not explain single rows (methods: ${rowMethods().join(', ')})`);
    const values = (params.values ?? {}) as Record<string, RawValue>;
    const p = parseWhatIfValues(encoding, base, values);
    if ('errors' in p) return { ok: false, errors: p.errors } satisfies WhatIfStepResult;
    const names = featureNames(encoding);
    const X = new Float32Array(encoding.width);
    compileEncoder(encoding, names).encode(p.cells, X, 0);
    const a = await attributeRows(project, model, X, 1, { method: methodId, signal });
    const pr = a.predictions;
    const classes = classNamesOf(project, encoding);
    const prediction: RowPrediction = pr.predicted
      ? { kind: 'classification', class: className(classes, pr.predicted[0]!), classIndex: pr.predicted[0]!, probability: pr.probabilities![pr.predicted[0]!]!, probabilities: Array.from(pr.probabilities!.subarray(0, pr.classes)) }
      : { kind: 'regression', value: pr.logits[0]! };
    const v = a.result.extras.baseValue ?? a.result.extras.targetAtBaseline;
    const baseline = Array.isArray(v) && typeof v[0] === 'number' && Number.isFinite(v[0]) ? v[0] : undefined;
    return {
      ok: true,
      checkpoint: checkpoint.name,
      values: p.parsed,
      prediction,
      method: a.method,
      attributions: Object.fromEntries(names.map((n, f) => [n, a.result.grouped[f]!])),
      ...(baseline !== undefined ? { baseline } : {}),
    } satisfies WhatIfStepResult;
  },
} satisfies AnalysisStep<WhatIfStepResult>;
