/**
 * `glassbox`: the analysis core, headless. Exit codes: 0 ok, 1 a check failed, 2 usage or input
 * error (one line on stderr naming the problem, `file:line:` first when there is a place), 70 an
 * internal error (one line; the stack with GLASSBOX_DEBUG=1). See failure.ts.
 */
import { parseArgs } from 'node:util';
import { COMMON_OPTIONS, makeContext, type Command, type CommandContext, type OptionSpec, type OptionValues } from './context';
import { echo, GlassboxError } from '../core/errors';
import { describeFailure, EXIT_INTERNAL } from './failure';
import { suggest } from '../core/data/schema';
import { doctor } from './commands/doctor';
import { schema } from './commands/schema';
import { checkpoints } from './commands/checkpoints';
import { predict } from './commands/predict';
import { explain } from './commands/explain';
import { importance } from './commands/importance';
import { check } from './commands/check';
import { influence } from './commands/influence';
import { suspects } from './commands/suspects';
import { drift } from './commands/drift';
import { quality } from './commands/quality';
import { ood } from './commands/ood';
import { lsp } from './commands/lsp';
import { counterfactual } from './commands/counterfactual';
import { robustness } from './commands/robustness';
import { compare } from './commands/compare';
import { timeline } from './commands/timeline';
import { report } from './commands/report';
import { mcp } from './commands/mcp';
import { precompute } from './commands/precompute';
import { merge } from './commands/merge';

export const COMMANDS: Command[] = [doctor, schema, checkpoints, predict, explain, importance, quality, influence, suspects, drift, ood, counterfactual, robustness, check, compare, timeline, report, precompute, merge, mcp, lsp];

export interface CliIO {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Runs one command line; `commands` defaults to the real ones (tests pass their own). */
export async function runCli(argv: string[], io: CliIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`glassbox: unknown command '${echo(name)}'${suggest(name, commands.map((c) => c.name))}; run 'glassbox --help'\n`);
    return 2;
  }
  const specs: Record<string, OptionSpec> = { ...COMMON_OPTIONS, ...command.options };
  let ctx: CommandContext | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: toParseArgs(specs), allowPositionals: Boolean(command.usage), strict: true });
    } catch (e) {
      throw new GlassboxError('usage', `${echo((e as Error).message.replace(/\. To specify a positional.*$/s, ''), 300)}; run 'glassbox ${name} --help'`);
    }
    if (parsed.values.help) {
      io.stdout(commandHelp(command, specs));
      return 0;
    }
    ctx = makeContext(parsed.values as OptionValues, parsed.positionals, io.cwd, io.stdout);
    return await command.run(ctx);
  } catch (e) {
    const failure = describeFailure(e, `glassbox ${name}`, ctx?.engineInfo?.backend);
    io.stderr(failure.text);
    return failure.exitCode;
  }
}

declare const GLASSBOX_VERSION: string | undefined;
const VERSION = typeof GLASSBOX_VERSION === 'string' ? GLASSBOX_VERSION : 'dev';

function toParseArgs(specs: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(specs).map(([k, s]) => [k, { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) }]),
  ) as Parameters<typeof parseArgs>[0] extends infer C ? (C extends { options?: infer O } ? O : never) : never;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'glassbox: explain, debug and check ML models from the command line',
    '',
    'usage: glassbox <command> [options]     (glassbox <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 ok, 1 a check failed, 2 usage or input error, 70 internal error (please report;',
    'GLASSBOX_DEBUG=1 prints its stack).',
    '',
  ].join('\n');
}

function commandHelp(c: Command, specs: Record<string, OptionSpec>): string {
  const flags = Object.entries(specs).map(([k, s]) => [`${s.short ? `-${s.short}, ` : ''}--${k}${s.arg ? ` ${s.arg}` : ''}`, s.description] as const);
  const w = Math.max(...flags.map((f) => f[0].length));
  return [`glassbox ${c.name}${c.usage ? ` ${c.usage}` : ''} [options]`, '', c.summary, '', ...flags.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`), ''].join('\n');
}

/** Entry point of the `glassbox` binary. */
export function main(): void {
  const argv = process.argv.slice(2);
  // A reader that went away (`glassbox predict | head -1`) is not an error: stop quietly, as Unix
  // tools do, instead of dying on an unhandled EPIPE.
  const quitOnClosedPipe = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  };
  process.stdout.on('error', quitOnClosedPipe);
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  if (argv[0] !== 'lsp') {
    // Failures outside the command's promise (an emitter with no 'error' listener, a timer) get
    // the same one-line report. The language server installs its own handling.
    const fatal = (e: unknown) => {
      const failure = describeFailure(e, `glassbox ${argv[0] ?? ''}`.trim());
      process.stderr.write(failure.text);
      process.exit(failure.exitCode);
    };
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
  }
  runCli(argv, {
    cwd: process.cwd(),
    stdout: (s) => {
      process.stdout.write(s);
    },
    stderr: (s) => {
      process.stderr.write(s);
    },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      const failure = describeFailure(e, 'glassbox');
      process.stderr.write(failure.text);
      process.exitCode = failure.exitCode || EXIT_INTERNAL;
    },
  );
}
