import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEncodingFile, parseEncoding } from './encoding-file';
import { loadDataset } from './dataset';
import { categoryIndex, columnNames, compileEncoder, decodeRow, groupByFeature, groupByFeatureActive, newCounters, type CategoricalFeature, type Encoding } from './encoding';
import { GlassboxError } from '../errors';
import { REPO, tmpDir } from '../../../test/helpers';

const FIXTURES = path.join(REPO, 'server/test/fixtures/python');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'adult-expected.json'), 'utf8')) as Record<string, number[][]> & { columns: string[] };

/**
 * Largest |a - b| / max(1, |b|) over two row lists of equal shape: data sets hold float32, which
 * keeps 38.584845318 (an imputed mean passed through unscaled) only to ~2e-6 absolute.
 */
function maxDiff(actual: Float32Array, rows: number[][]): number {
  const width = rows[0]!.length;
  expect(actual.length).toBe(rows.length * width);
  let worst = 0;
  rows.forEach((row, r) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(actual[r * width + c]! - v) / Math.max(1, Math.abs(v))))));
  return worst;
}

function encode(encoding: Encoding, header: string[], row: string[]) {
  const out = new Float32Array(encoding.width);
  const counters = newCounters();
  compileEncoder(encoding, header, 'rows.csv').encode(row, out, 0, counters);
  return { out: Array.from(out), counters };
}

describe('encoding files written by the Python package reproduce scikit-learn and pandas', () => {
  for (const [source, file] of [
    ['columnTransformer', 'adult-encoding.json'],
    ['dummies', 'adult-dummies-encoding.json'],
  ] as const) {
    for (const rows of ['train', 'test'] as const) {
      it(`${source}: transform() of the ${rows} rows from the CSV text, within 1e-6`, async () => {
        const encoding = readEncodingFile(path.join(FIXTURES, file));
        const ds = await loadDataset(path.join(FIXTURES, `adult-rows-${rows}.csv`), encoding, { labels: false });
        expect(ds.n).toBe(100);
        expect(maxDiff(ds.X, expected[`${source}.${rows}`]!)).toBeLessThan(1e-6);
        if (source === 'columnTransformer') expect(columnNames(encoding)).toEqual(expected.columns);
      });
    }
  }

  it('counts what the test rows needed: unseen categories, imputed numerics and the imputed country', async () => {
    const encoding = readEncodingFile(path.join(FIXTURES, 'adult-encoding.json'));
    const ds = await loadDataset(path.join(FIXTURES, 'adult-rows-test.csv'), encoding, { labels: false });
    expect(Object.fromEntries([...ds.counters.unseen].map(([f, m]) => [f, Object.fromEntries(m)]))).toEqual({
      workclass: { 'Never-seen-gov': 1 },
      education: { Kindergarten: 1 },
      education_num: { '17': 1 },
      native_country: { Atlantis: 1 },
    });
    expect(Object.fromEntries(ds.counters.missing)).toEqual({ age: 1, hours_per_week: 1, native_country: 2 }); // one '?' is in the data, one was set
    // The imputed '?' row decodes to the most frequent country, the unseen one to the infrequent column.
    const row = (i: number) => decodeRow(encoding, ds.X.subarray(i * ds.width, (i + 1) * ds.width));
    expect(row(3).native_country).toBe('<infrequent>');
    expect(row(4).native_country).toBe('United-States');
    expect(row(2).education_num).toBeNull();
    expect(row(0).workclass).toBeNull();
    expect(row(0).sex).toBe(ds.X[0 * ds.width + encoding.features.find((f) => f.name === 'sex')!.columns[0]] === 1 ? 'Male' : 'Female');
  });
});

