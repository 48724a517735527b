// The demo: trains the bundled Adult model if its checkpoints are missing (or with --retrain), then
// runs the Glassbox CLI over it and prints a readable summary. Run it as `npm run demo`.
//
// `npm run demo -- --live [--epochs 5] [--epoch-delay-ms 4000]`: trains while the editor is open on
// test-workspace/, one checkpoint every few seconds, streaming the loss and each checkpoint to the
// Glassbox daemon; run it again and the editor shows a new run beside the previous one.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspace = path.join(root, 'test-workspace');
const cli = path.join(root, 'bin', 'glassbox.js');
const retrain = process.argv.includes('--retrain');
const live = process.argv.includes('--live');
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};

function glassbox(args, { json = false } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args, ...(json ? ['--json'] : [])], { cwd: workspace, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 2);
  }
  return json ? JSON.parse(r.stdout) : r.stdout;
}

function heading(s) {
  console.log(`\n== ${s} ${'='.repeat(Math.max(0, 70 - s.length))}`);
}

if (live) {
  heading('Training live (open test-workspace/ in the editor to watch)');
  const args = ['--workspace', workspace, '--epochs', option('--epochs', '5'), '--epoch-delay-ms', option('--epoch-delay-ms', '4000')];
  execFileSync(process.execPath, [path.join(root, 'dist', 'train-demo.js'), ...args], { stdio: 'inherit' });
  console.log('\nEvery checkpoint is analysed as it lands; training again starts a new run (its own run id).');
  process.exit(0);
}

const checkpoints = path.join(workspace, 'checkpoints');
const haveCheckpoints = fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).some((d) => fs.existsSync(path.join(checkpoints, d, 'model.json')));
if (retrain || !haveCheckpoints) {
  heading('Training the demo model (test-workspace/train.ts)');
  execFileSync(process.execPath, [path.join(root, 'dist', 'train-demo.js'), '--workspace', workspace], { stdio: 'inherit' });
} else {
  heading('Reusing the trained demo model (npm run demo -- --retrain to train again)');
}

heading('glassbox doctor');
process.stdout.write(glassbox(['doctor']));

heading('glassbox schema');
process.stdout.write(glassbox(['schema']));

heading('glassbox checkpoints');
process.stdout.write(glassbox(['checkpoints']));

heading('glassbox predict --data test');
const pred = glassbox(['predict', '--data', 'test'], { json: true });
console.log(`checkpoint ${pred.checkpoint.name}: accuracy ${(pred.accuracy * 100).toFixed(2)}% on ${pred.rows.length} test rows`);

heading('glassbox explain --line 2,3,4 (saliency, per raw feature)');
process.stdout.write(glassbox(['explain', '--line', '2,3,4']));

heading('glassbox importance --limit 1000 (KernelSHAP, per raw feature)');
process.stdout.write(glassbox(['importance', '--limit', '1000']));

heading('glassbox suspects --top 8 (training rows whose labels look wrong)');
process.stdout.write(glassbox(['suspects', '--top', '8']));

heading('glassbox influence --line 2 --top 3 (training rows behind one prediction)');
process.stdout.write(glassbox(['influence', '--line', '2', '--top', '3']));

heading('glassbox drift (training vs reference, weighted by importance)');
process.stdout.write(glassbox(['drift']));

heading('glassbox check (model checks and the expectations in glassbox.json)');
const check = spawnSync(process.execPath, [cli, 'check'], { cwd: workspace, encoding: 'utf8' });
process.stdout.write(check.stdout);
if (check.status === 2) {
  process.stderr.write(check.stderr);
  process.exit(2);
}
console.log(`(glassbox check exited ${check.status}: ${check.status === 0 ? 'every check passed' : 'a check with severity error failed'})`);
console.log('\nNext: open test-workspace/ in VS Code with the Glassbox extension, or run `node bin/glassbox.js --help`.');
