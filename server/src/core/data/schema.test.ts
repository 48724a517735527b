import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { openCsv } from './csv';
import { fitSchema, type SchemaDeclaration } from './schema';
import { compileEncoder, decodeRow, groupByFeature, groupByFeatureActive, newCounters, columnNames, type Encoding } from './encoding';
import { loadDataset } from './dataset';
import { readEncodingFile } from './encoding-file';
import * as fs from 'node:fs';
import { DATA, ANCHORS, readAnchor, expectClose, tmpDir } from '../../../test/helpers';

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

describe('numbers beyond the float32 range', () => {
  // x is 1..10 on lines 2..11, with out-of-range values written in four ways in between.
  const rows = ['x,c,y'];
  const outOfRangeLines: number[] = [];
  for (let i = 1; i <= 10; i++) {
    rows.push(`${i},${i % 2 ? 'a' : 'b'},${i % 2}`);
    if (i % 3 === 0) {
      rows.push(`${['1e308', 'inf', '-Infinity', 'INF'][i / 3 - 1]},a,0`);
      outOfRangeLines.push(rows.length);
    }
  }

  it('are treated as missing in schema fitting, with a note naming their lines, and the std stays finite', async () => {
    const s = await fitSchema(await openCsv(text(rows.join('\n'))), decl(), 'data.csv');
    const x = s.encoding.features.find((f) => f.name === 'x')!;
    expect(x.type).toBe('numeric');
    // Brute force over the in-range values 1..10: mean 5.5, population variance 8.25.
    if (x.type !== 'numeric') throw new Error('x is numeric');
    expect(x.mean).toBeCloseTo(5.5, 12);
    expect(x.std).toBeCloseTo(Math.sqrt(8.25), 12);
    const report = s.columns.find((c) => c.name === 'x')!;
    expect(report.outOfRange).toEqual({ count: 3, lines: outOfRangeLines.slice(0, 3), example: '1e308' });
    expect(report.missing).toBe(3);
    expect(s.notes).toEqual([
      {
        feature: 'x',
        file: 'data.csv',
        lines: outOfRangeLines.slice(0, 3),
        message: `x: 3 value(s) beyond the float32 range (e.g. '1e308') treated as missing (imputed with the training mean) on line(s) ${outOfRangeLines.slice(0, 3).join(', ')}`,
      },
    ]);
  });

  it('are imputed when a data set is loaded, listed per feature with lines, and never become infinite inputs', async () => {
    const s = await fitSchema(await openCsv(text(rows.join('\n'))), decl(), 'data.csv');
    const probe = ['x,c,y', '2,a,0', '1e308,b,1', '-3.5e38,a,0', '3e38,a,0', 'Infinity,a,1', 'abc,b,0', ' inf ,a,0'].join('\n');
    const dir = tmpDir('out-of-range');
    const file = path.join(dir, 'probe.csv');
    fs.writeFileSync(file, probe);
    const ds = await loadDataset(file, s.encoding);
    const x = s.encoding.features.find((f) => f.name === 'x')!;
    if (x.type !== 'numeric') throw new Error('x is numeric');
    const col = x.columns[0];
    const xs = Array.from({ length: ds.n }, (_, r) => ds.X[r * ds.width + col]!);
    expect(xs.every(Number.isFinite)).toBe(true);
    // Line 2 is 2 standardised; 3e38 is within float32 and is kept; the rest are imputed (0).
    expect(xs[0]).toBeCloseTo((2 - 5.5) / Math.sqrt(8.25), 6);
    expect(xs[3]).toBeCloseTo(Math.fround((3e38 - 5.5) / Math.sqrt(8.25)), -30);
    expect([xs[1], xs[2], xs[4], xs[5], xs[6]]).toEqual([0, 0, 0, 0, 0]);
    expect(ds.outOfRange).toEqual(new Map([['x', { count: 4, lines: [3, 4, 6, 8], example: '1e308' }]]));
    // 'abc' is an ordinary unparsable value: counted as missing, not as out of range.
    expect(ds.counters.missing).toEqual(new Map([['x', 1]]));
    fs.rmSync(dir, { recursive: true });
  });

  it('columns named like Object.prototype members are inferred, not taken as declared', async () => {
    const t = ['constructor,toString,__proto__,y', ...Array.from({ length: 6 }, (_, i) => `${i},${i * 2},${i % 3},${i % 2}`)].join('\n');
    const s = await fitSchema(await openCsv(text(t)), decl(), 'data.csv');
    expect(s.columns.map((c) => [c.name, c.role, c.type, c.declared])).toEqual([
      ['constructor', 'feature', 'numeric', false],
      ['toString', 'feature', 'numeric', false],
      ['__proto__', 'feature', 'numeric', false],
      ['y', 'label', undefined, true],
    ]);
  });
});
