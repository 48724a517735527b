/**
 * What every CLI command gets: parsed options, output helpers that respect `--json`, and the
 * project (found from `--config` or by walking up from the current directory).
 */
import * as path from 'node:path';
import { findConfig } from '../core/config/config';
import { initEngine, type EngineInfo } from '../core/engine/backend';
import { GlassboxError } from '../core/errors';
import { Project } from '../core/project';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  options: OptionValues;
  positionals: string[];
  json: boolean;
  cwd: string;
  /** Writes a line to stdout (human output). */
  print(line?: string): void;
  /** Writes the command's JSON result to stdout. */
  emit(value: unknown): void;
  project(): Project;
  engine(): Promise<EngineInfo>;
  /** The engine once `engine()` has resolved (for error messages naming the backend). */
  readonly engineInfo: EngineInfo | undefined;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Placeholder shown in help, e.g. FILE. */
  arg?: string;
}

/** `--checkpoint PATH`: the one checkpoint a command reads (`Project.resolveCheckpoint`), the same in every command. */
export const CHECKPOINT_OPTION: OptionSpec = { type: 'string', arg: 'PATH', description: 'checkpoint directory or name in the series (default: latest ready)' };

export interface Command {
  name: string;
  summary: string;
  /** Extra usage after `glassbox <name>`. */
  usage?: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code: 0 ok, 1 a check failed. Input errors throw GlassboxError (exit 2). */
  run(ctx: CommandContext): Promise<number>;
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', arg: 'FILE', description: 'glassbox.json to use (default: found by walking up from the current directory)' },
  json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  backend: { type: 'string', arg: 'NAME', description: 'force a backend: tensorflow-gpu, tensorflow, wasm or cpu' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
};

export function makeContext(options: OptionValues, positionals: string[], cwd: string, write: (s: string) => void): CommandContext {
  let project: Project | undefined;
  let engineInfo: EngineInfo | undefined;
  return {
    options,
    positionals,
    json: Boolean(options.json),
    cwd,
    print: (line = '') => {
      if (!options.json) write(line + '\n');
    },
    emit: (value) => write(JSON.stringify(value, null, 2) + '\n'),
    project() {
      if (!project) {
        const file = typeof options.config === 'string' ? path.resolve(cwd, options.config) : findConfig(cwd);
        if (!file) throw new GlassboxError('config', `no glassbox.json in ${cwd} or any parent directory (pass --config FILE)`);
        project = Project.open(file);
      }
      return project;
    },
    async engine() {
      const backend = typeof options.backend === 'string' ? options.backend : undefined;
      engineInfo = await initEngine(backend ? { prefer: backend as never } : {});
      return engineInfo;
    },
    get engineInfo() {
      return engineInfo;
    },
  };
}
