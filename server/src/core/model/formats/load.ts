/**
 * Loads a checkpoint's model, whatever its format, into one `ModelHandle` checked against the
 * project's encoding and task. Only the analysis side calls this (it builds tensors); finding and
 * inspecting checkpoints is `formats/detect.ts`, which the editor side may call.
 */
import { GlassboxError } from '../../errors';
import type { CheckpointInfo } from '../checkpoints';
import { loadModel, type ModelExpectations, type ModelHandle } from '../model';
import { loadLinearModel } from './linear';
import { loadOnnxModel } from './onnx';
import { loadTreeModel } from './trees';

export async function loadCheckpointModel(checkpoint: CheckpointInfo, expect: ModelExpectations): Promise<ModelHandle> {
  if (checkpoint.state !== 'ready') {
    throw new GlassboxError(checkpoint.state === 'incomplete' ? 'checkpoint-incomplete' : 'checkpoint', `checkpoint ${checkpoint.name} is not loadable: ${checkpoint.problem}`, { file: checkpoint.file });
  }
  const metadata = checkpoint.metadata ?? {};
  switch (checkpoint.format) {
    case 'tfjs':
      return loadModel(checkpoint.dir, expect);
    case 'glassbox-linear':
      return loadLinearModel(checkpoint.file, checkpoint.dir, metadata, expect);
    case 'onnx':
      return loadOnnxModel(checkpoint.file, checkpoint.dir, metadata, expect);
    case 'xgboost-json':
    case 'xgboost-ubj':
    case 'lightgbm':
    case 'glassbox-trees':
      return loadTreeModel(checkpoint.file, checkpoint.dir, checkpoint.format, metadata, expect);
  }
}
