import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsv } from './csv';
import { loadDataset } from './dataset';
import { compileEncoder } from './encoding';
import { fitSchema, type SchemaDeclaration } from './schema';
import { columnKindsOf, dataFormat, openSource } from './source';
import { isGlassboxError } from '../errors';

// Written by scripts/fixtures/data_source_fixtures.py (pyarrow): the same rows in every format.
const DIR = path.join(__dirname, '../../../test/fixtures/data-sources');
const at = (f: string) => path.join(DIR, f);
const manifest = JSON.parse(fs.readFileSync(at('manifest.json'), 'utf8')) as { rows: number; rowGroups: number; corruptRowGroup: number; corruptFirstRow: number };
const declaration: SchemaDeclaration = { label: 'income', task: 'binary', columns: {}, inferRest: true };

async function rows(file: string) {
  const s = await openSource(file);
  const out: { line: number; values: string[] }[] = [];
  for await (const r of s.records) out.push(r);
  return { header: s.header, addressing: s.addressing, rows: out };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isGlassboxError(e)) return e;
    throw e;
  }
  throw new Error('expected a GlassboxError');
}

describe('data sources', () => {
  it('tells formats by extension', () => {
    expect(dataFormat('a/train.parquet')).toBe('parquet');
    expect(dataFormat('b.FEATHER')).toBe('arrow');
    expect(dataFormat('c.arrows')).toBe('arrow');
    expect(dataFormat('d.csv')).toBe('csv');
    expect(dataFormat('e.tsv')).toBe('csv');
  });

  it.each(['adult.parquet', 'adult.feather', 'adult.arrows'])('%s reads as the same cells as the CSV pandas wrote, rows addressed by index', async (f) => {
    const csv = await rows(at('adult.csv'));
    const bin = await rows(at(f));
    expect(bin.header).toEqual(csv.header);
    expect(bin.addressing).toBe('row');
    expect(bin.rows.length).toBe(manifest.rows);
    expect(bin.rows.map((r) => r.line)).toEqual(Array.from({ length: manifest.rows }, (_, i) => i));
    // Same numbers (pandas writes 40.0 where the typed column reads 40), same texts, nulls as ''.
    for (let i = 0; i < csv.rows.length; i++) {
      const a = csv.rows[i]!.values;
      const b = bin.rows[i]!.values;
      for (let c = 0; c < a.length; c++) {
        if (a[c] === '' || b[c] === '') expect([i, c, b[c]]).toEqual([i, c, a[c]]);
        else if (Number.isFinite(Number(a[c]))) expect(Number(b[c])).toBe(Number(a[c]));
        else expect(b[c]).toBe(a[c]);
      }
    }
    expect(bin.rows[3]!.values[1]).toBe('');
    expect(bin.rows[7]!.values[12]).toBe('');
  });

  it.each(['adult.parquet', 'adult.feather', 'adult.arrows'])('%s fits the same schema and encodes to the same matrix as the CSV', async (f) => {
    const fromCsv = await fitSchema(await openCsv(at('adult.csv')), declaration, 'adult.csv');
    const fromBin = await fitSchema(await openSource(at(f)), declaration, f);
    expect(fromBin.encoding).toEqual(fromCsv.encoding);
    expect(fromBin.columns).toEqual(fromCsv.columns);
    const a = await loadDataset(at('adult.csv'), fromCsv.encoding);
    const b = await loadDataset(at(f), fromCsv.encoding);
    expect(b.n).toBe(manifest.rows);
    expect(Array.from(b.X)).toEqual(Array.from(a.X));
    expect(Array.from(b.y!)).toEqual(Array.from(a.y!));
    expect(a.addressing).toBe('line');
    expect(b.addressing).toBe('row');
    expect(Array.from(a.lines.slice(0, 3))).toEqual([2, 3, 4]);
    expect(Array.from(b.lines.slice(0, 3))).toEqual([0, 1, 2]);
    expect(b.counters.missing.get('workclass')).toBe(a.counters.missing.get('workclass'));
    expect(b.counters.missing.get('hours_per_week')).toBe(2);
  });

  it.each(['adult.parquet', 'adult.feather'])('%s read typed (floats as numbers, NaN missing) encodes to the CSV matrix', async (f) => {
    const fitted = await fitSchema(await openCsv(at('adult.csv')), declaration, 'adult.csv');
    const a = await loadDataset(at('adult.csv'), fitted.encoding);
    const s = await openSource(at(f), { typed: true });
    const enc = compileEncoder(fitted.encoding, s.header, f);
    const X = new Float32Array(a.X.length);
    let n = 0;
    let numbers = 0;
    for await (const r of s.records) {
      numbers += r.values.filter((v) => typeof v === 'number').length;
      enc.encode(r.values, X, n++ * fitted.encoding.width);
    }
    expect(numbers).toBe(manifest.rows - 2); // hours_per_week, the one float column, less its 2 nulls (read as '')
    expect(Array.from(X)).toEqual(Array.from(a.X));
  });

  it('honours a row limit across row groups', async () => {
    const s = await openSource(at('adult.parquet'), { limit: 130 });
    let n = 0;
    let last = -1;
    for await (const r of s.records) {
      n++;
      last = r.line;
    }
    expect([n, last]).toEqual([130, 129]);
  });

  it('names the corrupt row group, after yielding the good rows before it', async () => {
    const s = await openSource(at('adult-corrupt.parquet'));
    let good = 0;
    const e = await failure(
      (async () => {
        for await (const _ of s.records) good++;
      })(),
    );
    expect(good).toBe(manifest.corruptFirstRow);
    expect(e.location?.file).toBe(at('adult-corrupt.parquet'));
    expect(e.message).toMatch(new RegExp(`^corrupt Parquet row group ${manifest.corruptRowGroup} \\(rows 128–255\\)`));
  });

  it('refuses nested columns by name, before any row', async () => {
    const e = await failure(openSource(at('adult-nested.parquet')));
    expect(e.message).toMatch(/column 'tags' is nested/);
    expect(e.location).toEqual({ file: at('adult-nested.parquet') });
  });

  it('refuses a file whose columns differ from the training schema, naming the column', async () => {
    const fitted = await fitSchema(await openCsv(at('adult.csv')), declaration, 'adult.csv');
    const e = await failure(loadDataset(at('adult-renamed.parquet'), fitted.encoding));
    expect(e.message).toMatch(/age/);
    expect(e.location).toEqual({ file: at('adult-renamed.parquet') });
  });

  it.each(['adult.parquet', 'adult.feather', 'adult.arrows'])('%s: column kinds from the declared types, as pandas wrote them', async (f) => {
    const kinds = await columnKindsOf(at(f));
    // pandas: int64 age, float64 hours_per_week (NaN present), object strings.
    expect([kinds!.get('age'), kinds!.get('hours_per_week'), kinds!.get('workclass'), kinds!.get('income')]).toEqual(['number', 'number', 'text', 'number']);
    expect(await columnKindsOf(at('adult.csv'))).toBeUndefined();
  });

  it('refuses a file that is not Parquet, and a missing one', async () => {
    const e = await failure(openSource(at('adult.csv').replace('adult.csv', 'manifest.json').replace('.json', '.parquet')));
    expect(e.message).toMatch(/not found/);
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gb-src-')), 'x.parquet');
    fs.writeFileSync(tmp, 'age,income\n1,0\n');
    const e2 = await failure(openSource(tmp));
    expect(e2.message).toMatch(/^not a readable Parquet file/);
    const tmp2 = tmp.replace('x.parquet', 'x.feather');
    fs.writeFileSync(tmp2, 'age,income\n1,0\n');
    const e3 = await failure(openSource(tmp2));
    expect(e3.message).toMatch(/^not a readable Arrow IPC file/);
  });
});
