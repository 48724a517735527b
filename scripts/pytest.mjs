#!/usr/bin/env node
/** Runs the Python package's tests in .venv (made by setup-python.mjs), or says why they are skipped. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const py = path.join(root, '.venv', 'bin', 'python');
if (process.env.GLASSBOX_SKIP_PYTHON === '1' || !fs.existsSync(py)) {
  console.log('pytest: skipped, no .venv (GLASSBOX_SKIP_PYTHON=1 or setup-python did not run)');
  process.exit(0);
}
const r = spawnSync(py, ['-m', 'pytest', 'python/tests', '-q', '-rs'], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
