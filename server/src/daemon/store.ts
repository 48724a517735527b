/**
 * The results store: an embedded SQLite database (sql.js, SQLite compiled to WebAssembly, so no
 * native build) in `<workspace>/.glassbox/results.sqlite`. Results are keyed by checkpoint content
 * hash, step and input key, so reopening the editor shows the last results at once and the
 * history over checkpoints gives trends.
 *
 * The database lives in memory and is written back whole shortly after each change, through a
 * temporary file and a rename (private-files.ts: 0600, never through a symlink), so a crash never
 * leaves half a file. A failed write (read-only folder, full disk, a folder in the way) is reported
 * through `problem`/`onProblem` and retried later, never thrown from a timer; results stay in
 * memory meanwhile. A file that is not a database of this schema and version (garbage, truncated,
 * another schema, a symlink) is set aside as `results.sqlite.broken` and rebuilt: losing a cache
 * is never fatal. A row whose JSON does not parse is skipped (results: deleted, so the step runs
 * again; checkpoints: its metrics read as none), never hiding the other rows.
 *
 * The `runs` table keeps the training runs' assignments (runs.ts `RunRecord`), so the previous
 * run is still known after a restart; a database of this version written before the table existed
 * gains it on open (its results stay).
 *
 * When `.glassbox` is not a private folder (a regular file, a symlink), the store works in memory
 * only and `problem` says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import type { CheckpointInfo } from '../core/model/checkpoints';
import { isGlassboxError } from '../core/errors';
import { privateDir, writePrivateFile, STORE_DIR } from './private-files';
import type { StepId, StepResults } from './steps/catalog';
import type { RunRecord } from './runs';

export { STORE_DIR };
export const STORE_VERSION = 1;
export const STORE_FILE = 'results.sqlite';
/** Larger files are set aside unread (the whole database is held in memory). */
export const MAX_STORE_BYTES = 512 * 2 ** 20;

/** The tables and their columns, in order: anything else is another schema. */
const SCHEMA: Record<string, string[]> = {
  results: ['hash', 'step', 'input_key', 'created', 'value'],
  checkpoints: ['hash', 'name', 'ord', 'metrics', 'seen'],
  metrics: ['run_step', 'name', 'value', 'at'],
  runs: ['hash', 'run', 'name', 'seq', 'assigned'],
};

/** Added after version 1 shipped: created on open when missing, never a reason to rebuild. */
const RUNS_TABLE = 'CREATE TABLE IF NOT EXISTS runs (hash TEXT NOT NULL, run TEXT NOT NULL, name TEXT NOT NULL, seq INTEGER NOT NULL, assigned INTEGER NOT NULL, PRIMARY KEY (hash, run))';

let sqlJs: Promise<SqlJsStatic> | undefined;
function loadSqlJs(): Promise<SqlJsStatic> {
  const requireHere = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'));
  sqlJs ??= initSqlJs({ locateFile: (f: string) => path.join(path.dirname(requireHere.resolve('sql.js')), f) });
  return sqlJs;
}

export interface StoreOptions {
  /** Delay before a change is written back (default 200 ms). */
  flushMs?: number;
  /** Delay before a failed write is tried again (default 5 s, doubling up to a minute). */
  retryMs?: number;
  /** Called when writing starts failing (with the message) and when it works again (undefined). */
  onProblem?: (problem: string | undefined) => void;
}

export interface StoredResult<T = unknown> {
  hash: string;
  step: string;
  inputKey: string;
  created: number;
  value: T;
}

export interface StoredCheckpoint {
  hash: string;
  name: string;
  order: number;
  metrics: Record<string, number>;
  seen: number;
}

export class ResultsStore {
  private dirty: NodeJS.Timeout | undefined;
  private closed = false;
  private retryDelay: number;
  /** Why results are not being saved right now (memory only, or the last write failed). */
  problem: string | undefined;
  /** Rows skipped (and repaired) because their JSON did not parse. */
  skippedRows = 0;

  private constructor(
    private readonly db: Database,
    /** Undefined: memory only (`.glassbox` refused). */
    readonly file: string | undefined,
    /** Why the previous file was discarded, if it was. */
    readonly rebuiltBecause: string | undefined,
    private readonly options: StoreOptions,
  ) {
    this.retryDelay = options.retryMs ?? 5000;
  }