describe('encoding extensions', () => {
  const header = ['x', 'c', 'o'];
  const encoding = parseEncoding(
    {
      features: [
        { name: 'x', type: 'numeric', mean: 10, std: 2, impute: 4 },
        { name: 'c', type: 'categorical', encoding: 'onehot', categories: ['b', 'c', 3], dropped: 'a', impute: 'a' },
        { name: 'o', type: 'categorical', encoding: 'ordinal', categories: ['lo', 'mid', 'hi', 2.5], unknownValue: null, missingValue: -2 },
      ],
      missing: ['', '?'],
    },
    'enc.json',
  );

  it('lays out columns: numeric 1, one-hot without the dropped category, ordinal 1', () => {
    expect(encoding.features.map((f) => f.columns)).toEqual([[0, 1], [1, 4], [4, 5]]);
    expect(encoding.width).toBe(5);
    expect(columnNames(encoding)).toEqual(['x', 'c=b', 'c=c', 'c=3', 'o']);
  });

  it('encodes numeric impute, dropped and numeric-text categories, ordinal codes, unknown and missing values', () => {
    expect(encode(encoding, header, ['12', 'c', 'hi']).out).toEqual([1, 0, 1, 0, 2]);
    // impute 4 -> (4 - 10) / 2; the dropped 'a' is all zeros; a missing ordinal takes missingValue.
    const imputed = encode(encoding, header, ['?', 'a', '']);
    expect(imputed.out).toEqual([-3, 0, 0, 0, -2]);
    expect(Object.fromEntries(imputed.counters.missing)).toEqual({ x: 1, o: 1 });
    // A missing categorical with impute 'a' is the dropped category, counted as missing, not unseen.
    const missingC = encode(encoding, header, ['10', '', 'lo']);
    expect(missingC.out).toEqual([0, 0, 0, 0, 0]);
    expect(Object.fromEntries(missingC.counters.missing)).toEqual({ c: 1 });
    // "3.0" and "3e0" are the category 3; "2.50" is 2.5 (index 3).
    expect(encode(encoding, header, ['10', '3.0', '2.50']).out).toEqual([0, 0, 0, 1, 3]);
    expect(encode(encoding, header, ['10', '3e0', 'mid']).out).toEqual([0, 0, 0, 1, 1]);
    // Unseen: one-hot zeros, ordinal unknownValue (null = NaN); both counted as unseen.
    const unseen = encode(encoding, header, ['10', 'z', 'huge']);
    expect(unseen.out.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(unseen.out[4]).toBeNaN();
    expect(Object.fromEntries([...unseen.counters.unseen].map(([f, m]) => [f, [...m.keys()]]))).toEqual({ c: ['z'], o: ['huge'] });
  });

  it('decodes rows back to the raw categories (dropped from zeros, ordinal from its code)', () => {
    expect(decodeRow(encoding, encode(encoding, header, ['12', 'a', 'mid']).out)).toEqual({ x: 12, c: 'a', o: 'mid' });
    expect(decodeRow(encoding, encode(encoding, header, ['8', '3', 'huge']).out)).toEqual({ x: 8, c: '3', o: null });
    const c = encoding.features[1] as CategoricalFeature;
    expect(categoryIndex(c, [7, 0, 1, 0, 2], 0)).toBe(1);
    expect(categoryIndex(c, [9, 7, 0, 0, 0, 0, 2], 2)).toBe(3); // all zeros: the dropped 'a', after the 3 categories
  });

  it('groups gradients: an ordinal column keeps its value like a numeric one', () => {
    const X = encode(encoding, header, ['12', 'c', 'hi']).out;
    const grads = [0.5, 1, 2, 4, 8];
    expect(Array.from(groupByFeatureActive(grads, X, 1, encoding))).toEqual([0.5, 2, 8]);
    expect(Array.from(groupByFeature(grads, 1, encoding))).toEqual([0.5, 7, 8]);
  });

  it('keeps infrequent categories apart from unseen ones in the shared last column', () => {
    const e = parseEncoding({ features: [{ name: 'k', type: 'categorical', categories: ['a', 'b'], infrequent: ['r1', 'r2'], unknown: 'zeros' }] }, 'enc.json');
    expect(columnNames(e)).toEqual(['k=a', 'k=b', 'k=<infrequent>']);
    const rare = encode(e, ['k'], ['r2']);
    expect(rare.out).toEqual([0, 0, 1]);
    expect(rare.counters.unseen.size).toBe(0);
    expect(encode(e, ['k'], ['new']).out).toEqual([0, 0, 0]);
    const withColumn = parseEncoding({ features: [{ name: 'k', type: 'categorical', categories: ['a', 'b'], infrequent: ['r1'], unknown: 'column' }] }, 'enc.json');
    expect(encode(withColumn, ['k'], ['new']).out).toEqual([0, 0, 1]);
  });

  it('reads the original layout unchanged (no encoding key: one-hot, unknown zeros, impute = mean)', () => {
    const e = parseEncoding({ features: [{ name: 'x', type: 'numeric', mean: 1, std: 2 }, { name: 'c', type: 'categorical', categories: ['u', 'v'], unknown: 'column' }] }, 'enc.json');
    expect(e.width).toBe(4);
    expect(encode(e, ['x', 'c'], ['', 'w']).out).toEqual([0, 0, 0, 1]);
  });

  it('refuses contradictions with a config error naming the file and the feature', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ features: [{ name: 'c', type: 'categorical', categories: ['a'], dropped: 'a' }] }, /drops 'a', which also has a column/],
      [{ features: [{ name: 'c', type: 'categorical', categories: ['a'], impute: 'z' }] }, /imputes 'z', which is not one of its categories/],
      [{ features: [{ name: 'c', type: 'categorical', encoding: 'ordinal', categories: ['a'], dropped: 'b' }] }, /is ordinal; 'dropped' applies to one-hot/],
      [{ features: [{ name: 'c', type: 'categorical', encoding: 'target', categories: ['a'] }] }, /encoding "target"; expected "onehot" or "ordinal"/],
      [{ features: [{ name: 'c', type: 'categorical', categories: ['a', 'a'] }] }, /lists a category twice/],
      [{ features: [{ name: 'x', type: 'numeric', mean: 0, std: 1, impute: 'zero' }] }, /impute "zero"; expected a number/],
      [{ format: 'glassbox-trees', features: [] }, /format "glassbox-trees"/],
      [{ features: [{ name: 'x', type: 'numeric', mean: 0, std: 1 }], width: 3 }, /says width 3 but its features give 1/],
    ];
    for (const [json, message] of bad) {
      let error: unknown;
      try {
        parseEncoding(json as never, 'enc.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GlassboxError);
      expect((error as GlassboxError).code).toBe('config');
      expect((error as GlassboxError).location).toEqual({ file: 'enc.json' });
      expect((error as GlassboxError).message).toMatch(message);
    }
  });

  it('reports an unreadable file at the file', () => {
    const file = path.join(tmpDir('encoding'), 'enc.json');
    fs.writeFileSync(file, '{"features": [');
    expect(() => readEncodingFile(file)).toThrow(GlassboxError);
  });
});
