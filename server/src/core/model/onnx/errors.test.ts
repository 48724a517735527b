import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from '../../engine/tf';
import { initEngine } from '../../engine/backend';
import { GlassboxError } from '../../errors';
import { REPO, tmpDir } from '../../../../test/helpers';
import { loadOnnxGraph, MAX_OPSET, SUPPORTED_OPERATORS } from './index';

const FIXTURES = path.join(REPO, 'server/test/fixtures/onnx');

/** Loads a bad fixture and returns the one GlassboxError it must raise. */
function errorOf(file: string): GlassboxError {
  const full = path.join(FIXTURES, file);
  let caught: unknown;
  try {
    loadOnnxGraph(full).dispose();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GlassboxError);
  const err = caught as GlassboxError;
  expect(err.code).toBe('model');
  expect(err.location).toEqual({ file: full });
  expect(err.message).not.toContain('\n');
  // The location carries the file; format() gives the one line the CLI prints.
  expect(err.format()).toBe(`${full}: ${err.message}`);
  return err;
}

describe('ONNX models Glassbox refuses, each with one actionable error', () => {
  it('names every node whose operator is unsupported, at once, with the supported list', () => {
    const { message } = errorOf('bad_topk.onnx');
    expect(message).toContain("node '/TopK' uses operator 'TopK'");
    expect(message).toContain("node '/CumSum' uses operator 'CumSum'");
    expect(message).toContain('which Glassbox cannot run as TF.js ops');
    expect(message).toContain(`(supported: ${SUPPORTED_OPERATORS.join(', ')})`);
  });

  it('a truncated file and a file that is not ONNX', () => {
    expect(errorOf('bad_truncated.onnx').message).toMatch(/not a readable ONNX model .*truncated or not ONNX/);
    expect(errorOf('bad_not_onnx.onnx').message).toMatch(/not a readable ONNX model .*truncated or not ONNX/);
  });

  it('an opset newer than supported says which', () => {
    expect(errorOf('bad_opset25.onnx').message).toBe(`opset 25 is newer than Glassbox supports (ONNX opsets 7-${MAX_OPSET}); export with opset_version=${MAX_OPSET} or lower`);
  });

  it('string input, two inputs, a 3-D input, external data', () => {
    expect(errorOf('bad_string_input.onnx').message).toContain("input 'input' is string");
    expect(errorOf('bad_two_inputs.onnx').message).toContain("the graph has 2 inputs ('a', 'b')");
    expect(errorOf('bad_rank3_input.onnx').message).toContain("input 'input' has 3 dimensions; Glassbox needs a 2-D input [batch, features]");
    expect(errorOf('bad_external.onnx').message).toMatch(/initializer '.+' keeps its data in bad_external\.onnx\.data \(external data\)/);
  });

  it('a missing file', () => {
    expect(errorOf('no_such_model.onnx').message).toMatch(/^cannot read the ONNX model: ENOENT/);
  });
});

/** A model built in memory with onnx-proto, written to a temporary file. */
function writeModel(name: string, build: { nodes: onnx.INodeProto[]; width?: number | string; opset?: number; initializers?: onnx.ITensorProto[] }): string {
  const T = onnx.TensorProto.DataType;
  const dim = (v: number | string): onnx.TensorShapeProto.IDimension => (typeof v === 'number' ? { dimValue: v } : { dimParam: v });
  const valueInfo = (n: string, dims: Array<number | string>): onnx.IValueInfoProto => ({ name: n, type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map(dim) } } } });
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: build.opset ?? 13 }],
    producerName: 'glassbox-test',
    graph: {
      name: name,
      node: build.nodes,
      input: [valueInfo('input', ['batch', build.width ?? 2])],
      output: [valueInfo('output', ['batch', 2])],
      initializer: build.initializers ?? [],
    },
  };
  const file = path.join(tmpDir('onnx'), `${name}.onnx`);
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

function messageOf(file: string): string {
  try {
    loadOnnxGraph(file).dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).location).toEqual({ file });
    return (e as GlassboxError).message;
  }
  throw new Error(`${file} loaded`);
}