  static async open(root: string, options: StoreOptions = {}): Promise<ResultsStore> {
    const SQL = await loadSqlJs();
    let file: string | undefined;
    let refused: string | undefined;
    try {
      file = path.join(privateDir(root), STORE_FILE);
    } catch (e) {
      if (!isGlassboxError(e)) throw e;
      refused = e.message;
    }
    let db: Database | undefined;
    let why: string | undefined;
    const st = file ? lstatOrUndefined(file) : undefined;
    if (file && st) {
      try {
        if (st.isSymbolicLink()) throw new Error('it is a symbolic link');
        if (!st.isFile()) throw new Error('it is not a regular file');
        if (st.size > MAX_STORE_BYTES) throw new Error(`it is ${(st.size / 2 ** 20).toFixed(0)} MiB, over the ${MAX_STORE_BYTES / 2 ** 20} MiB a results cache may take`);
        db = new SQL.Database(fs.readFileSync(file));
        checkDatabase(db, () => db!.exec(RUNS_TABLE));
      } catch (e) {
        why = `${path.basename(file)} was unreadable (${(e as Error).message}); set aside as ${STORE_FILE}.broken and rebuilt`;
        try {
          db?.close();
        } catch {
          /* a half-open database has nothing to release */
        }
        db = undefined;
        try {
          fs.rmSync(`${file}.broken`, { recursive: true, force: true });
          fs.renameSync(file, `${file}.broken`);
        } catch {
          /* best effort: the rebuilt file replaces it anyway */
        }
      }
    }
    if (!db) {
      db = new SQL.Database();
      db.exec(`
        CREATE TABLE results (hash TEXT NOT NULL, step TEXT NOT NULL, input_key TEXT NOT NULL, created INTEGER NOT NULL, value TEXT NOT NULL,
          PRIMARY KEY (hash, step, input_key));
        CREATE TABLE checkpoints (hash TEXT PRIMARY KEY, name TEXT NOT NULL, ord REAL NOT NULL, metrics TEXT NOT NULL, seen INTEGER NOT NULL);
        CREATE TABLE metrics (run_step REAL NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, at INTEGER NOT NULL);
        ${RUNS_TABLE};
        PRAGMA user_version = ${STORE_VERSION};`);
    }
    const store = new ResultsStore(db, file, why, options);
    store.problem = refused;
    if (why) store.flush();
    return store;
  }

  /** A stored result, typed by the step id (`StepResults`); other ids (tests, old steps) name their type. */
  get<K extends StepId>(hash: string, step: K, inputKey: string): StoredResult<StepResults[K]> | undefined;
  get<T>(hash: string, step: string, inputKey: string): StoredResult<T> | undefined;
  get<T>(hash: string, step: string, inputKey: string): StoredResult<T> | undefined {
    if (this.closed) return undefined;
    const r = this.db.exec('SELECT created, value FROM results WHERE hash = ? AND step = ? AND input_key = ?', [hash, step, inputKey])[0]?.values[0];
    if (!r) return undefined;
    const value = this.parseResult<T>(r[1], hash, step, inputKey);
    return value === undefined ? undefined : { hash, step, inputKey, created: r[0] as number, value: value.v };
  }

  /**
   * Whether a result is stored, without reading or parsing it (what the dashboard's analysis state
   * needs). A row whose JSON is broken counts until a `get` finds it so and deletes it.
   */
  has(hash: string, step: string, inputKey: string): boolean {
    if (this.closed) return false;
    return this.db.exec('SELECT 1 FROM results WHERE hash = ? AND step = ? AND input_key = ? LIMIT 1', [hash, step, inputKey]).length > 0;
  }

  put(hash: string, step: string, inputKey: string, value: unknown): void {
    if (this.closed) return;
    this.db.run('INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)', [hash, step, inputKey, Date.now(), JSON.stringify(value)]);
    this.schedule();
  }

  noteCheckpoint(c: CheckpointInfo): void {
    if (this.closed || !c.hash) return;
    this.db.run('INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?)', [c.hash, c.name, c.order, JSON.stringify(c.metrics ?? {}), Date.now()]);
    this.schedule();
  }

  /** Every checkpoint seen, in series order. */
  checkpoints(): StoredCheckpoint[] {
    if (this.closed) return [];
    const rows = this.db.exec('SELECT hash, name, ord, metrics, seen FROM checkpoints ORDER BY ord, seen')[0]?.values ?? [];
    return rows.map((r) => {
      let metrics: Record<string, number> = {};
      try {
        const m: unknown = JSON.parse(String(r[3]));
        if (m && typeof m === 'object' && !Array.isArray(m)) metrics = m as Record<string, number>;
        else throw new Error('not an object');
      } catch {
        this.skippedRows++;
        this.db.run("UPDATE checkpoints SET metrics = '{}' WHERE hash = ?", [r[0] as string]);
        this.schedule();
      }
      return { hash: r[0] as string, name: r[1] as string, order: r[2] as number, metrics, seen: r[4] as number };
    });
  }

