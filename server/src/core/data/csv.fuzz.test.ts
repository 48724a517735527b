/**
 * Properties of the CSV reader and schema fitting over hostile input:
 * - random bytes, random quoting, delimiters and newlines, BOMs and huge fields: reading, fitting
 *   and encoding fail only with `GlassboxError`s located in the file (one bounded line each), and
 *   whatever numbers the text holds (`1e308`, `inf`), fitted means and stds and every encoded
 *   input are finite;
 * - a well-formed file (fields quoted as RFC 4180 says) reads back exactly, and every record's
 *   line is its first line counted by brute force, whatever the line ends inside and between rows.
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { openCsv, readCsv } from './csv';
import { fitSchema, FLOAT32_MAX } from './schema';
import { loadDataset } from './dataset';
import { GlassboxError } from '../errors';
import { tmpDir } from '../../../test/helpers';

const dir = tmpDir('csv-fuzz');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** Reads `bytes` from a file through the reader and schema fitting; returns a property violation or undefined. */
async function violation(bytes: Uint8Array | string, delimiter?: string): Promise<string | undefined> {
  const file = path.join(dir, `f${counter++}.csv`);
  fs.writeFileSync(file, bytes);
  try {
    const options = delimiter === undefined ? {} : { delimiter };
    await readCsv(file, options);
    const stream = await openCsv(file, options);
    const fitted = await fitSchema(stream, { label: stream.header[stream.header.length - 1]!, columns: {}, inferRest: true }, file);
    for (const f of fitted.encoding.features) {
      if (f.type === 'numeric' && !(Number.isFinite(f.mean) && Number.isFinite(f.std))) return `feature ${f.name}: mean ${f.mean}, std ${f.std}`;
    }
    // Encoding the same file: every model input is finite, whatever numbers the text holds.
    const ds = await loadDataset(file, fitted.encoding, options);
    const bad = ds.X.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) return `input ${bad % ds.width} of row ${Math.floor(bad / ds.width)} is ${ds.X[bad]}`;
    return undefined;
  } catch (e) {
    if (!(e instanceof GlassboxError)) return `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
    if (e.location?.file !== file) return `GlassboxError without the file: ${e.format()}`;
    if (e.message.includes('\n') || e.message.length > 2000) return `message not one bounded line: ${e.message.slice(0, 100)}`;
    return undefined;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const piece = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 3, arbitrary: fc.constantFrom(',', ';', '\t', '|', '"', '""', '\n', '\r\n', '\r', '\uFEFF', ' ', 'inf', '1e308', '-1e400', 'NaN', '?', '\u0000', '\ud800') },
  { weight: 2, arbitrary: fc.double().map(String) },
);

describe('CSV reading never fails with anything but a located GlassboxError', () => {
  it('on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        expect(await violation(bytes)).toBeUndefined();
      }),
      { numRuns: 250, seed: 7 },
    );
  });

  it('on random quoting, delimiters, newlines and BOMs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 120 }), fc.constantFrom(undefined, ',', ';', '\t', '|'), fc.boolean(), async (pieces, delimiter, bom) => {
        expect(await violation((bom ? '\uFEFF' : '') + pieces.join(''), delimiter)).toBeUndefined();
      }),
      { numRuns: 250, seed: 7 },
    );
  });

  it('on odd delimiter options: rejected in one located line', async () => {
    for (const d of ['', '"', '\n']) expect(await violation('a,b\n1,2\n', d)).toBeUndefined();
  });

  it('on huge fields, quoted, unquoted and unclosed', async () => {
    const big = 'x'.repeat(1_000_000);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('plain', 'quoted', 'unclosed', 'label'), fc.nat(3), async (kind, at) => {
        const field = kind === 'quoted' ? `"${big},\n"` : kind === 'unclosed' ? `"${big}` : big;
        const rows = ['a,b,y', '1,2,p', '3,4,q', '5,6,p'];
        const cells = rows[at]!.split(',');
        cells[kind === 'label' ? 2 : 0] = field;
        rows[at] = cells.join(',');
        expect(await violation(rows.join('\n'))).toBeUndefined();
      }),
      { numRuns: 5, seed: 7 },
    );
  });
});

