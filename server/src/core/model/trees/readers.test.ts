/**
 * Malformed tree files give exactly one GlassboxError (code `model`, one line, the file named),
 * and the UBJSON decoder reads every marker XGBoost writes.
 */
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { GlassboxError } from '../../errors';
import { readTreeEnsemble } from './load';
import { checkWidth } from './types';
import { decodeUbjson, UbjsonError } from './ubjson';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/trees');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-trees-'));
const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));
const write = (name: string, content: string | Uint8Array): string => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
};

/** Reads `file` expecting one model error whose message matches. */
function expectModelError(file: string, message: RegExp): void {
  let caught: unknown;
  try {
    readTreeEnsemble(file);
  } catch (e) {
    caught = e;
  }
  expect(caught, `no error for ${path.basename(file)}`).toBeInstanceOf(GlassboxError);
  const err = caught as GlassboxError;
  expect(err.code).toBe('model');
  expect(err.location?.file).toBe(file);
  expect(err.message).not.toContain('\n');
  expect(err.message).toMatch(message);
}

describe('malformed tree files', () => {
  it('truncated files of each format', () => {
    const cut = (b: Buffer): Buffer => b.subarray(0, Math.floor(b.length * 0.6));
    expectModelError(write('t.json', cut(fixture('xgb-binary.json'))), /XGBoost model is not valid JSON/);
    expectModelError(write('t.ubj', cut(fixture('xgb-binary.ubj'))), /XGBoost model is not valid UBJSON .*truncated/);
    expectModelError(write('t.txt', cut(fixture('lgb-binary.txt'))), /LightGBM model is truncated/);
    expectModelError(write('t-gb.json', cut(fixture('sk-forest.json'))), /glassbox-trees model is not valid JSON/);
  });

  it('unknown objectives', () => {
    const xgb = JSON.parse(fixture('xgb-binary.json').toString());
    xgb.learner.objective.name = 'reg:mystery';
    expectModelError(write('o.json', JSON.stringify(xgb)), /XGBoost objective "reg:mystery" is not supported/);
    const lgb = fixture('lgb-binary.txt').toString().replace('objective=binary sigmoid:1', 'objective=custom');
    expectModelError(write('o.txt', lgb), /LightGBM objective "custom" is not supported/);
    const sigmoid = fixture('lgb-binary.txt').toString().replace('objective=binary sigmoid:1', 'objective=binary sigmoid:2');
    expectModelError(write('s.txt', sigmoid), /sigmoid other than 1/);
    const gb = JSON.parse(fixture('sk-forest.json').toString());
    gb.link = 'probit';
    expectModelError(write('o-gb.json', JSON.stringify(gb)), /"link" must be one of/);
  });

  it('categorical splits, which are refused by name', () => {
    const xgb = JSON.parse(fixture('xgb-binary.json').toString());
    xgb.learner.gradient_booster.model.trees[3].split_type[0] = 1;
    expectModelError(write('c.json', JSON.stringify(xgb)), /tree 3 has categorical splits, which are not supported/);
    // decision_type 1 = categorical on the first split of the first tree.
    const lgb = fixture('lgb-binary.txt').toString().replace(/decision_type=\d+/, 'decision_type=1');
    expectModelError(write('c.txt', lgb), /tree 0 has categorical splits, which are not supported/);
  });

  it('missing fields and broken structure', () => {
    const xgb = JSON.parse(fixture('xgb-binary.json').toString());
    delete xgb.learner.gradient_booster.model.trees[0].sum_hessian;
    expectModelError(write('m.json', JSON.stringify(xgb)), /XGBoost model has no sum_hessian/);
    const gb = JSON.parse(fixture('sk-forest.json').toString());
    delete gb.trees[2].cover;
    expectModelError(write('m-gb.json', JSON.stringify(gb)), /tree 2 has no "cover"/);
    const cyc = JSON.parse(fixture('sk-forest.json').toString());
    cyc.trees[0].left[1] = 0;
    expectModelError(write('cyc-gb.json', JSON.stringify(cyc)), /tree 0 node 1: invalid children/);
    const feat = JSON.parse(fixture('sk-forest.json').toString());
    feat.trees[1].feature[0] = 12;
    expectModelError(write('f-gb.json', JSON.stringify(feat)), /feature 12 is outside 0..11/);
    const v2 = JSON.parse(fixture('sk-forest.json').toString());
    v2.version = 2;
    expectModelError(write('v-gb.json', JSON.stringify(v2)), /version 2 is not supported/);
    const lgb = fixture('lgb-binary.txt').toString().replace(/left_child=[^\n]*/, 'left_child=1 2');
    expectModelError(write('l.txt', lgb), /left_child has 2 values, expected 11/);
    expectModelError(write('x.bin', 'PK\u0003\u0004'), /not a tree model Glassbox reads/);
  });

  it('checkWidth: a data width other than the model’s', () => {
    const file = path.join(FIXTURES, 'xgb-binary.json');
    const model = readTreeEnsemble(file);
    expect(() => checkWidth(model, 12, file)).not.toThrow();
    let caught: unknown;
    try {
      checkWidth(model, 11, file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GlassboxError);
    expect((caught as GlassboxError).code).toBe('model');
    expect((caught as GlassboxError).format()).toBe(`${file}: the tree model expects 12 input columns but the data has 11`);
  });
});

describe('UBJSON', () => {
  const bytes = (...parts: (number | string)[]): Uint8Array =>
    Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [p])));

  it('decodes scalars, strings, untyped and typed containers (big-endian)', () => {
    const doc = bytes(
      '{', 'i', 1, 'a', 'I', 0x01, 0x02, // a: int16 258
      'i', 1, 'b', 'D', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, // b: float64 1.5
      'i', 1, 'c', 'S', 'i', 2, 'h', 'i', // c: "hi"
      'i', 1, 'd', '[', 'T', 'F', 'Z', 'N', 'l', 0xff, 0xff, 0xff, 0xfe, ']', // d: [true, false, null, -2]
      'i', 1, 'e', '[', '$', 'd', '#', 'i', 2, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0, // e: float32 [1, -2]
      'i', 1, 'f', '{', '#', 'i', 1, 'i', 1, 'g', 'U', 200, // f: {g: 200} counted
      '}',
    );
    const v = decodeUbjson(doc) as Record<string, unknown>;
    expect(v.a).toBe(258);
    expect(v.b).toBe(1.5);
    expect(v.c).toBe('hi');
    expect(v.d).toEqual([true, false, null, -2]);
    expect(v.e).toBeInstanceOf(Float32Array);
    expect(Array.from(v.e as Float32Array)).toEqual([1, -2]);
    expect(v.f).toEqual({ g: 200 });
  });

  it('reports truncation with the offset', () => {
    expect(() => decodeUbjson(bytes('[', '$', 'l', '#', 'i', 3, 0, 0, 0, 1))).toThrow(UbjsonError);
    expect(() => decodeUbjson(bytes('{', 'i', 1, 'a'))).toThrow(/truncated at byte 4/);
  });

  it('gives the same model from .ubj as from .json', () => {
    const a = readTreeEnsemble(path.join(FIXTURES, 'xgb-binary.json'));
    const b = readTreeEnsemble(path.join(FIXTURES, 'xgb-binary.ubj'));
    expect(b.baseScore).toEqual(a.baseScore);
    expect(b.objective).toBe(a.objective);
    expect(b.featureNames).toEqual(a.featureNames);
    expect(b.trees.length).toBe(a.trees.length);
    b.trees.forEach((t, i) => {
      expect(Array.from(t.threshold)).toEqual(Array.from(a.trees[i]!.threshold));
      expect(Array.from(t.value)).toEqual(Array.from(a.trees[i]!.value));
      expect(Array.from(t.cover)).toEqual(Array.from(a.trees[i]!.cover));
      expect(Array.from(t.left)).toEqual(Array.from(a.trees[i]!.left));
    });
  });
});