describe('ONNX graphs built in memory', () => {
  beforeAll(() => initEngine());
  const node = (opType: string, input: string[], output: string[], extra: Partial<onnx.INodeProto> = {}): onnx.INodeProto => ({ opType, input, output, name: `${opType}_${output[0]}`, ...extra });

  it('runs nodes listed out of topological order (reordered), computing relu(x) + 1 exactly', () => {
    const one: onnx.ITensorProto = { name: 'one', dataType: onnx.TensorProto.DataType.FLOAT, dims: [], floatData: [1] };
    const file = writeModel('unsorted', { nodes: [node('Add', ['r', 'one'], ['output']), node('Relu', ['input'], ['r'])], initializers: [one] });
    const g = loadOnnxGraph(file);
    const out = tf.tidy(() => g.forward(tf.tensor2d([[-2, 0.5], [3, -0.25]])).arraySync());
    expect(out).toEqual([[1, 1.5], [4, 1]]);
    g.dispose();
  });

  it('refuses an initializer whose data does not fill its shape, before allocating it', () => {
    const huge: onnx.ITensorProto = { name: 'w', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1e9, 1e3], rawData: new Uint8Array(8) };
    expect(messageOf(writeModel('huge', { nodes: [node('Add', ['input', 'w'], ['output'])], initializers: [huge] }))).toBe("initializer 'w' has 8 bytes of data for shape [1000000000, 1000]");
  });

  it('a node that fails at run time is named in a GlassboxError', () => {
    const shape: onnx.ITensorProto = { name: 'shape', dataType: onnx.TensorProto.DataType.INT64, dims: [2], int64Data: [-1, 3] };
    const g = loadOnnxGraph(writeModel('reshape', { nodes: [node('Reshape', ['input', 'shape'], ['output'])], width: 2, initializers: [shape] }));
    expect(() => tf.tidy(() => g.forward(tf.zeros([2, 2]) as tf.Tensor2D))).toThrow(GlassboxError);
    expect(() => tf.tidy(() => g.forward(tf.zeros([2, 2]) as tf.Tensor2D))).toThrow(/^node 'Reshape_output' \(Reshape\) failed: .*4.*3/);
    g.dispose();
  });

  it('refuses a value nothing produces, naming the node', () => {
    expect(messageOf(writeModel('dangling', { nodes: [node('Relu', ['nowhere'], ['output'])] }))).toBe("node 'Relu_output' reads 'nowhere', which no node, initializer or input provides (or the graph has a cycle)");
  });

  it('refuses operators of other domains, a symbolic feature width, opsets before 7, BatchNorm in training mode', () => {
    expect(messageOf(writeModel('domain', { nodes: [node('FusedGemm', ['input'], ['output'], { domain: 'com.microsoft' })] }))).toMatch(/^node 'FusedGemm_output' uses operator 'com\.microsoft\.FusedGemm', which Glassbox cannot run/);
    expect(messageOf(writeModel('symbolic', { nodes: [node('Relu', ['input'], ['output'])], width: 'features' }))).toBe("input 'input' has no fixed feature width (dimension 1 is 'features'); export with a fixed number of features");
    expect(messageOf(writeModel('old', { nodes: [node('Relu', ['input'], ['output'])], opset: 6 }))).toMatch(/^opset 6 is older than Glassbox supports/);
    const training: onnx.IAttributeProto = { name: 'training_mode', type: onnx.AttributeProto.AttributeType.INT, i: 1 };
    const bn = node('BatchNormalization', ['input', 's', 'b', 'm', 'v'], ['output'], { attribute: [training] });
    const inits = ['s', 'b', 'm', 'v'].map((name) => ({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [2], floatData: [1, 1] }));
    expect(messageOf(writeModel('bn', { nodes: [bn], opset: 15, initializers: inits }))).toBe("node 'BatchNormalization_output' (BatchNormalization) has training_mode=1 (export the model in eval mode)");
  });
});
