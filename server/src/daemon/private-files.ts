/**
 * The project's `.glassbox/` folder holds the endpoint's token (stream.json) and the results store:
 * it must be a real directory of ours (mode 0700) and its files private (0600). Files are written
 * through a fresh temporary file and a rename, so a reader never sees half a file and an attacker's
 * symlink at the destination is replaced, never followed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GlassboxError } from '../core/errors';

export const STORE_DIR = '.glassbox';

/**
 * `<root>/.glassbox`, created 0700 when missing. Throws a `GlassboxError` (located at the project's
 * folder) when it is a symlink or not a directory: the daemon then keeps results in memory only.
 */
export function privateDir(root: string): string {
  const dir = path.join(root, STORE_DIR);
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(dir, `cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  if (!st) {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      // Created by a concurrent daemon in between: look again below.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse(dir, `cannot be created (${(e as NodeJS.ErrnoException).code})`);
    }
    st = fs.lstatSync(dir);
  }
  if (st.isSymbolicLink()) throw refuse(dir, 'is a symbolic link; Glassbox writes its token and results only into a real folder');
  if (!st.isDirectory()) throw refuse(dir, 'is not a folder');
  if ((st.mode & 0o077) !== 0) {
    try {
      fs.chmodSync(dir, 0o700);
    } catch {
      /* not ours to change: its files are still created 0600 */
    }
  }
  return dir;
}

function refuse(dir: string, why: string): GlassboxError {
  return new GlassboxError('config', `${dir} ${why}: remove or rename it (results are kept in memory only and the training endpoint is off until then)`, { file: dir });
}

/**
 * Writes `data` to `file` (mode 0600) through a temporary file in the same folder and a rename.
 * The temporary file is created exclusively (O_EXCL: never an existing file or a symlink), and
 * the rename replaces whatever is at `file`, a symlink included, without following it.
 */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