describe('CSV reading of well-formed files', () => {
  /** RFC 4180 quoting: fields holding a delimiter, quote or line break are quoted, quotes doubled. */
  const quote = (f: string, d: string) => (/["\r\n]/.test(f) || f.includes(d) || f !== f.trim() ? `"${f.replace(/"/g, '""')}"` : f);
  const field = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a\nb', 'a\r\nb', '"', 'x,y', ' lead', '\n\n', '1e308', 'inf'));

  it('reads back every value, and each record’s line is its first line counted by brute force', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }).chain((w) => fc.tuple(fc.constant(w), fc.array(fc.array(field, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 12 }))),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom(',', ';', '\t'),
        fc.array(fc.nat(12), { maxLength: 3 }),
        fc.boolean(),
        async ([w, rows], eol, d, emptyAfter, bom) => {
          const header = Array.from({ length: w }, (_, i) => `c${i}`);
          let text = header.join(d) + eol;
          const expectedLines: number[] = [];
          rows.forEach((r, i) => {
            expectedLines.push(text.split('\n').length);
            text += r.map((f) => quote(f, d)).join(d) + eol;
            // Empty lines between records are skipped but still count.
            for (const e of emptyAfter) if (e === i) text += eol;
          });
          const got = await readCsv({ text: (bom ? '\uFEFF' : '') + text, name: 'w.csv' }, { delimiter: d });
          expect(got.header).toEqual(header);
          expect(got.rows.map((r) => r.values)).toEqual(rows);
          expect(got.rows.map((r) => r.line)).toEqual(expectedLines);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('reports an unclosed quote at the line of the row it opens in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('1,2', '"a\nb",3', '"x""y",4', ''), { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), async (before, eol) => {
        const lines = ['a,b', ...before.map((r) => r.replace(/\n/g, eol))];
        const text = lines.join(eol) + eol + '5,"open' + eol + '6,7' + eol + '8,9' + eol;
        const openLine = text.slice(0, text.indexOf('5,"open')).split('\n').length;
        let err: unknown;
        try {
          await readCsv({ text, name: 'q.csv' });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(GlassboxError);
        expect((err as GlassboxError).location).toEqual({ file: 'q.csv', line: openLine });
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('numeric columns with extreme values: mean and std of the in-range values (brute force), finite inputs, out-of-range lines noted', async () => {
    const cell = fc.oneof(
      { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: false }).map(String) },
      { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
      { weight: 2, arbitrary: fc.constantFrom('inf', '-inf', 'Infinity', '+INF', '1e308', '-1e308', '3.4e38', '-3.4e38', '1e39', '1e-320', '?', '') },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 25 }), async (rows) => {
        const text = ['a,b,y', ...rows.map(([a, b], i) => `${a},${b},${i % 2}`)].join('\n');
        const file = path.join(dir, `n${counter++}.csv`);
        fs.writeFileSync(file, text);
        let fitted;
        try {
          fitted = await fitSchema(await openCsv(file), { label: 'y', columns: {}, inferRest: true }, file);
        } catch (e) {
          // Only "no column is used as a feature" (every cell missing) may stop the fit.
          expect(e).toBeInstanceOf(GlassboxError);
          expect((e as GlassboxError).message).toBe('no column is used as a feature');
          return;
        }
        for (const [c, name] of ['a', 'b'].entries()) {
          const f = fitted.encoding.features.find((x) => x.name === name);
          const parsed = rows.map((r) => r[c]!.trim()).filter((t) => t !== '' && t !== '?').map((t) => (/^[+-]?inf(inity)?$/i.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t)));
          if (!f) {
            expect(parsed).toHaveLength(0);
            continue;
          }
          expect(f.type).toBe('numeric');
          if (f.type !== 'numeric') continue;
          const kept = parsed.filter((v) => Math.abs(v) <= FLOAT32_MAX);
          const mean = kept.length ? kept.reduce((s, v) => s + v, 0) / kept.length : 0;
          const std = kept.length ? Math.sqrt(kept.reduce((s, v) => s + (v - mean) ** 2, 0) / kept.length) : 0;
          const scale = Math.max(1e-300, ...kept.map(Math.abs));
          expect(Math.abs(f.mean - mean)).toBeLessThanOrEqual(1e-9 * scale);
          expect(Math.abs(f.std - std)).toBeLessThanOrEqual(1e-9 * scale);
          const out = rows.flatMap((r, i) => {
            const t = r[c]!.trim();
            if (t === '' || t === '?') return [];
            const v = /^[+-]?inf(inity)?$/i.test(t) ? Infinity : Number(t);
            return Math.abs(v) > FLOAT32_MAX ? [i + 2] : [];
          });
          const report = fitted.columns.find((x) => x.name === name)!;
          if (out.length) expect(report.outOfRange?.lines).toEqual(out.slice(0, 10));
          else expect(report.outOfRange).toBeUndefined();
        }
        const ds = await loadDataset(file, fitted.encoding);
        expect(ds.X.every(Number.isFinite)).toBe(true);
        fs.rmSync(file);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