  /** The newest stored result of `step` for each checkpoint, in series order: the trend source. */
  history<K extends StepId>(step: K): Array<{ checkpoint: StoredCheckpoint; value: StepResults[K] }>;
  history<T>(step: string): Array<{ checkpoint: StoredCheckpoint; value: T }>;
  history<T>(step: string): Array<{ checkpoint: StoredCheckpoint; value: T }> {
    const out: Array<{ checkpoint: StoredCheckpoint; value: T }> = [];
    for (const c of this.checkpoints()) {
      const r = this.db.exec('SELECT value, input_key FROM results WHERE hash = ? AND step = ? ORDER BY created DESC LIMIT 1', [c.hash, step])[0]?.values[0];
      const value = r ? this.parseResult<T>(r[0], c.hash, step, r[1] as string) : undefined;
      if (value) out.push({ checkpoint: c, value: value.v });
    }
    return out;
  }

  /** Records a checkpoint content's run (runs.ts); the same (hash, run) again replaces it. */
  putRun(r: RunRecord): void {
    if (this.closed) return;
    this.db.run('INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)', [r.hash, r.run, r.name, r.seq, r.assigned ? 1 : 0]);
    this.schedule();
  }

  /** Every run assignment recorded, in the order made. */
  runRecords(): RunRecord[] {
    if (this.closed) return [];
    const rows = this.db.exec('SELECT hash, run, name, seq, assigned FROM runs ORDER BY seq')[0]?.values ?? [];
    return rows.map((r) => ({ hash: String(r[0]), run: String(r[1]), name: String(r[2]), seq: Number(r[3]), assigned: r[4] === 1 }));
  }

  /** Training metrics announced over the stream (not stored in any checkpoint). */
  addMetrics(runStep: number, values: Record<string, number>): void {
    if (this.closed) return;
    const at = Date.now();
    const insert = this.db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?)');
    try {
      for (const [name, value] of Object.entries(values)) insert.run([runStep, name, value, at]);
    } finally {
      insert.free();
    }
    this.schedule();
  }

  metrics(): Array<{ step: number; name: string; value: number }> {
    if (this.closed) return [];
    const rows = this.db.exec('SELECT run_step, name, value FROM metrics ORDER BY run_step, at')[0]?.values ?? [];
    return rows.map((r) => ({ step: r[0] as number, name: r[1] as string, value: r[2] as number }));
  }

  /** A stored result's JSON, or undefined (the row is deleted so the step runs again). */
  private parseResult<T>(text: unknown, hash: string, step: string, inputKey: string): { v: T } | undefined {
    try {
      return { v: JSON.parse(String(text)) as T };
    } catch {
      this.skippedRows++;
      this.db.run('DELETE FROM results WHERE hash = ? AND step = ? AND input_key = ?', [hash, step, inputKey]);
      this.schedule();
      return undefined;
    }
  }

  private schedule(delay = this.options.flushMs ?? 200): void {
    if (this.dirty || this.closed || !this.file) return;
    this.dirty = setTimeout(() => {
      this.dirty = undefined;
      this.flush();
    }, delay);
  }

  /**
   * Writes the database back atomically. Never throws: a failure sets `problem`, is reported once
   * through `onProblem`, and is retried later with a growing delay.
   */
  flush(): void {
    if (this.dirty) {
      clearTimeout(this.dirty);
      this.dirty = undefined;
    }
    if (!this.file || this.closed) return;
    try {
      writePrivateFile(this.file, this.db.export());
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const problem = `Glassbox results could not be written to ${this.file} (${err.code ?? err.message}); they are kept in memory, retrying in ${Math.round(this.retryDelay / 1000)} s`;
      const first = this.problem === undefined;
      this.problem = problem;
      if (first) this.options.onProblem?.(problem);
      this.schedule(this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 60_000);
      return;
    }
    this.retryDelay = this.options.retryMs ?? 5000;
    if (this.problem !== undefined) {
      this.problem = undefined;
      this.options.onProblem?.(undefined);
    }
  }

  /** Writes back (best effort) and releases the database; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearTimeout(this.dirty);
    this.dirty = undefined;
    this.db.close();
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/** Throws unless `db` is an intact database of this version and schema; `migrate` runs once it is known intact. */
function checkDatabase(db: Database, migrate: () => void): void {
  const version = (db.exec('PRAGMA user_version')[0]?.values[0]?.[0] as number | undefined) ?? 0;
  if (version !== STORE_VERSION) throw new Error(`store version ${version}, expected ${STORE_VERSION}`);
  const check = db.exec('PRAGMA quick_check')[0]?.values.map((r) => String(r[0])) ?? [];
  if (check.join() !== 'ok') throw new Error(`damaged: ${check.slice(0, 2).join('; ')}`);
  migrate();
  for (const [table, columns] of Object.entries(SCHEMA)) {
    const found = db.exec(`PRAGMA table_info(${table})`)[0]?.values.map((r) => String(r[1])) ?? [];
    if (found.join() !== columns.join()) throw new Error(`another schema: table ${table} has columns (${found.join(', ')}), expected (${columns.join(', ')})`);
  }
  for (const table of Object.keys(SCHEMA)) db.exec(`SELECT count(*) FROM ${table}`);
}
