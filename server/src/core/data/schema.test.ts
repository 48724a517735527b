import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { openCsv } from './csv';
import { fitSchema, type SchemaDeclaration } from './schema';
import { compileEncoder, decodeRow, groupByFeature, groupByFeatureActive, newCounters, columnNames, type Encoding } from './encoding';
import { loadDataset } from './dataset';
import { readEncodingFile } from './encoding-file';
import { DATA, ANCHORS, readAnchor, expectClose } from '../../../test/helpers';

const text = (t: string) => ({ text: t, name: 'data.csv' });
const decl = (over: Partial<SchemaDeclaration> = {}): SchemaDeclaration => ({ label: 'y', columns: {}, inferRest: true, ...over });

describe('fitSchema', () => {
  it('infers numeric, categorical and identifier-like columns with reasons', async () => {
    const rows = ['id,age,color,y'];
    for (let i = 0; i < 300; i++) rows.push(`u${i},${20 + (i % 40)},${['red', 'blue', 'green'][i % 3]},${i % 2}`);
    const s = await fitSchema(await openCsv(text(rows.join('\n'))), decl(), 'data.csv');
    expect(s.task).toBe('binary');
    expect(s.encoding.label).toEqual({ name: 'y', classes: ['0', '1'] });
    expect(s.columns.map((c) => [c.name, c.role, c.type])).toEqual([
      ['id', 'ignored', undefined],
      ['age', 'feature', 'numeric'],
      ['color', 'feature', 'categorical'],
      ['y', 'label', undefined],
    ]);
    expect(s.columns[0]!.reason).toMatch(/identifier/);
    expect(columnNames(s.encoding)).toEqual(['age', 'color=blue', 'color=green', 'color=red']);
  });

  it('fits the Adult encoding exactly as the reference encoding (means, population std, sorted categories)', async () => {
    const s = await fitSchema(await openCsv(path.join(DATA, 'adult_train.csv')), decl({ label: 'income' }), 'adult_train.csv');
    const ref = readAnchor('encoding.json');
    expect(s.encoding.width).toBe(108);
    expect(s.encoding.features.map((f) => f.name)).toEqual(ref.features.map((f: { name: string }) => f.name));
    for (const [i, f] of s.encoding.features.entries()) {
      const r = ref.features[i];
      expect(f.type).toBe(r.type);
      expect(f.columns).toEqual(r.columns);
      if (f.type === 'numeric') {
        expect(Math.abs(f.mean - r.mean) / Math.abs(r.mean)).toBeLessThan(1e-12);
        expect(Math.abs(f.std - r.std) / r.std).toBeLessThan(1e-12);
      } else expect(f.categories).toEqual(r.categories);
    }
  });

  it('German credit: UCI codes become categories, numbers stay numeric, the label is binary', async () => {
    const s = await fitSchema(await openCsv(path.join(DATA, 'german_credit.csv')), decl({ label: 'credit_risk' }), 'german_credit.csv');
    const types = Object.fromEntries(s.columns.map((c) => [c.name, c.type ?? c.role]));
    expect(types).toMatchObject({ checking_status: 'categorical', duration: 'numeric', credit_amount: 'numeric', purpose: 'categorical', age: 'numeric', credit_risk: 'label' });
    expect(s.task).toBe('binary');
  });

  it('honours declarations: ignore, pass-through numeric, fixed categories, unknown column', async () => {
    const s = await fitSchema(
      await openCsv(text('a,b,c,y\n1,x,5,0\n3,y,6,1\n')),
      decl({ columns: { a: { type: 'numeric', transform: 'none' }, b: { type: 'categorical', categories: ['y', 'x'], unknown: 'column' }, c: { type: 'ignore' } } }),
      'data.csv',
    );
    expect(columnNames(s.encoding)).toEqual(['a', 'b=y', 'b=x', 'b=<unknown>']);
    expect(s.encoding.ignored).toEqual(['c']);
  });

  it('names a declared column the data does not have, with a suggestion', async () => {
    await expect(fitSchema(await openCsv(text('age,y\n1,0\n')), decl({ columns: { agee: { type: 'numeric' } } }), 'data.csv')).rejects.toThrow(/feature 'agee' is declared .*did you mean 'age'/);
    await expect(fitSchema(await openCsv(text('age,y\n1,0\n')), decl({ label: 'labl' }), 'data.csv')).rejects.toThrow(/label column 'labl'/);
  });

  it('rejects a numeric declaration over text values', async () => {
    await expect(fitSchema(await openCsv(text('a,y\n1,0\nx,1\n')), decl({ columns: { a: { type: 'numeric' } } }), 'data.csv')).rejects.toThrow(/declared numeric .* 'x'/);
  });
});

