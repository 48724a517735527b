import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsv } from './csv';
import { readChunks, type EncodedChunk } from './chunks';
import { compileEncoder } from './encoding';
import { fitSchema, type SchemaDeclaration } from './schema';
import { isGlassboxError } from '../errors';
import { columnKindsOf } from './source';

// Written by scripts/fixtures/data_source_fixtures.py (pyarrow): the same 300 rows in every format,
// Parquet in row groups of 128 with row group 1 corrupted in adult-corrupt.parquet.
const DIR = path.join(__dirname, '../../../test/fixtures/data-sources');
const at = (f: string) => path.join(DIR, f);
const declaration: SchemaDeclaration = { label: 'income', task: 'binary', columns: {}, inferRest: true };

async function fitted() {
  return (await fitSchema(await openCsv(at('adult.csv')), declaration, 'adult.csv')).encoding;
}

async function collect(file: string, chunkRows: number) {
  const encoding = await fitted();
  const reader = await readChunks(file, encoding, { chunkRows });
  const chunks: EncodedChunk[] = [];
  for await (const c of reader.chunks) chunks.push(c);
  return { reader, chunks, encoding };
}

describe('encoded row chunks', () => {
  it.each(['adult.csv', 'adult.parquet', 'adult.feather'])('%s: chunks of any size concatenate to the row-by-row encoding of the CSV', async (f) => {
    // Brute force: the CSV read record by record and encoded one row at a time.
    const encoding = await fitted();
    const csv = await openCsv(at('adult.csv'));
    const enc = compileEncoder(encoding, csv.header);
    const rowsX: number[][] = [];
    const labels: number[] = [];
    for await (const r of csv.records) {
      const x = new Float32Array(encoding.width);
      enc.encode(r.values, x, 0);
      rowsX.push(Array.from(x));
      labels.push(encoding.label!.classes!.indexOf(r.values[csv.header.indexOf('income')]!.trim()));
    }
    for (const size of [1, 7, 128, 300, 4096]) {
      const { reader, chunks } = await collect(at(f), size);
      expect(chunks.map((c) => c.n)).toEqual(Array.from({ length: Math.ceil(300 / size) }, (_, k) => Math.min(size, 300 - k * size)));
      expect(chunks.map((c) => c.start)).toEqual(chunks.map((_, k) => k * size));
      const X = chunks.flatMap((c) => Array.from(c.X));
      expect(X).toEqual(rowsX.flat());
      expect(chunks.flatMap((c) => Array.from(c.y!))).toEqual(labels);
      const lines = chunks.flatMap((c) => Array.from(c.lines));
      expect(lines).toEqual(reader.addressing === 'row' ? rowsX.map((_, i) => i) : rowsX.map((_, i) => i + 2));
      expect(reader.totals().rows).toBe(300);
      expect(reader.totals().counters.missing.get('hours_per_week')).toBe(2);
    }
  });

  it('keeps raw texts per chunk, and a kept chunk is not overwritten by the next', async () => {
    const encoding = await fitted();
    const reader = await readChunks(at('adult.csv'), encoding, { chunkRows: 100, keepRaw: true });
    const chunks: EncodedChunk[] = [];
    for await (const c of reader.chunks) chunks.push(c);
    const text = fs.readFileSync(at('adult.csv'), 'utf8').trim().split('\n');
    expect(chunks[0]!.raw![0]!.join(',')).toBe(text[1]);
    expect(chunks[2]!.raw![99]!.join(',')).toBe(text[300]);
    // Fresh arrays: chunk 0 still holds row 0's encoding after all chunks were read.
    const again = await collect(at('adult.csv'), 300);
    expect(Array.from(chunks[0]!.X)).toEqual(Array.from(again.chunks[0]!.X.subarray(0, 100 * encoding.width)));
  });

  it('yields the whole row groups before a corrupt one, never part of it, then names the group', async () => {
    const encoding = await fitted();
    const reader = await readChunks(at('adult-corrupt.parquet'), encoding, { chunkRows: 100 });
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const c of reader.chunks) seen.push(c.start + c.n);
    } catch (e) {
      error = e;
    }
    expect(isGlassboxError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^corrupt Parquet row group 1 \(rows 128–255\)/);
    // Chunk 0 (rows 0-99) was complete; rows 100-127 were buffered, never yielded as a partial chunk.
    expect(seen).toEqual([100]);
  });

  it('stops between chunks when aborted, and releases a CSV file on break', async () => {
    const encoding = await fitted();
    const ac = new AbortController();
    const reader = await readChunks(at('adult.csv'), encoding, { chunkRows: 50, signal: ac.signal });
    let n = 0;
    await expect(
      (async () => {
        for await (const c of reader.chunks) {
          n += c.n;
          ac.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(n).toBe(50);
    // Break after the first chunk of a copy, then delete it: nothing holds the file open.
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gb-chunks-')), 'a.csv');
    fs.copyFileSync(at('adult.csv'), tmp);
    const r2 = await readChunks(tmp, encoding, { chunkRows: 10 });
    for await (const c of r2.chunks) if (c.start === 0) break;
    expect(r2.totals().rows).toBe(10);
    fs.rmSync(path.dirname(tmp), { recursive: true });
  });

  it('refuses a binary file whose columns hold another kind of value than the training file, before any row', async () => {
    const encoding = await fitted();
    const kinds = (await columnKindsOf(at('adult.parquet')))!;
    // The training file as if `age` were text there: the Parquet file's integers no longer agree.
    const training = { file: 'train.parquet', kinds: new Map([...kinds, ['age', 'text' as const]]) };
    const e = await readChunks(at('adult.feather'), encoding, { training }).catch((x: unknown) => x);
    expect(isGlassboxError(e)).toBe(true);
    expect((e as Error).message).toBe("column 'age' holds numbers here but text in the training file train.parquet: write it with the training file's type");
    // Same kinds: read as usual; CSV has no declared kinds and is never refused.
    for (const f of ['adult.parquet', 'adult.csv']) {
      const r = await readChunks(at(f), encoding, { training: { file: 'train.parquet', kinds } });
      let n = 0;
      for await (const c of r.chunks) n += c.n;
      expect(n).toBe(300);
    }
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    const encoding = await fitted();
    await expect(readChunks(at('adult.csv'), encoding, { chunkRows: 0 })).rejects.toThrow(/chunkRows/);
  });
});
