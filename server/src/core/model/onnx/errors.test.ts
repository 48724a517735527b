import * as path from 'node:path';
import { describe, it, expect } from 'vitest';
import { GlassboxError } from '../../errors';
import { REPO } from '../../../../test/helpers';
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
