// Renders each webview bundle (dist/webviews) with the fixture states in headless Chromium: fails on
// any page error (what jsdom cannot catch: Chart.js drawing, browser-only APIs) and saves PNGs under
// .artifacts/webviews/. Faster than the full editor run; needs chromium and a prior `npm run build`.
// Usage: node scripts/preview-webviews.mjs
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.artifacts/webviews');
fs.mkdirSync(out, { recursive: true });
const fixturesJs = path.join(out, 'fixtures.mjs');
await esbuild.build({ entryPoints: [path.join(root, 'webviews/test/fixtures.ts')], bundle: true, format: 'esm', outfile: fixturesJs, logLevel: 'warning' });
const fixtures = await import(pathToFileURL(fixturesJs).href);
// A few of VS Code's Dark Modern theme variables, so the preview looks like the editor.
const theme = `body{--vscode-foreground:#ccc;--vscode-editor-background:#1f1f1f;--vscode-sideBar-background:#181818;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-descriptionForeground:#9d9d9d;--vscode-button-background:#0078d4;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#313131;--vscode-button-secondaryForeground:#ccc;--vscode-widget-border:#313131;--vscode-errorForeground:#f85149;--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-focusBorder:#0078d4}`;
const cases = [['sidebar', 'dashboard', fixtures.dashboard], ['sidebar', 'dashboard', fixtures.dashboardEarly, 'sidebar-early'], ['explain', 'explain', fixtures.explain], ['compare', 'compare', fixtures.compare]];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let failed = 0;
try {
  for (const [app, type, state, name = app] of cases) {
    const page = await browser.newPage({ viewport: { width: app === 'sidebar' ? 360 : 900, height: 1100 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(`<!DOCTYPE html><html><head><style>${theme}</style></head><body><div id="root"></div></body></html>`);
    await page.addStyleTag({ path: path.join(root, `dist/webviews/${app}.css`) });
    await page.addScriptTag({ path: path.join(root, `dist/webviews/${app}.js`) });
    await page.evaluate((m) => window.postMessage(m, '*'), { type, state });
    await page.waitForFunction(() => document.querySelector('h2, h1') !== null, undefined, { timeout: 10_000 }).catch(() => errors.push('nothing rendered'));
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
    console.log(`${errors.length ? 'FAIL' : 'ok  '} ${name}${errors.length ? `: ${errors.join('; ')}` : ''} -> .artifacts/webviews/${name}.png`);
    failed += errors.length ? 1 : 0;
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
