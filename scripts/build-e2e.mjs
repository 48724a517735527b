// Bundles the integration suite (client/src/test/e2e) into dist/test/e2e for the extension host.
// mocha stays external: it is loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'client/src/test/e2e');
const entryPoints = fs.readdirSync(dir).filter((f) => f === 'index.ts' || f.endsWith('.e2e.test.ts')).map((f) => path.join(dir, f));
await esbuild.build({
  entryPoints, outdir: path.join(root, 'dist/test/e2e'), bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  external: ['vscode', 'mocha'], sourcemap: true, logLevel: 'warning',
});
console.log(`built ${entryPoints.length} integration test bundles`);
