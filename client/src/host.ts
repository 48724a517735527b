/**
 * The VS Code API surface the extension's logic uses, as a plain interface. `vscodeHost()` (in
 * vscodeHost.ts) implements it with the real API; unit tests pass a fake, so they run without VS Code.
 */
export interface PickItem {
  label: string;
  description?: string;
  detail?: string;
}

export interface CsvPosition {
  uri: string;
  /** Absolute path. */
  file: string;
  /** 0-based editor line. */
  line: number;
}

export interface Host {
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string): void;
  pick<T extends PickItem>(items: T[], placeholder: string): Promise<T | undefined>;
  /** Opens a file with the cursor at a 1-based line. */
  openFile(file: string, line?: number): Promise<void>;
  /** The cursor's line when the active editor shows a CSV file. */
  activeCsvLine(): CsvPosition | undefined;
  executeCommand(id: string, ...args: unknown[]): Promise<unknown>;
  workspaceRoot(): string | undefined;
  /** Absolute paths of workspace files matching a glob. */
  findFiles(include: string, exclude: string, max: number): Promise<string[]>;
  readText(file: string, maxBytes: number): Promise<string>;
  writeText(file: string, text: string): Promise<void>;
  exists(file: string): Promise<boolean>;
  /**
   * Runs `task` under a notification with a Cancel button; cancelling aborts `signal` (the task
   * passes it on to its daemon request) and the returned promise rejects with `CancelledError`.
   */
  withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** The user cancelled a long command from its notification: nothing to report. */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled`);
  }
}
