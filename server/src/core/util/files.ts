/**
 * Checks made before reading a file the user named (data, config, encoding, model): it must be a
 * regular file within a size limit. Reading a FIFO blocks until a writer appears, `/dev/zero` never
 * ends, and a directory fails with an opaque EISDIR, so each gets a one-line `GlassboxError`
 * instead of a hang or a crash.
 */
import * as fs from 'node:fs';
import { GlassboxError, type ErrorCode, type SourceLocation } from '../errors';

export interface ReadableFileOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** What the file is, for the message: "data file", "glassbox.json", "encoding". */
  what: string;
  /** Error code (default `file`). */
  code?: ErrorCode;
  /** Where to report a missing file (e.g. the config key naming it); default: the file itself. */
  missingAt?: SourceLocation;
  /** Name shown in messages (default: the path). */
  displayName?: string;
}

/** 1 MiB, 1 GiB... for limits. */
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/**
 * Throws a located `GlassboxError` unless `file` (after following symlinks) is a regular file of
 * at most `maxBytes` bytes; returns its size. Never opens the file, so it cannot block.
 */
export function assertReadableFile(file: string, options: ReadableFileOptions): number {
  const code = options.code ?? 'file';
  const name = options.displayName ?? file;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      const at = options.missingAt ?? { file: name };
      const detail = options.missingAt ? `: ${name}` : '';
      throw new GlassboxError(code, `${options.what} not found${detail}`, at);
    }
    if (errno === 'ELOOP') throw new GlassboxError(code, `${options.what} is a symbolic link loop`, { file: name });
    if (errno === 'EACCES' || errno === 'EPERM') throw new GlassboxError(code, `${options.what} cannot be read: permission denied`, { file: name });
    throw new GlassboxError(code, `${options.what} cannot be read (${errno ?? (e as Error).message})`, { file: name });
  }
  if (!stat.isFile()) {
    throw new GlassboxError(code, `${options.what} is ${kindOf(stat)}, not a regular file`, { file: name });
  }
  if (stat.size > options.maxBytes) {
    throw new GlassboxError(code, `${options.what} is ${formatBytes(stat.size)}, over the limit of ${formatBytes(options.maxBytes)}`, { file: name });
  }
  return stat.size;
}

/** Reads a text file after `assertReadableFile`; read errors become located `GlassboxError`s. */
export function readTextFile(file: string, options: ReadableFileOptions): string {
  assertReadableFile(file, options);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    throw new GlassboxError(options.code ?? 'file', `${options.what} cannot be read (${errno ?? (e as Error).message})`, { file: options.displayName ?? file });
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
