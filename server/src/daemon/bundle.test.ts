/**
 * "Only the worker touches TensorFlow.js": the language server's bundle (the daemon's main thread)
 * must not load `@tensorflow/*`. Bundled here from source with the options of scripts/build.mjs
 * (tfjs is external there, so a dependency shows as a `require("@tensorflow/...")`), so the test
 * does not depend on a stale dist/; the built dist/server/server.js is checked too when present.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const TFJS_REQUIRE = /require\("(@tensorflow\/[^"]*)"\)/g;

async function bundle(entry: string): Promise<{ text: string; inputs: string[] }> {
  const r = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: path.join(root, 'dist/.bundle-test.js'),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', '@tensorflow/*', 'sql.js'],
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'silent',
    define: { GLASSBOX_VERSION: '"test"' },
  });
  return { text: r.outputFiles.find((f) => f.path.endsWith('.js'))!.text, inputs: Object.keys(r.metafile.inputs) };
}

describe('main-thread bundle', () => {
  it('requires no @tensorflow package and no step runner', async () => {
    const { text, inputs } = await bundle('server/src/lsp/server.ts');
    expect([...text.matchAll(TFJS_REQUIRE)].map((m) => m[1])).toEqual([]);
    // Runners reach the main thread only through a value import the lint rule forbids; catalog is metadata.
    const steps = inputs.filter((f) => f.includes('server/src/daemon/steps/')).map((f) => path.basename(f));
    expect(steps.sort()).toEqual(['catalog.ts']);
  }, 60_000);

  it('the worker bundle does load the engine (the check above can see a tfjs dependency)', async () => {
    const { text } = await bundle('server/src/daemon/worker.ts');
    expect(new Set([...text.matchAll(TFJS_REQUIRE)].map((m) => m[1]))).toContain('@tensorflow/tfjs-core');
  }, 60_000);

  it('dist/server/server.js, when built, requires no @tensorflow package', () => {
    const file = path.join(root, 'dist/server/server.js');
    if (!fs.existsSync(file)) return;
    const text = fs.readFileSync(file, 'utf8');
    // A development bundle names its sources; one without the step catalog predates it and is not judged.
    if (!text.includes('// server/src/daemon/steps/catalog.ts')) return;
    expect([...text.matchAll(TFJS_REQUIRE)].map((m) => m[1])).toEqual([]);
  });
});
