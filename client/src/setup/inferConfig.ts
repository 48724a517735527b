/**
 * Guesses a glassbox.json from what the workspace holds: its CSV files (header line only) and the
 * folders holding checkpoints (a model file of any format inside). Only the keys the schema requires (`data`,
 * `label`, `checkpoints`) are written: the core infers each feature's type and the task from the
 * data (`glassbox schema` shows what it chose), so nothing is guessed twice.
 */
export interface CsvCandidate {
  /** Path relative to the workspace folder, with `/`. */
  path: string;
  header: string[];
}

export interface ConfigGuess {
  config: { data: { train: string; test?: string; reference?: string }; label: string; checkpoints: { path: string } };
  /** The label candidates, the guessed one first. */
  labelCandidates: string[];
}

const LABEL_NAMES = ['label', 'target', 'y', 'class', 'outcome', 'income'];

export function parseHeader(firstLine: string): string[] {
  return firstLine.replace(/^\uFEFF/, '').split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1')).filter((c) => c.length > 0);
}

function base(p: string): string {
  return (p.split('/').pop() ?? p).toLowerCase();
}

function parent(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i);
}

/** `modelFiles`: workspace-relative paths of model files (model.json, .onnx, xgboost.json, ...). Undefined when there is no CSV. */
export function inferConfig(csvs: CsvCandidate[], modelFiles: string[]): ConfigGuess | undefined {
  const usable = csvs.filter((c) => c.header.length >= 2).sort((a, b) => a.path.localeCompare(b.path));
  if (usable.length === 0) return undefined;
  const find = (...words: string[]) => usable.find((c) => words.some((w) => base(c.path).includes(w)));
  const train = find('train') ?? usable[0]!;
  const rest = usable.filter((c) => c !== train && sameColumns(c, train));
  const test = rest.find((c) => /test/.test(base(c.path))) ?? rest[0];
  const reference = rest.find((c) => /(val|valid|ref|prod)/.test(base(c.path))) ?? test;
  const lower = train.header.map((h) => h.toLowerCase());
  const named = LABEL_NAMES.map((n) => lower.indexOf(n)).find((i) => i >= 0);
  const label = train.header[named ?? train.header.length - 1]!;
  // Checkpoints are sibling folders (one per checkpoint) under one series folder.
  const seriesDirs = modelFiles.map((m) => parent(parent(m))).filter((d) => d !== '.');
  const counts = new Map<string, number>();
  for (const d of seriesDirs) counts.set(d, (counts.get(d) ?? 0) + 1);
  const checkpoints = [...counts].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length)[0]?.[0] ?? 'checkpoints';
  return {
    config: {
      data: { train: train.path, ...(test ? { test: test.path } : {}), ...(reference ? { reference: reference.path } : {}) },
      label,
      checkpoints: { path: checkpoints },
    },
    labelCandidates: [label, ...train.header.filter((h) => h !== label)],
  };
}

function sameColumns(a: CsvCandidate, b: CsvCandidate): boolean {
  const set = new Set(a.header);
  return b.header.every((h) => set.has(h));
}
