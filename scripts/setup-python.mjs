#!/usr/bin/env node
/**
 * The Python side's environment: `.venv` at the repository root with Glassbox's Python package
 * (python/) and the pinned frameworks and reference libraries its tests and the benchmarks use
 * (python/requirements-test.txt, all from PyPI).
 *
 * PyTorch is not installed from PyPI (the Linux wheel pulls several GB of CUDA libraries): when the
 * system Python already has it (Debian's `python3-torch`), the venv is made from that Python with
 * `--system-site-packages` so it sees torch; otherwise the torch tests skip and say why.
 *
 * Idempotent: re-creates or re-installs only when the requirements changed. Set
 * GLASSBOX_SKIP_PYTHON=1 to skip (the Python tests are then skipped with that reason).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venv = path.join(root, '.venv');
const py = path.join(venv, 'bin', 'python');
const requirements = path.join(root, 'python', 'requirements-test.txt');
const stamp = path.join(venv, '.glassbox-requirements');

if (process.env.GLASSBOX_SKIP_PYTHON === '1') {
  console.log('setup-python: skipped (GLASSBOX_SKIP_PYTHON=1)');
  process.exit(0);
}

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
const works = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** A Python that has torch and can make venvs, else any Python 3.9+ that can. */
function choosePython() {
  const candidates = ['/usr/bin/python3', 'python3', 'python'];
  const usable = candidates.filter((c) => works(c, ['-c', 'import sys, venv; assert sys.version_info >= (3, 9)']));
  const withTorch = usable.find((c) => works(c, ['-c', 'import torch']));
  return { python: withTorch ?? usable[0], torch: Boolean(withTorch) };
}

const want = createHash('sha256')
  .update(fs.readFileSync(requirements))
  .update(fs.readFileSync(path.join(root, 'python', 'pyproject.toml')))
  .digest('hex');
if (fs.existsSync(py) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) {
  console.log('setup-python: .venv is up to date');
  process.exit(0);
}

const { python, torch } = choosePython();
if (!python) {
  console.error('setup-python: no Python 3.9+ with the venv module found; install python3 and python3-venv, or set GLASSBOX_SKIP_PYTHON=1');
  process.exit(2);
}
if (!fs.existsSync(py)) {
  console.log(`setup-python: creating .venv from ${python}${torch ? ' (with the system torch, --system-site-packages)' : ' (no torch found: the PyTorch tests will skip)'}`);
  const made = run(python, ['-m', 'venv', ...(torch ? ['--system-site-packages'] : []), venv]);
  if (made.status !== 0) {
    console.error(`setup-python: '${python} -m venv' failed; on Debian install python3-venv`);
    process.exit(2);
  }
}
const pip = (args) => run(py, ['-m', 'pip', '--disable-pip-version-check', '-q', ...args]);
if (pip(['install', '-r', requirements]).status !== 0 || pip(['install', '--no-deps', '-e', path.join(root, 'python')]).status !== 0) {
  console.error('setup-python: pip install failed (see above)');
  process.exit(2);
}
fs.writeFileSync(stamp, want);
console.log('setup-python: .venv ready');
