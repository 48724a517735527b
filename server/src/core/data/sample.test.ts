import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsv } from './csv';
import { loadDataset, takeRows } from './dataset';
import { sampleDataset } from './sample';
import { fitSchema, type SchemaDeclaration } from './schema';
import { rowHash } from '../shard/sketch';

const DIR = path.join(__dirname, '../../../test/fixtures/data-sources');
const at = (f: string) => path.join(DIR, f);
const declaration: SchemaDeclaration = { label: 'income', task: 'binary', columns: {}, inferRest: true };

describe('a streamed uniform sample of rows', () => {
  it.each(['adult.csv', 'adult.parquet'])('%s: the k rows of smallest hash (brute force over the whole file), in file order, whatever the chunk size', async (f) => {
    const { encoding } = await fitSchema(await openCsv(at('adult.csv')), declaration, 'adult.csv');
    const all = await loadDataset(at(f), encoding);
    for (const [k, seed, chunkRows] of [[40, 0, 7], [40, 5, 4096], [1, 2, 64], [500, 1, 100]] as const) {
      const s = await sampleDataset(at(f), encoding, { k, seed, chunkRows });
      const expected = Array.from({ length: all.n }, (_, i) => i)
        .sort((a, b) => rowHash(seed, a) - rowHash(seed, b) || a - b)
        .slice(0, k)
        .sort((a, b) => a - b);
      expect(Array.from(s.ordinals)).toEqual(expected);
      expect(s.n).toBe(Math.min(k, 300));
      expect(s.total).toBe(300);
      expect(Array.from(s.X)).toEqual(Array.from(takeRows(all, expected)));
      expect(Array.from(s.y!)).toEqual(expected.map((i) => all.y![i]!));
      expect(Array.from(s.lines)).toEqual(expected.map((i) => all.lines[i]!));
    }
  });
});
