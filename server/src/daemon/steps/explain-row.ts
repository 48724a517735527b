/**
 * On demand (hover, `glassbox/explainRow`): one data row's prediction, confidence and attributions
 * per raw feature, sorted by magnitude. Uses the first registered method of `ROW_METHODS`
 * (additive methods first, gradient saliency as the fallback every model supports).
 */
import * as path from 'node:path';
import { decodeRow, featureNames } from '../../core/data/encoding';
import { rowAtLine } from '../../core/data/dataset';
import { GlassboxError } from '../../core/errors';
import { METHODS, getMethod } from '../../core/methods/registry';
import { resolveParams } from '../../core/methods/params';
import { predict } from '../../core/model/model';
import type { AnalysisStep, StepOutput } from './types';
import type { RowExplanation as RowExplanationMessage } from '../../protocol';

export const ROW_METHODS = ['integratedGradients', 'gradientShap', 'inputXGradient', 'saliency'];

/** The `glassbox/explainRow` answer (typed once, in the protocol module). */
export interface RowExplanation extends StepOutput, RowExplanationMessage {}

export const explainRowStep = {
  id: 'explainRow',
  title: 'Explain row',
  priority: 0,
  invalidatedBy: ['data', 'config'],
  onDemand: true,
  async run({ project, checkpoint, signal, params }) {
    const file = path.resolve(String(params.file));
    const line = Number(params.line);
    const { encoding } = await project.schema();
    const model = await project.model(checkpoint);
    const ds = await project.datasetAt(file);
    const row = rowAtLine(ds, line);
    if (row < 0) throw new GlassboxError('usage', `line ${line} of ${project.relative(file)} starts no data row`, { file, line });
    const X = ds.X.slice(row * ds.width, (row + 1) * ds.width);
    const p = predict(model, X, 1, signal);
    const id = ROW_METHODS.find((m) => m in METHODS)!;
    const method = getMethod(id);
    const background = method.capabilities.background ? { background: ds.X.subarray(0, Math.min(ds.n, 100) * ds.width), backgroundN: Math.min(ds.n, 100) } : {};
    const r = await method.attribute({ model, encoding, X, n: 1, target: { kind: 'predicted' }, signal, seed: 0, ...background }, resolveParams(id, method.params, {}));
    const features = featureNames(encoding);
    const attributions = features.map((feature, f) => ({ feature, value: r.grouped[f]! })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
    const y = ds.y?.[row];
    return {
      file,
      line,
      row,
      method: id,
      classes: encoding.label?.classes ?? null,
      predicted: p.predicted ? p.predicted[0]! : p.logits[0]!,
      confidence: p.probabilities ? p.probabilities[p.predicted![0]!]! : null,
      label: y === undefined || Number.isNaN(y) ? null : y,
      values: decodeRow(encoding, X),
      attributions,
    };
  },
} satisfies AnalysisStep<RowExplanation>;
