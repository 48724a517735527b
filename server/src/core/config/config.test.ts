import { describe, it, expect } from 'vitest';
import { parseConfig } from './config';
import { GlassboxError } from '../errors';

const base = `{
  "data": { "train": "train.csv" },
  "label": "income",
  "checkpoints": { "path": "ckpt" }
}`;

function error(text: string): GlassboxError {
  try {
    parseConfig(text, '/p/glassbox.json');
  } catch (e) {
    return e as GlassboxError;
  }
  throw new Error('expected an error');
}

describe('glassbox.json', () => {
  it('resolves paths against the file and keeps declarations with their lines', () => {
    const c = parseConfig(
      `{
  // comments are fine
  "data": { "train": "data/train.csv", "reference": "prod.csv" },
  "label": "income",
  "features": {
    "age": { "type": "numeric" }
  },
  "checkpoints": { "path": "ckpt" },
}`,
      '/p/glassbox.json',
    );
    expect(c.data).toEqual({ train: '/p/data/train.csv', reference: '/p/prod.csv' });
    expect(c.checkpoints).toBe('/p/ckpt');
    expect(c.declaration.columns.age).toEqual({ type: 'numeric', location: { file: '/p/glassbox.json', line: 6, column: 5 } });
    expect(c.locate(['checkpoints', 'path'])).toEqual({ file: '/p/glassbox.json', line: 8, column: 20 });
  });

  it('refuses data outside the project folder at its line unless the config allows it', () => {
    const outside = `{
  "data": {
    "train": "train.csv",
    "test": "../../etc/passwd"
  },
  "label": "income",
  "checkpoints": { "path": "ckpt" }
}`;
    const e = error(outside);
    expect(e.message).toMatch(/^data\.test '..\/..\/etc\/passwd' is outside the project folder \/p; move it in, or set "allowOutsideProject": true/);
    expect(e.location).toMatchObject({ file: '/p/glassbox.json', line: 4 });
    expect(error(base.replace('"train.csv"', '"/tmp/train.csv"')).message).toMatch(/data\.train .* is outside the project folder/);
    const allowed = parseConfig(outside.replace('"train": "train.csv",', '"train": "train.csv", "allowOutsideProject": true,'), '/p/glassbox.json');
    expect(allowed.data.test).toBe('/etc/passwd');
  });

  it('names a misspelt key, its line, and the key it probably meant', () => {
    const e = error(base.replace('"label"', '"lable": "x",\n  "label"'));
    expect(e.format()).toBe("/p/glassbox.json:3:3: unknown key 'lable' in the top level (did you mean 'label'?)");
    const nested = error(base.replace('"path": "ckpt"', '"path": "ckpt", "learningrate": 0.1'));
    expect(nested.message).toBe("unknown key 'learningrate' in 'checkpoints' (did you mean 'learningRate'?)");
    expect(nested.location?.line).toBe(4);
    const feature = error(base.replace('"label"', '"features": { "age": { "type": "numeric", "transfrom": "none" } },\n  "label"'));
    expect(feature.message).toBe("unknown key 'transfrom' in 'features.age' (did you mean 'transform'?)");
  });

  it('reports bad values, missing keys and broken JSON at their place', () => {
    expect(error(base.replace('"label": "income"', '"label": "income", "task": "binarry"')).message).toBe(`'task' must be one of "binary", "multiclass", "regression"`);
    expect(error('{ "label": "x", "checkpoints": { "path": "c" } }').message).toBe("the top level is missing the required key 'data'");
    const broken = error('{\n  "label": "x",\n  "data": { "train": "t.csv" \n  "checkpoints": {}\n}');
    expect(broken.message).toMatch(/invalid JSON/);
    expect(broken.location?.line).toBe(4);
  });

  it('rejects options that do not fit the column type', () => {
    expect(error(base.replace('"label"', '"features": { "sex": { "type": "categorical", "transform": "none" } },\n  "label"')).message).toMatch(/'transform' applies to numeric features only/);
  });

  it('locates each data file at its data.* key, for errors about the file itself', () => {
    const c = parseConfig('{\n  "data": {\n    "train": "train.csv",\n    "test": "t/test.csv"\n  },\n  "label": "y",\n  "checkpoints": { "path": "c" }\n}', '/p/glassbox.json');
    expect(c.dataLocation('/p/train.csv')).toEqual({ file: '/p/glassbox.json', line: 3, column: 5 });
    expect(c.dataLocation('/p/t/../t/test.csv')).toEqual({ file: '/p/glassbox.json', line: 4, column: 5 });
    expect(c.dataLocation('/p/other.csv')).toBeUndefined();
  });

  it('echoes at most ~200 characters of a user value in a message', () => {
    const key = 'k'.repeat(10 * 1024 * 1024);
    const e = error(base.replace('"label"', `"${key}": 1,\n  "label"`));
    expect(e.message).toBe(`unknown key '${'k'.repeat(200)}… (10485760 characters)' in the top level`);
  });

  it('a label named like an Object.prototype member is not mistaken for a declared feature', () => {
    expect(parseConfig(base.replace('"income"', '"constructor"'), '/p/glassbox.json').declaration.label).toBe('constructor');
  });
});
