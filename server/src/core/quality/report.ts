/**
 * `glassbox quality` and the `explanation-quality` check: the battery (battery.ts) on a seeded
 * sample of a project's held-out rows for one checkpoint, plain data out.
 *
 * Rows: a seeded sample of `rows` (default 64) from test data, else reference, else training data.
 * Background (removed features' values, and methods needing one): a seeded sample of
 * `backgroundRows` (default 32) training rows. Methods: the ones named, else `defaultQualityMethods`.
 */
import type { Project } from '../project';
import type { CheckpointInfo } from '../model/checkpoints';
import type { ModelHandle } from '../model/model';
import { takeRows, type Dataset } from '../data/dataset';
import { applicableMethods, defaultRowMethod, getMethod } from '../methods/registry';
import { createRng, sampleWithoutReplacement } from '../util/random';
import { explanationQuality, type QualityResult, type QualitySettings } from './battery';

export const QUALITY_ROWS = 64;
export const QUALITY_BACKGROUND = 32;

export interface QualityOptions {
  checkpoint?: CheckpointInfo;
  methods?: string[];
  rows?: number;
  backgroundRows?: number;
  settings?: Partial<QualitySettings>;
  seed?: number;
  signal?: AbortSignal;
}

export interface QualityReport extends QualityResult {
  checkpoint: { name: string; dir: string };
  file: string;
  /** The method a row is explained with when none is named (what hovers and panels show). */
  defaultMethod: string;
}

/**
 * The methods judged when none are named: the model's default row method, Integrated Gradients and
 * input x gradient for networks (fast, exact gradients), and feature ablation (model-agnostic),
 * those that apply to the model.
 */
export function defaultQualityMethods(model: ModelHandle): string[] {
  const applicable = new Set(applicableMethods(model));
  return [...new Set([defaultRowMethod(model), 'integrated-gradients', 'input-x-gradient', 'feature-ablation'])].filter((id) => applicable.has(id));
}

/** A seeded sample of at most k row indices of `ds`, in file order. */
export function sampleRows(ds: Pick<Dataset, 'n'>, k: number, seed: number): Int32Array {
  return Int32Array.from(sampleWithoutReplacement(ds.n, Math.min(k, ds.n), createRng(seed))).sort();
}

export async function qualityOn(
  model: ModelHandle,
  project: Project,
  data: Dataset,
  train: Dataset,
  options: Omit<QualityOptions, 'checkpoint'>,
): Promise<QualityResult & { rowIndices: Int32Array }> {
  const { encoding } = await project.schema();
  const seed = options.seed ?? 0;
  const rows = sampleRows(data, options.rows ?? QUALITY_ROWS, seed * 7919 + 41);
  const bg = sampleRows(train, options.backgroundRows ?? QUALITY_BACKGROUND, seed * 7919 + 43);
  const methods = (options.methods ?? defaultQualityMethods(model)).map((id) => getMethod(id));
  const result = await explanationQuality({
    model,
    encoding,
    background: { X: takeRows(train, bg), n: bg.length },
    X: takeRows(data, rows),
    n: rows.length,
    methods,
    settings: { ...options.settings, seed },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...result, rowIndices: rows };
}

export async function qualityReport(project: Project, options: QualityOptions = {}): Promise<QualityReport> {
  const checkpoint = options.checkpoint ?? project.latestCheckpoint();
  const model = await project.model(checkpoint);
  // Methods are validated against the model before any sampling or attribution.
  for (const id of options.methods ?? []) getMethod(id);
  const role = project.dataPath('test') ? 'test' : project.dataPath('reference') ? 'reference' : 'train';
  const data = await project.dataset(role);
  const train = await project.dataset('train');
  const { rowIndices: _rows, ...result } = await qualityOn(model, project, data, train, options);
  return { ...result, checkpoint: { name: checkpoint.name, dir: checkpoint.dir }, file: data.file, defaultMethod: defaultRowMethod(model) };
}
