/**
 * A small mixed data set for counterfactual and robustness tests: an integer and a continuous
 * numeric feature, two categorical ones, encoded by Glassbox's own encoder from raw text.
 */
import { compileEncoder, type Encoding } from '../data/encoding';
import { createRng } from '../util/random';

export const CF_ENCODING: Encoding = {
  features: [
    { name: 'age', type: 'numeric', transform: 'standardize', mean: 45, std: 12, columns: [0, 1] },
    { name: 'hours', type: 'numeric', transform: 'standardize', mean: 40, std: 6, columns: [1, 2] },
    { name: 'colour', type: 'categorical', categories: ['blue', 'green', 'red'], unknown: 'zeros', columns: [2, 5] },
    { name: 'sex', type: 'categorical', categories: ['F', 'M'], unknown: 'zeros', columns: [5, 7] },
  ],
  label: { name: 'y', classes: ['no', 'yes'] },
  ignored: [],
  missing: [],
  width: 7,
};

export interface RawRows {
  raw: string[][];
  X: Float32Array;
  n: number;
}

/** n rows: integer ages 20..70, hours 20..60 with decimals, uniform categories; seeded. */
export function cfRows(n: number, seed = 3): RawRows {
  const rng = createRng(seed);
  const colours = ['blue', 'green', 'red'];
  const raw = Array.from({ length: n }, () => [
    String(20 + rng.int(51)),
    (20 + 40 * rng.next()).toFixed(2),
    colours[rng.int(3)]!,
    rng.next() < 0.5 ? 'F' : 'M',
  ]);
  const enc = compileEncoder(CF_ENCODING, ['age', 'hours', 'colour', 'sex']);
  const X = new Float32Array(n * CF_ENCODING.width);
  raw.forEach((r, i) => enc.encode(r, X, i * CF_ENCODING.width));
  return { raw, X, n };
}
