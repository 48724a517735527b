// Bundles the extension client, the daemon, the CLI, the demo training script and every webview
// app with esbuild. Usage: node scripts/build.mjs [--watch] [--production] [--react-development]
// The webviews always get React's production build (what the .vsix and the browser dashboard
// ship: no development-only checks or warnings, a third of the size); --react-development bundles
// React's development build instead, for its warnings while working on the panels.
// Type checking is separate (`npm run typecheck`, tsc --noEmit).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const reactDevelopment = process.argv.includes('--react-development');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** TensorFlow.js stays a runtime dependency: the native backends must register into the same
 * tfjs-core instance the code uses, and the wasm backend finds its .wasm files in its package. */
const nodeExternals = ['vscode', '@tensorflow/*', 'sql.js'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { GLASSBOX_VERSION: JSON.stringify(pkg.version) },
};

const nodeTargets = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client/extension.js' },
  { entryPoints: ['server/src/lsp/server.ts'], outfile: 'dist/server/server.js' },
  { entryPoints: ['server/src/daemon/worker.ts'], outfile: 'dist/server/worker.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['test-workspace/train.ts'], outfile: 'dist/train-demo.js' },
].filter((t) => fs.existsSync(path.join(root, t.entryPoints[0])));

const webviewApps = fs.existsSync(path.join(root, 'webviews'))
  ? fs.readdirSync(path.join(root, 'webviews'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, 'webviews', d.name, 'index.tsx')))
      .map((d) => d.name)
  : [];

const configs = [
  ...nodeTargets.map((t) => ({ ...common, ...t, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals,
    // jsonc-parser's UMD entry hides its requires from bundlers; its ESM entry bundles cleanly.
    mainFields: ['module', 'main'] })),
  ...webviewApps.map((app) => ({
    ...common,
    entryPoints: [`webviews/${app}/index.tsx`],
    outfile: `dist/webviews/${app}.js`,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    jsx: 'automatic',
    define: { ...common.define, 'process.env.NODE_ENV': JSON.stringify(reactDevelopment ? 'development' : 'production') },
  })),
];

process.chdir(root);
if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
  console.log(`watching ${configs.length} bundles`);
} else {
  const started = Date.now();
  await Promise.all(configs.map((c) => esbuild.build(c)));
  console.log(`built ${configs.length} bundles in ${Date.now() - started} ms`);
}
