// Writes test-workspace/data/adult_production.csv: the demo's "production" data, derived from the
// UCI Adult test set with a documented, seeded shift, so the demo has drift to find:
//  - rows sampled with weight growing with age (an older population than in training),
//  - hours_per_week up by 6 for a third of the rows (longer working weeks),
//  - workclass 'Gig-economy' (a category training never saw) for 2% of the rows,
//  - everything else (including the labels) as in the test set.
// Deterministic: re-running it writes the same file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'test-workspace/data/adult_test.csv');
const target = path.join(root, 'test-workspace/data/adult_production.csv');

let state = 20261122;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const [header, ...rows] = fs.readFileSync(source, 'utf8').split('\n').filter((l) => l.length > 0);
const cols = header.split(',');
const age = cols.indexOf('age');
const hours = cols.indexOf('hours_per_week');
const workclass = cols.indexOf('workclass');
const out = [header];
for (const line of rows) {
  const v = line.split(',');
  // Keep probability rises from ~0.15 at 17 to 1 at 60+.
  const keep = Math.min(1, 0.15 + (Number(v[age]) - 17) / 50);
  if (random() >= keep) continue;
  if (random() < 1 / 3) v[hours] = String(Math.min(99, Number(v[hours]) + 6));
  if (random() < 0.02) v[workclass] = 'Gig-economy';
  out.push(v.join(','));
}
fs.writeFileSync(target, out.join('\n') + '\n');
console.log(`wrote ${out.length - 1} rows to ${path.relative(root, target)}`);
