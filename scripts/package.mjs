// Builds the extension for production and packages it as a .vsix with @vscode/vsce (3.x: 4.x needs
// Node 22) into the git-ignored .artifacts/vsix/. The .vsix holds the bundles (dist/), bin/,
// schemas/, resources/ and the runtime dependencies from node_modules (TensorFlow.js and its wasm
// files stay outside the bundles). It is assembled in a staging folder because package.json's
// `files` (for npm) and a .vscodeignore cannot be combined in one vsce run.
// Usage: node scripts/package.mjs
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outDir = path.join(root, '.artifacts/vsix');
const stage = path.join(outDir, 'stage');
const out = path.join(outDir, `${pkg.name}-${pkg.version}.vsix`);
const started = Date.now();

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'inherit' });
// The panels must ship React's production build (server/test/webview-bundles.test.ts checks the same).
for (const f of fs.readdirSync(path.join(root, 'dist/webviews')).filter((f) => f.endsWith('.js'))) {
  const code = fs.readFileSync(path.join(root, 'dist/webviews', f), 'utf8');
  const dev = ['react.development', 'react-dom.development', 'validateDOMNesting'].find((s) => code.includes(s));
  if (dev) throw new Error(`dist/webviews/${f} bundles React's development build ("${dev}"): check process.env.NODE_ENV in scripts/build.mjs`);
}

// The manifest without npm-only fields; optional native backends are not shipped (wasm is).
const { files: _files, scripts: _scripts, devDependencies: _dev, optionalDependencies: _optional, overrides: _overrides, ...manifest } = pkg;
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const f of ['README.md', 'LICENSE', 'bin', 'schemas', 'resources', 'dist']) {
  if (fs.existsSync(path.join(root, f))) fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true, filter: (src) => !src.includes(`${path.sep}dist${path.sep}test`) && !src.endsWith('train-demo.js') });
}

// Runtime dependencies exactly as npm resolved them (nested copies included).
const listed = execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
  .split('\n').filter((p) => p.includes(`${path.sep}node_modules${path.sep}`));
for (const dir of listed) {
  fs.cpSync(dir, path.join(stage, path.relative(root, dir)), { recursive: true, filter: (src) => !/\.(map|d\.ts|md|ts)$/.test(src) || src.endsWith('.wasm') });
}
fs.writeFileSync(path.join(stage, '.vscodeignore'), ['**/*.map', 'node_modules/@types/**', 'node_modules/**/@types/**', 'node_modules/@webgpu/**', 'node_modules/**/test/**', ''].join('\n'));

const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
execFileSync(process.execPath, [vsce, 'package', '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'], { cwd: stage, stdio: 'inherit' });
fs.rmSync(stage, { recursive: true, force: true });
console.log(`packaged ${path.relative(root, out)} (${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
