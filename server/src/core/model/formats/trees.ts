/**
 * Tree ensembles (XGBoost, LightGBM, scikit-learn via glassbox-trees.json) as model handles.
 *
 * `logits` evaluates the trees off the tape (no gradients): margins become the logits every
 * classifier is seen through: a logistic one-output model's margin m gives [0, m]; softmax models
 * give their K margins; models whose trees average class probabilities (forests) give log p;
 * regression gives the model's output (after an `exp` link for count/gamma objectives).
 * Exact explanations read the ensemble itself (`native`, the `tree-shap` method).
 */
import * as path from 'node:path';
import { tf } from '../../engine/tf';
import { GlassboxError } from '../../errors';
import { columnNames } from '../../data/encoding';
import { readTreeEnsemble, predictMargins, type TreeEnsemble } from '../trees';
import type { ModelExpectations, ModelHandle, OutputKind } from '../model';
import type { ModelFormatId } from './detect';

export function loadTreeModel(file: string, dir: string, format: ModelFormatId, metadata: Record<string, unknown>, expect: ModelExpectations): ModelHandle {
  const ensemble = readTreeEnsemble(file);
  const { encoding, task } = expect;
  if (ensemble.numFeatures !== encoding.width) {
    const names = columnNames(encoding);
    throw new GlassboxError(
      'shape',
      `the tree model was trained on ${ensemble.numFeatures} input columns but the encoded data has ${encoding.width} ` +
        `(${encoding.features.length} raw features -> ${names.length} columns: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}); ` +
        `check the feature schema (or the encoding file) in glassbox.json against the one used in training`,
      { file },
    );
  }
  const K = ensemble.outputs;
  const classes = task === 'regression' ? 1 : task === 'binary' ? 2 : (encoding.label?.classes?.length ?? K);
  const what = `${path.basename(file)} (${ensemble.objective}, ${K} output${K > 1 ? 's' : ''}, link ${ensemble.link})`;
  let outputKind: OutputKind;
  if (task === 'regression') {
    if (K !== 1) throw new GlassboxError('model', `task is regression but ${what} has ${K} outputs`, { file });
    if (ensemble.link === 'logistic' || ensemble.link === 'softmax') throw new GlassboxError('model', `task is regression but ${what} is a classifier; set "task" in glassbox.json`, { file });
    outputKind = 'value';
  } else {
    if (ensemble.link === 'exp') throw new GlassboxError('model', `task is ${task} but ${what} predicts counts or positive values; set "task": "regression" in glassbox.json`, { file });
    const probabilities = ensemble.link === 'identity';
    const ok = task === 'binary' ? K === 1 || K === 2 : K === classes;
    if (!ok) throw new GlassboxError('model', `task is ${task} with ${classes} classes but ${what} has ${K} outputs; expected ${task === 'binary' ? '1 or 2' : classes}`, { file });
    outputKind = probabilities ? 'probabilities' : 'logits';
  }
  const toLogits = (margins: Float64Array, n: number): Float32Array => {
    const out = new Float32Array(n * (task === 'regression' ? 1 : classes));
    const eps = 1e-7;
    for (let i = 0; i < n; i++) {
      if (task === 'regression') {
        const m = margins[i]!;
        out[i] = ensemble.link === 'exp' ? Math.exp(m) : m;
      } else if (K === 1) {
        // One output: the log-odds of class 1 (logistic), or its probability (averaged trees).
        const m = margins[i]!;
        const p = Math.min(1 - eps, Math.max(eps, m));
        out[2 * i] = 0;
        out[2 * i + 1] = ensemble.link === 'identity' ? Math.log(p / (1 - p)) : m;
      } else {
        for (let k = 0; k < K; k++) {
          const m = margins[i * K + k]!;
          out[i * K + k] =
            ensemble.link === 'softmax' ? m : ensemble.link === 'logistic' ? -Math.log1p(Math.exp(-m)) : Math.log(Math.min(1, Math.max(eps, m)));
        }
      }
    }
    return out;
  };
  const width = task === 'regression' ? 1 : classes;
  return {
    dir,
    file,
    format,
    kind: 'trees',
    metadata: { ...ensemble.metadata, ...metadata },
    task,
    inputWidth: ensemble.numFeatures,
    outputWidth: K,
    classes,
    outputKind,
    differentiable: false,
    logits: (x) => {
      const n = x.shape[0];
      const X = x.dataSync() as Float32Array;
      return tf.tensor2d(toLogits(predictMargins(ensemble, X, n), n), [n, width]);
    },
    native: ensemble,
    dispose: () => {},
  };
}

/** The tree ensemble behind a handle, or undefined for other models. */
export function treeEnsembleOf(model: ModelHandle): TreeEnsemble | undefined {
  return model.kind === 'trees' ? (model.native as TreeEnsemble) : undefined;
}
