// Builds the extension for production and packages it as a .vsix with @vscode/vsce (3.x: 4.x needs
// Node 22) into the git-ignored .artifacts/vsix/. Runtime dependencies (TensorFlow.js and its
// wasm files, which stay outside the bundles) are included from node_modules.
// Usage: node scripts/package.mjs
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outDir = path.join(root, '.artifacts/vsix');
const out = path.join(outDir, `${pkg.name}-${pkg.version}.vsix`);
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'inherit' });
const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
execFileSync(process.execPath, [vsce, 'package', '--out', out, '--allow-missing-repository', '--skip-license'], { cwd: root, stdio: 'inherit' });
console.log(`packaged ${path.relative(root, out)} (${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);
