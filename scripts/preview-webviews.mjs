// Renders each webview bundle (dist/webviews) with the fixture states in headless Chromium: fails on
// any page error (what jsdom cannot catch: Chart.js drawing, browser-only APIs), on a side panel
// taller than MAX_SIDEBAR_PX for the full-size demo state or with its checks below the first screen
// (the panel must read at a glance; the panel before this layout was 5,296 px with the checks at
// 4,982 px for the same state), and
// when a chart keeps its old colours after a theme switch (dark, then light, then high contrast). Saves PNGs under .artifacts/webviews/.
// Faster than the full editor run; needs chromium and a prior `npm run build`.
// Usage: node scripts/preview-webviews.mjs
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** The side panel with every section filled (100 suspects, 14 features, 12 checks) at 360 px wide. */
const MAX_SIDEBAR_PX = 3000;
/** The checks (the CI gate) start within the first screen. */
const MAX_CHECKS_TOP_PX = 400;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.artifacts/webviews');
fs.mkdirSync(out, { recursive: true });
const fixturesJs = path.join(out, 'fixtures.mjs');
await esbuild.build({ entryPoints: [path.join(root, 'webviews/test/fixtures.ts')], bundle: true, format: 'esm', outfile: fixturesJs, logLevel: 'warning' });
const fixtures = await import(pathToFileURL(fixturesJs).href);
// A few of VS Code's Dark Modern and Light Modern theme variables, so the preview looks like the editor.
const common = '--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-button-foreground:#fff;--vscode-focusBorder:#0078d4;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-charts-green:#89d185;--vscode-charts-purple:#b180d7;--vscode-charts-yellow:#cca700;--vscode-button-background:#0078d4;';
const DARK = `${common}--vscode-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-sideBar-background:#181818;--vscode-descriptionForeground:#9d9d9d;--vscode-button-secondaryBackground:#313131;--vscode-button-secondaryForeground:#cccccc;--vscode-widget-border:#313131;--vscode-errorForeground:#f85149;--vscode-charts-blue:#3794ff;--vscode-textLink-foreground:#4daafc`;
const LIGHT = `${common}--vscode-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-sideBar-background:#f8f8f8;--vscode-descriptionForeground:#717171;--vscode-button-secondaryBackground:#e5e5e5;--vscode-button-secondaryForeground:#3b3b3b;--vscode-widget-border:#e5e5e5;--vscode-errorForeground:#f85149;--vscode-charts-blue:#005fb8;--vscode-textLink-foreground:#005fb8`;
const HIGH_CONTRAST = `${common}--vscode-foreground:#ffffff;--vscode-editor-background:#000000;--vscode-sideBar-background:#000000;--vscode-descriptionForeground:#ffffffcc;--vscode-button-secondaryBackground:#000000;--vscode-button-secondaryForeground:#ffffff;--vscode-widget-border:#6fc3df;--vscode-contrastBorder:#6fc3df;--vscode-errorForeground:#f48771;--vscode-charts-blue:#1aebff;--vscode-textLink-foreground:#21a6ff`;
const cases = [
  ['sidebar', 'dashboard', fixtures.dashboard],
  ['sidebar', 'dashboard', fixtures.dashboardFull, 'sidebar-full'],
  ['sidebar', 'dashboard', fixtures.dashboardEarly, 'sidebar-early'],
  ['explain', 'explain', fixtures.explain],
  ['explain', 'explain', { ...fixtures.explain, method: 'saliency', baseline: undefined }, 'explain-saliency'],
  ['compare', 'compare', fixtures.compare],
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let failed = 0;
try {
  for (const [app, type, state, name = app] of cases) {
    const page = await browser.newPage({ viewport: { width: app === 'sidebar' ? 360 : 900, height: 1100 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(`<!DOCTYPE html><html><head></head><body class="vscode-dark" style="${DARK}"><div id="root"></div></body></html>`);
    await page.addStyleTag({ path: path.join(root, `dist/webviews/${app}.css`) });
    await page.addScriptTag({ path: path.join(root, `dist/webviews/${app}.js`) });
    await page.evaluate((m) => window.postMessage(m, '*'), { type, state });
    await page.waitForFunction(() => document.querySelector('h2, h1') !== null, undefined, { timeout: 10_000 }).catch(() => errors.push('nothing rendered'));
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (name === 'sidebar-full') {
      if (height > MAX_SIDEBAR_PX) errors.push(`the side panel is ${height} px tall (limit ${MAX_SIDEBAR_PX})`);
      const checksAt = await page.evaluate(() => [...document.querySelectorAll('h2')].find((h) => h.textContent.startsWith('Checks'))?.getBoundingClientRect().top ?? Infinity);
      if (checksAt > MAX_CHECKS_TOP_PX) errors.push(`the checks start ${checksAt} px down (limit ${MAX_CHECKS_TOP_PX})`);
    }
    // Theme switches as VS Code does them: new variables and body class in place, no reload.
    const charts = () => page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => c.toDataURL()));
    let before = await charts();
    const count = before.length;
    for (const [cls, style, label] of [['vscode-light', LIGHT, 'light'], ['vscode-high-contrast', HIGH_CONTRAST, 'high-contrast']]) {
      await page.evaluate(([c, s]) => { document.body.setAttribute('style', s); document.body.className = c; }, [cls, style]);
      await page.waitForTimeout(100);
      const after = await charts();
      const unchanged = before.filter((png, i) => png === after[i]).length;
      if (unchanged) errors.push(`${unchanged} of ${before.length} charts kept their colours after the switch to ${label}`);
      await page.screenshot({ path: path.join(out, `${name}-${label}.png`), fullPage: true });
      before = after;
    }
    console.log(`${errors.length ? 'FAIL' : 'ok  '} ${name} (${height} px, ${count} charts)${errors.length ? `: ${errors.join('; ')}` : ''} -> .artifacts/webviews/${name}.png`);
    failed += errors.length ? 1 : 0;
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
