import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readCsv } from './csv';
import { GlassboxError } from '../errors';
import { tmpDir } from '../../../test/helpers';

const read = (text: string) => readCsv({ text, name: 'data.csv' });

describe('readCsv', () => {
  it('reads quoted fields with commas, quotes and newlines, keeping each record’s first line', async () => {
    const { header, rows } = await read('a,b,c\n1,"x, ""quoted""",3\n4,"two\nlines",6\n7,8,9\n');
    expect(header).toEqual(['a', 'b', 'c']);
    expect(rows.map((r) => r.values)).toEqual([
      ['1', 'x, "quoted"', '3'],
      ['4', 'two\nlines', '6'],
      ['7', '8', '9'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('handles a BOM, CRLF line ends, CRLF inside quotes and empty lines', async () => {
    const { header, rows } = await read('\uFEFFa,b\r\n1,"x\r\ny"\r\n\r\n3,4\r\n\r\n5,6');
    expect(header).toEqual(['a', 'b']);
    expect(rows.map((r) => r.values)).toEqual([
      ['1', 'x\r\ny'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 5, 7]);
  });

  it('keeps missing values as empty strings', async () => {
    const { rows } = await read('a,b,c\n1,,3\n,,\n');
    expect(rows.map((r) => r.values)).toEqual([
      ['1', '', '3'],
      ['', '', ''],
    ]);
  });

  it('rejects a ragged row with its line number', async () => {
    const err = await read('a,b,c\n1,2,3\n\n4,5\n6,7,8\n').catch((e) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect(err.location).toEqual({ file: 'data.csv', line: 4 });
    expect(err.format()).toBe('data.csv:4: row has 2 fields, the header has 3');
  });

  it('rejects an unterminated quote, an empty file, and duplicate or empty header names', async () => {
    await expect(read('a,b\n1,"open\n')).rejects.toThrow(/malformed CSV/);
    await expect(read('')).rejects.toThrow(/empty/);
    await expect(read('a,a\n1,2\n')).rejects.toThrow(/column 'a' appears twice/);
    await expect(read('a,,c\n1,2,3\n')).rejects.toThrow(/column 2 of the header has no name/);
  });

  it('reports a missing file, at the place the caller names when it names one', async () => {
    await expect(readCsv('/no/such/file.csv')).rejects.toThrow(/file not found/);
    const err = await readCsv('/no/such/file.csv', { missingAt: { file: '/p/glassbox.json', line: 3, column: 5 } }).catch((e) => e);
    expect(err.format()).toBe('/p/glassbox.json:3:5: data file not found: /no/such/file.csv');
  });

  it('reports an unclosed quote at the line of the row where it opens, not at the end of the file', async () => {
    // csv-parse itself says "line 7" here: the last line.
    const err = await read('a,b\r\n1,"p\r\nq"\r\n\r\n3,"open\r\n5,6\r\n7,8\r\n').catch((e) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect(err.format()).toBe('data.csv:5: malformed CSV: a quoted field in the row starting here is never closed (its quote runs to the end of the file)');
    expect((await read('a,"b\n1,2\n').catch((e) => e)).location).toEqual({ file: 'data.csv', line: 1 });
  });

  it('refuses a FIFO, a device and a directory as data without blocking', async () => {
    const dir = tmpDir('csv-special');
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await expect(readCsv(fifo)).rejects.toThrow(`data file is a named pipe (FIFO), not a regular file`);
    await expect(readCsv('/dev/zero')).rejects.toThrow('data file is a character device, not a regular file');
    await expect(readCsv(dir)).rejects.toThrow('data file is a directory, not a regular file');
    fs.writeFileSync(path.join(dir, 'big.csv'), 'a,b\n1,2\n');
    await expect(readCsv(path.join(dir, 'big.csv'), { maxBytes: 4 })).rejects.toThrow('data file is 8 bytes, over the limit of 4 bytes');
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects an unusable delimiter option as a usage error', async () => {
    await expect(readCsv({ text: 'a,b\n', name: 'data.csv' }, { delimiter: '' })).rejects.toMatchObject({ code: 'usage', location: { file: 'data.csv' } });
  });

  it('streams a large file with line numbers intact', async () => {
    const lines = ['x,y'];
    for (let i = 0; i < 50_000; i++) lines.push(`${i},"v${i}"`);
    const { rows } = await read(lines.join('\n'));
    expect(rows.length).toBe(50_000);
    expect(rows[49_999]).toEqual({ line: 50_001, values: ['49999', 'v49999'] });
  });
});
