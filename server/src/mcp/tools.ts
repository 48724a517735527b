/**
 * The tools Glassbox offers agents over the Model Context Protocol. Each tool is one CLI command
 * run in-process with `--json` (cli/main.ts `runCli`): an agent gets exactly the numbers
 * `glassbox <command> --json` prints, with the command's own validation. A tool's JSON schema
 * (zod, converted by the SDK) states its arguments; `toArgv` maps them to the command line.
 *
 * Contract: a call never throws out of the handler. Exit 0 (and 1, a failed check) returns the
 * JSON; exit 2 (bad input: an unknown checkpoint, a row beyond the data) returns a tool error
 * result with the command's one-line message; exit 70 the same with the internal error's line.
 */
import { z } from 'zod';

/** Rows named by index or by line: at most this many per call (keeps results agent-sized). */
export const MAX_ROWS = 100;

const rowsShape = {
  rows: z.array(z.number().int().min(0)).max(MAX_ROWS).optional().describe('row indices, 0-based, header excluded'),
  lines: z.array(z.number().int().min(2)).max(MAX_ROWS).optional().describe('source line numbers in the data file (1-based, the header is line 1)'),
  data: z.enum(['train', 'test', 'reference']).optional().describe('which data set of the project (default: test, else reference, else train)'),
};
const checkpoint = z.string().min(1).optional().describe('checkpoint name in the series or directory (default: latest ready)');

export interface ToolSpec {
  name: string;
  title: string;
  description: string;
  /** The CLI command it runs. */
  command: string;
  shape: z.ZodRawShape;
  toArgv(args: Record<string, unknown>): string[];
  /** Trims the command's JSON for an agent (e.g. drops plot samples). */
  shapeResult?(json: Record<string, unknown>): unknown;
}

function rowArgs(a: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (Array.isArray(a.rows) && a.rows.length) out.push('--row', a.rows.join(','));
  if (Array.isArray(a.lines) && a.lines.length) out.push('--line', a.lines.join(','));
  if (typeof a.data === 'string') out.push('--data', a.data);
  return out;
}

function opt(flag: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return [flag, Array.isArray(v) ? v.join(',') : String(v)];
}

export const TOOLS: ToolSpec[] = [
  {
    name: 'explain',
    title: 'Explain rows',
    description: "Why the model predicts what it does for given rows: each raw feature's attribution to the predicted class (default method per model: additive, exact SHAP for trees and linear models, KernelSHAP for networks), with the prediction and the row's values.",
    command: 'explain',
    shape: { ...rowsShape, method: z.string().optional().describe('attribution method id (see glassbox explain --help)'), target: z.string().optional().describe('predicted (default), class:N or loss'), checkpoint },
    toArgv: (a) => [...rowArgs(a), ...opt('--method', a.method), ...opt('--target', a.target), ...opt('--checkpoint', a.checkpoint)],
  },
  {
    name: 'importance',
    title: 'Global importance',
    description: 'Which raw features the model relies on overall: share of attribution per feature (sums to 1), mean |attribution| and signed mean, over rows of a data set, optionally filtered (where: ["sex=Female", "age>40"]).',
    command: 'importance',
    shape: {
      data: rowsShape.data,
      limit: z.number().int().min(1).max(100000).optional().describe('at most this many rows (default 1000)'),
      where: z.array(z.string()).max(10).optional().describe('conditions on raw values, all must hold, e.g. "sex=Female", "age>40"'),
      method: z.string().optional().describe('attribution method id'),
      checkpoint,
    },
    toArgv: (a) => [...opt('--data', a.data), ...opt('--limit', a.limit), ...(Array.isArray(a.where) ? a.where.flatMap((w) => ['--where', String(w)]) : []), ...opt('--method', a.method), ...opt('--checkpoint', a.checkpoint)],
    shapeResult: ({ sample: _sample, ...rest }) => rest,
  },
  {
    name: 'suspects',
    title: 'Suspect training rows',
    description: 'Training rows most likely mislabelled or outliers (TracIn self-influence with confidence against the label; area under the margin for models without gradients), with file lines and reasons.',
    command: 'suspects',
    shape: { top: z.number().int().min(1).max(1000).optional().describe('rows to list (default 20)'), score: z.string().optional().describe('loss, self-influence, self-influence-last, combined (default) or aum') },
    toArgv: (a) => [...opt('--top', a.top), ...opt('--score', a.score)],
  },
  {
    name: 'influence',
    title: 'Influential training rows',
    description: 'For given rows, the training rows that most supported and most opposed the prediction (TracInCP over the checkpoint series), and nearest rows.',
    command: 'influence',
    shape: { ...rowsShape, top: z.number().int().min(1).max(100).optional().describe('rows per list (default 10)'), method: z.enum(['tracin', 'tracin-cos', 'relatif']).optional() },
    toArgv: (a) => [...rowArgs(a), ...opt('--top', a.top), ...opt('--method', a.method)],
  },
  {
    name: 'drift',
    title: 'Drift',
    description: 'Drift of each raw feature between the training data and the reference (or test) data, weighted by importance (impact and quadrant), prediction drift and performance change.',
    command: 'drift',
    shape: { metric: z.enum(['psi', 'js', 'ks', 'wasserstein']).optional(), checkpoint },
    toArgv: (a) => [...opt('--metric', a.metric), ...opt('--checkpoint', a.checkpoint)],
  },
  {
    name: 'check',
    title: 'Model checks',
    description: 'Run the model and expectation checks (leakage, label problems, generalisation, calibration, out-of-distribution reference, protected attributes, monotonicity, expected top features, randomisation); ok is false when a check with severity error failed.',
    command: 'check',
    shape: { only: z.array(z.string()).max(50).optional().describe('check ids to run (default: all that apply)'), checkpoint },
    toArgv: (a) => [...opt('--only', a.only), ...opt('--checkpoint', a.checkpoint)],
  },
  {
    name: 'compare',
    title: 'Compare checkpoints, runs or models',
    description: 'Compare B with A: metrics per data set, importance ranks and rank agreement, rows whose prediction flipped (with attributions under both), per-feature attribution disagreement, drift-impact and check changes. A and B are checkpoint names, project glassbox.json paths, or PROJECT@CHECKPOINT.',
    command: 'compare',
    shape: { a: z.string().min(1).describe('before: checkpoint, project or PROJECT@CHECKPOINT'), b: z.string().min(1).describe('after'), checks: z.boolean().optional().describe('run the checks on both (default true)'), drift: z.boolean().optional().describe('run drift on both (default true)') },
    toArgv: (a) => [String(a.a), String(a.b), ...(a.checks === false ? ['--no-checks'] : []), ...(a.drift === false ? ['--no-drift'] : [])],
  },
  {
    name: 'counterfactual',
    title: 'Counterfactuals',
    description: 'Small changes of raw feature values that would change the prediction of given rows (respecting immutable features, directions and bounds), with plausibility and the nearest real training row.',
    command: 'counterfactual',
    shape: {
      ...rowsShape,
      target: z.string().optional().describe('class to reach (index or name; default any other class)'),
      count: z.number().int().min(1).max(20).optional(),
      maxChanges: z.number().int().min(1).max(20).optional(),
      immutable: z.array(z.string()).optional().describe("features that must not change (default: glassbox.json 'protected')"),
      checkpoint,
    },
    toArgv: (a) => [...rowArgs(a), ...opt('--target', a.target), ...opt('--count', a.count), ...opt('--max-changes', a.maxChanges), ...opt('--immutable', a.immutable), ...opt('--checkpoint', a.checkpoint)],
  },
];
