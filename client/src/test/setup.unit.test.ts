import * as fs from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { Commands } from '../commandIds';
import { COMMAND_FACTORIES } from '../commands';
import { inferConfig, parseHeader } from '../setup/inferConfig';
import { fakeDeps } from './fakes';

const schema = JSON.parse(fs.readFileSync('schemas/glassbox.schema.json', 'utf8'));
const validate = new Ajv({ strict: false }).compile(schema);

describe('Create glassbox.json', () => {
  it('guesses train/test files, the label and the checkpoint series, and the result fits the schema', () => {
    const header = ['age', 'sex', 'income'];
    const guess = inferConfig(
      [{ path: 'data/adult_test.csv', header }, { path: 'data/adult_train.csv', header }, { path: 'notes/other.csv', header: ['a', 'b'] }],
      ['checkpoints/epoch-1/model.json', 'checkpoints/epoch-2/model.json', 'export/model.json'],
    )!;
    expect(guess.config).toEqual({ data: { train: 'data/adult_train.csv', test: 'data/adult_test.csv', reference: 'data/adult_test.csv' }, label: 'income', checkpoints: { path: 'checkpoints' } });
    expect(guess.labelCandidates).toEqual(['income', 'age', 'sex']);
    expect(validate(guess.config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('falls back to the last column and a default checkpoint folder', () => {
    const guess = inferConfig([{ path: 'd.csv', header: parseHeader('\uFEFF"x", w ,z') }], [])!;
    expect(guess.config).toEqual({ data: { train: 'd.csv' }, label: 'z', checkpoints: { path: 'checkpoints' } });
    expect(inferConfig([{ path: 'one.csv', header: ['only'] }], [])).toBeUndefined();
  });

  it('writes the file with the picked label and opens it', async () => {
    const { deps, rec } = fakeDeps({ root: '/ws', picks: [1], files: { '/ws/data/train.csv': 'a,b,target\n1,2,0\n', '/ws/ckpt/e1/model.json': '{}' } });
    await COMMAND_FACTORIES[Commands.createConfig](deps)();
    expect(JSON.parse(rec.written['/ws/glassbox.json']!)).toEqual({ data: { train: 'data/train.csv' }, label: 'a', checkpoints: { path: 'ckpt' } });
    expect(rec.opened).toEqual([{ file: '/ws/glassbox.json' }]);
    expect(rec.infos).toEqual(['glassbox.json created: Glassbox is analysing the 1 checkpoint in ckpt/, newest first.']);
  });

  it('finds checkpoints of every format, and names the next step when there are none', async () => {
    const onnx = fakeDeps({ root: '/ws', files: { '/ws/data/train.csv': 'a,b,label\n1,2,0\n', '/ws/runs/r1/model.onnx': '', '/ws/runs/r2/model.onnx': '' } });
    await COMMAND_FACTORIES[Commands.createConfig](onnx.deps)();
    expect(JSON.parse(onnx.rec.written['/ws/glassbox.json']!).checkpoints).toEqual({ path: 'runs' });
    expect(onnx.rec.infos).toEqual(['glassbox.json created: Glassbox is analysing the 2 checkpoints in runs/, newest first.']);
    const none = fakeDeps({ root: '/ws', files: { '/ws/data/train.csv': 'a,b,label\n1,2,0\n' } });
    await COMMAND_FACTORIES[Commands.createConfig](none.deps)();
    expect(none.rec.infos).toEqual(['glassbox.json created. Next: train your model and save checkpoints in checkpoints/; Glassbox analyses each one as it lands.']);
  });

  it('does not overwrite an existing glassbox.json', async () => {
    const { deps, rec } = fakeDeps({ root: '/ws', files: { '/ws/glassbox.json': '{}' } });
    await COMMAND_FACTORIES[Commands.createConfig](deps)();
    expect(rec.written).toEqual({});
    expect(rec.infos[0]).toMatch(/already has/);
  });
});
