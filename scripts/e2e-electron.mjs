// Runs the integration suite in desktop VS Code downloaded by @vscode/test-electron (needs access to
// update.code.visualstudio.com; on machines without it use scripts/e2e-code-server.mjs).
// Usage: node scripts/e2e-electron.mjs [--no-build]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-e2e.mjs'], { cwd: root, stdio: 'inherit' });
}
if (!fs.existsSync(path.join(root, 'test-workspace/checkpoints'))) execFileSync(process.execPath, ['dist/train-demo.js'], { cwd: root, stdio: 'inherit' });
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'dist/test/e2e/index.js'),
    launchArgs: [path.join(root, 'test-workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`integration tests failed: ${e.message ?? e}`);
  process.exit(1);
}
