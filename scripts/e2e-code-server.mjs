// Runs the integration suite (client/src/test/e2e) in a real VS Code workbench served by
// code-server, driven by headless Debian Chromium, with test-workspace/ open. Screenshots the
// suite asks for land in .artifacts/e2e/. Needs scripts/install-code-server.sh first.
// Usage: node scripts/e2e-code-server.mjs [--no-build] [--keep-open]
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.GLASSBOX_CODE_SERVER_DIR ?? path.join(root, '.cache/code-server');
const codeServer = path.join(cache, 'node_modules/.bin/code-server');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = path.join(root, '.artifacts/e2e');
const workspace = path.join(root, 'test-workspace');
// The demo's five checkpoints are analysed with every step inside the suite: slow on a busy machine.
const TIMEOUT_MS = Number(process.env.GLASSBOX_E2E_TIMEOUT_MS ?? 45 * 60_000);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

for (const [what, file] of [['code-server (run scripts/install-code-server.sh)', codeServer], ['chromium (apt-get install chromium)', chromiumPath]]) {
  if (!fs.existsSync(file)) {
    console.error(`missing ${what}: ${file}`);
    process.exit(2);
  }
}

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-e2e.mjs'], { cwd: root, stdio: 'inherit' });
}
if (!fs.existsSync(path.join(workspace, 'checkpoints'))) {
  console.log('training the demo checkpoints (npm run train)…');
  execFileSync(process.execPath, ['dist/train-demo.js'], { cwd: root, stdio: 'inherit' });
}

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const port = await freePort();
const state = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'glassbox-e2e-'));
fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });

// The second folder: the first rows of the Adult data, the reference encoding and two reference
// checkpoints (as server/test/lsp-client.ts makeWorkspace lays them out), no glassbox.json.
const newProject = path.join(state, 'new-project');
{
  const anchors = path.join(root, 'server/test/anchors');
  const head = (src, n) => fs.readFileSync(src, 'utf8').split('\n').slice(0, n + 1).join('\n') + '\n';
  fs.mkdirSync(path.join(newProject, 'data'), { recursive: true });
  fs.writeFileSync(path.join(newProject, 'data/train.csv'), head(path.join(workspace, 'data/adult_train.csv'), 800));
  fs.writeFileSync(path.join(newProject, 'data/test.csv'), head(path.join(workspace, 'data/adult_test.csv'), 300));
  fs.copyFileSync(path.join(anchors, 'encoding.json'), path.join(newProject, 'encoding.json'));
  for (const epoch of [1, 2]) {
    const dir = path.join(newProject, 'checkpoints', `epoch-${epoch}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['weights.bin', 'model.json']) fs.copyFileSync(path.join(anchors, 'adult-mlp/checkpoints', `epoch-${epoch}`, f), path.join(dir, f));
  }
}
const workspaceFile = path.join(state, 'glassbox-e2e.code-workspace');
fs.writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: workspace }, { path: newProject }] }));

const userDir = path.join(state, 'user-data', 'User');
fs.mkdirSync(userDir, { recursive: true });
fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never', 'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
}));

// Its own process group (like setsid) so that stopping it also stops its file watcher.
const server = spawn(codeServer, [
  '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
  '--user-data-dir', path.join(state, 'user-data'), '--extensions-dir', path.join(state, 'extensions'),
  '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspaceFile,
], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: path.join(state, 'home'), GLASSBOX_E2E_ARTIFACTS: artifacts, GLASSBOX_E2E_NEW_PROJECT: newProject } });
const serverLog = fs.createWriteStream(path.join(artifacts, 'code-server.log'));
server.stdout.pipe(serverLog);
server.stderr.pipe(serverLog);
const stopServer = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ } };
process.on('exit', stopServer);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

let context;
let exitCode = 1;
try {
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 600) throw new Error('code-server did not start within 60 s (see .artifacts/e2e/code-server.log)');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`code-server up after ${elapsed()}`);

  context = await chromium.launchPersistentContext(path.join(state, 'chromium'), {
    executablePath: chromiumPath, headless: true, viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const finished = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => { resolve(code); }));
  page.on('console', (m) => { const t = m.text(); if (!/vsda|marketplace|telemetry|Failed to load resource/i.test(t)) console.log(`[workbench] ${t}`); });

  // Paths on the code-server side are vscode-remote URIs: the extension host runs there, not in the page.
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(path.join(root, 'dist/test/e2e/index.js'))]]);
  await page.goto(`${url}/?workspace=${encodeURIComponent(workspaceFile)}&payload=${encodeURIComponent(payload)}`);

  // A script the suite asks to run in every webview document (<name>.eval.json): the answers that
  // are not null go to <name>.result.json. Webviews are nested iframes; every frame but the
  // workbench's own is tried, and one that throws (not a Glassbox app) counts as no answer.
  const evaluate = async (file) => {
    const name = file.slice(0, -'.eval.json'.length);
    const { expression } = JSON.parse(fs.readFileSync(path.join(artifacts, file), 'utf8'));
    fs.rmSync(path.join(artifacts, file));
    const answers = [];
    for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
      try {
        const value = await frame.evaluate(expression);
        if (value !== null && value !== undefined) answers.push({ url: frame.url(), value });
      } catch { /* a frame without the app, or detached meanwhile */ }
    }
    fs.writeFileSync(path.join(artifacts, `${name}.result.tmp`), JSON.stringify({ answers }));
    fs.renameSync(path.join(artifacts, `${name}.result.tmp`), path.join(artifacts, `${name}.result.json`));
  };

  // The suite asks for screenshots by writing <name>.request; answer with <name>.png.
  let shooting = false;
  const shooter = setInterval(async () => {
    if (shooting) return;
    shooting = true;
    for (const f of fs.readdirSync(artifacts).filter((f) => f.endsWith('.eval.json'))) {
      await evaluate(f).catch((e) => fs.writeFileSync(path.join(artifacts, f.replace(/\.eval\.json$/, '.result.json')), JSON.stringify({ error: e.message })));
    }
    for (const f of fs.readdirSync(artifacts).filter((f) => f.endsWith('.request'))) {
      const name = f.slice(0, -'.request'.length);
      fs.rmSync(path.join(artifacts, f));
      await new Promise((r) => setTimeout(r, 1500)); // let the charts draw
      try {
        await page.screenshot({ path: path.join(artifacts, `${name}.tmp.png`), timeout: 45_000, caret: 'initial' });
        fs.renameSync(path.join(artifacts, `${name}.tmp.png`), path.join(artifacts, `${name}.png`));
        console.log(`screenshot .artifacts/e2e/${name}.png`);
      } catch (e) {
        console.error(`screenshot ${name} failed: ${e.message}`);
      }
    }
    shooting = false;
  }, 200);
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no result within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS));
  exitCode = await Promise.race([finished, timeout]);
  clearInterval(shooter);
  const results = path.join(artifacts, 'results.txt');
  if (fs.existsSync(results)) console.log(fs.readFileSync(results, 'utf8'));
  console.log(`integration suite exited with ${exitCode} after ${elapsed()}`);
} catch (e) {
  console.error(`e2e failed after ${elapsed()}: ${e.message}`);
} finally {
  await context?.close().catch(() => undefined);
  stopServer();
  fs.rmSync(state, { recursive: true, force: true });
}
process.exit(exitCode);
