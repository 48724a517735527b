import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { assertReadableFile, formatBytes, readTextFile } from './files';
import { GlassboxError } from '../errors';
import { tmpDir } from '../../../test/helpers';

const dir = tmpDir('files');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function failure(file: string, options: Parameters<typeof assertReadableFile>[1]): GlassboxError {
  try {
    assertReadableFile(file, options);
  } catch (e) {
    return e as GlassboxError;
  }
  throw new Error('expected an error');
}

describe('assertReadableFile', () => {
  const opts = { maxBytes: 100, what: 'data file' };

  it('accepts a regular file within the limit (also through a symlink) and returns its size', () => {
    const f = path.join(dir, 'ok.csv');
    fs.writeFileSync(f, 'a,b\n1,2\n');
    expect(assertReadableFile(f, opts)).toBe(8);
    fs.symlinkSync(f, path.join(dir, 'link.csv'));
    expect(assertReadableFile(path.join(dir, 'link.csv'), opts)).toBe(8);
    expect(readTextFile(f, opts)).toBe('a,b\n1,2\n');
  });

  it('refuses a FIFO without opening it (opening would block until a writer comes)', () => {
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    const e = failure(fifo, opts);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e.format()).toBe(`${fifo}: data file is a named pipe (FIFO), not a regular file`);
  });

  it('refuses /dev/zero, a directory and a symlink loop, each in one located line', () => {
    expect(failure('/dev/zero', opts).format()).toBe('/dev/zero: data file is a character device, not a regular file');
    expect(failure(dir, { ...opts, code: 'config' })).toMatchObject({ code: 'config', message: 'data file is a directory, not a regular file', location: { file: dir } });
    const loop = path.join(dir, 'loop');
    fs.symlinkSync(loop, loop);
    expect(failure(loop, opts).message).toBe('data file is a symbolic link loop');
  });

  it('refuses a file over the size limit, naming both sizes', () => {
    const f = path.join(dir, 'big.csv');
    fs.writeFileSync(f, Buffer.alloc(3 * 1024 * 1024));
    expect(failure(f, { maxBytes: 1024 * 1024, what: 'glassbox.json' }).message).toBe('glassbox.json is 3.0 MiB, over the limit of 1.0 MiB');
  });

  it('reports a missing file where the caller says (the config key naming it)', () => {
    const missing = path.join(dir, 'nope.csv');
    expect(failure(missing, opts).format()).toBe(`${missing}: data file not found`);
    const at = { file: '/p/glassbox.json', line: 3, column: 5 };
    expect(failure(missing, { ...opts, missingAt: at }).format()).toBe(`/p/glassbox.json:3:5: data file not found: ${missing}`);
    // A path through a regular file (ENOTDIR) is missing too.
    expect(failure(path.join(dir, 'ok.csv', 'x'), opts).message).toBe('data file not found');
  });

  it('formats sizes in binary units', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1536), formatBytes(150 * 1024 ** 3)]).toEqual(['0 bytes', '1023 bytes', '1.0 KiB', '1.5 KiB', '150 GiB']);
  });
});