describe('encoding', () => {
  const encoding: Encoding = {
    features: [
      { name: 'age', type: 'numeric', transform: 'standardize', mean: 40, std: 10, columns: [0, 1] },
      { name: 'sex', type: 'categorical', categories: ['Female', 'Male'], unknown: 'zeros', columns: [1, 3] },
      { name: 'color', type: 'categorical', categories: ['blue', 'red'], unknown: 'column', columns: [3, 6] },
    ],
    ignored: [],
    missing: ['', '?'],
    width: 6,
  };
  const header = ['color', 'age', 'sex'];

  it('round-trips encode and decode', () => {
    const enc = compileEncoder(encoding, header);
    const out = new Float32Array(6);
    enc.encode(['red', '55', 'Male'], out, 0);
    expect(Array.from(out)).toEqual([1.5, 0, 1, 0, 1, 0]);
    expect(decodeRow(encoding, out)).toEqual({ age: 55, sex: 'Male', color: 'red' });
  });

  it('counts unseen categories and missing numbers per the schema', () => {
    const enc = compileEncoder(encoding, header);
    const counters = newCounters();
    const out = new Float32Array(12);
    enc.encode(['purple', '?', 'Other'], out, 0, counters);
    enc.encode(['purple', '', 'Male'], out, 6, counters);
    expect(Array.from(out.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 1]);
    expect(counters.unseen.get('color')).toEqual(new Map([['purple', 2]]));
    expect(counters.unseen.get('sex')).toEqual(new Map([['Other', 1]]));
    expect(counters.missing.get('age')).toBe(2);
    expect(decodeRow(encoding, out.subarray(0, 6))).toEqual({ age: 40, sex: null, color: '<unknown>' });
  });

  it('sums one-hot groups per raw feature, or takes the active column', () => {
    const values = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]);
    expect(Array.from(groupByFeature(values, 2, encoding))).toEqual([1, 5, 15, 10, 50, 150]);
    const X = Float32Array.from([0.3, 0, 1, 1, 0, 0, -1, 1, 0, 0, 0, 1]);
    expect(Array.from(groupByFeatureActive(values, X, 2, encoding))).toEqual([1, 3, 4, 10, 20, 60]);
  });

  it('refuses a header without a column the model uses', () => {
    expect(() => compileEncoder(encoding, ['age', 'sex'])).toThrow(/column 'color' used by the model is not in the header/);
  });
});

describe('loadDataset', () => {
  it('encodes Adult test rows as the reference does and keeps source lines', async () => {
    const encoding = readEncodingFile(path.join(ANCHORS, 'encoding.json'));
    encoding.label = { name: 'income', classes: ['0', '1'] };
    const ds = await loadDataset(path.join(DATA, 'adult_test.csv'), encoding);
    expect(ds.n).toBe(16281);
    expect(ds.lines[0]).toBe(2);
    expect(ds.lines[16280]).toBe(16282);
    expectClose(ds.X.subarray(0, 3 * 108), readAnchor('encoding.json').check_rows.X.flat(), 1e-6, 1e-7);
    expect(Array.from(ds.y!.subarray(0, 3))).toEqual([0, 0, 1]);
  });
});
