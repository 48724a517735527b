/**
 * The integration suite's entry: VS Code (desktop via @vscode/test-electron, or code-server) loads
 * this module in the extension host and awaits `run()`. Mocha runs every bundled *.e2e.test.js
 * beside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.e2e.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  // The extension host's stdout is not visible from every launcher: results also go to a file.
  const dir = process.env.GLASSBOX_E2E_ARTIFACTS;
  const log = (line: string) => {
    console.log(line);
    if (dir) fs.appendFileSync(path.join(dir, 'results.txt'), `${line}\n`);
  };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    runner.on('pass', (t) => log(`ok    ${t.fullTitle()} (${t.duration} ms)`));
    runner.on('pending', (t) => log(`skip  ${t.fullTitle()}`));
    runner.on('fail', (t, err: Error) => log(`FAIL  ${t.fullTitle()}: ${err.message}`));
    runner.on('end', () => log(`${runner.stats?.passes ?? 0} passed, ${runner.stats?.pending ?? 0} skipped, ${runner.stats?.failures ?? 0} failed`));
  });
}
