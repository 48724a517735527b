/**
 * The results store: an embedded SQLite database (sql.js, SQLite compiled to WebAssembly, so no
 * native build) in `<workspace>/.glassbox/results.sqlite`. Results are keyed by checkpoint content
 * hash, step and input key, so reopening the editor shows the last results at once and the
 * history over checkpoints gives trends.
 *
 * The database lives in memory and is written back whole (temp file + rename, so a crash never
 * leaves half a file) shortly after each change. A file that is not a database, or one with another
 * schema version, is set aside (`.broken`) and rebuilt: losing a cache is never fatal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import type { CheckpointInfo } from '../core/model/checkpoints';

export const STORE_VERSION = 1;
export { STORE_DIR } from './private-files';
export const STORE_FILE = 'results.sqlite';

let sqlJs: Promise<SqlJsStatic> | undefined;
function loadSqlJs(): Promise<SqlJsStatic> {
  const requireHere = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'));
  sqlJs ??= initSqlJs({ locateFile: (f: string) => path.join(path.dirname(requireHere.resolve('sql.js')), f) });
  return sqlJs;
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

  private constructor(
    private readonly db: Database,
    readonly file: string,
    /** Why the previous file was discarded, if it was. */
    readonly rebuiltBecause: string | undefined,
    private readonly flushMs: number,
  ) {}

  static async open(root: string, options: { flushMs?: number } = {}): Promise<ResultsStore> {
    const SQL = await loadSqlJs();
    const file = path.join(root, STORE_DIR, STORE_FILE);
    let db: Database | undefined;
    let why: string | undefined;
    if (fs.existsSync(file)) {
      try {
        db = new SQL.Database(fs.readFileSync(file));
        const version = (db.exec('PRAGMA user_version')[0]?.values[0]?.[0] as number | undefined) ?? 0;
        if (version !== STORE_VERSION) throw new Error(`store version ${version}, expected ${STORE_VERSION}`);
        db.exec('SELECT count(*) FROM results');
      } catch (e) {
        why = `${path.basename(file)} was unreadable (${(e as Error).message}); rebuilt`;
        db?.close();
        db = undefined;
        try {
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
        PRAGMA user_version = ${STORE_VERSION};`);
    }
    const store = new ResultsStore(db, file, why, options.flushMs ?? 200);
    if (why) store.flush();
    return store;
  }

  get<T>(hash: string, step: string, inputKey: string): StoredResult<T> | undefined {
    const r = this.db.exec('SELECT created, value FROM results WHERE hash = ? AND step = ? AND input_key = ?', [hash, step, inputKey])[0]?.values[0];
    if (!r) return undefined;
    return { hash, step, inputKey, created: r[0] as number, value: JSON.parse(r[1] as string) as T };
  }

  put(hash: string, step: string, inputKey: string, value: unknown): void {
    this.db.run('INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)', [hash, step, inputKey, Date.now(), JSON.stringify(value)]);
    this.schedule();
  }

  noteCheckpoint(c: CheckpointInfo): void {
    if (!c.hash) return;
    this.db.run('INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?)', [c.hash, c.name, c.order, JSON.stringify(c.metrics ?? {}), Date.now()]);
    this.schedule();
  }

  /** Every checkpoint seen, in series order. */
  checkpoints(): StoredCheckpoint[] {
    const rows = this.db.exec('SELECT hash, name, ord, metrics, seen FROM checkpoints ORDER BY ord, seen')[0]?.values ?? [];
    return rows.map((r) => ({ hash: r[0] as string, name: r[1] as string, order: r[2] as number, metrics: JSON.parse(r[3] as string) as Record<string, number>, seen: r[4] as number }));
  }

  /** The newest stored result of `step` for each checkpoint, in series order: the trend source. */
  history<T>(step: string): Array<{ checkpoint: StoredCheckpoint; value: T }> {
    const out: Array<{ checkpoint: StoredCheckpoint; value: T }> = [];
    for (const c of this.checkpoints()) {
      const r = this.db.exec('SELECT value FROM results WHERE hash = ? AND step = ? ORDER BY created DESC LIMIT 1', [c.hash, step])[0]?.values[0];
      if (r) out.push({ checkpoint: c, value: JSON.parse(r[0] as string) as T });
    }
    return out;
  }

  /** Training metrics announced over the stream (not stored in any checkpoint). */
  addMetrics(runStep: number, values: Record<string, number>): void {
    const at = Date.now();
    for (const [name, value] of Object.entries(values)) this.db.run('INSERT INTO metrics VALUES (?, ?, ?, ?)', [runStep, name, value, at]);
    this.schedule();
  }

  metrics(): Array<{ step: number; name: string; value: number }> {
    const rows = this.db.exec('SELECT run_step, name, value FROM metrics ORDER BY run_step, at')[0]?.values ?? [];
    return rows.map((r) => ({ step: r[0] as number, name: r[1] as string, value: r[2] as number }));
  }

  private schedule(): void {
    if (this.dirty) return;
    this.dirty = setTimeout(() => {
      this.dirty = undefined;
      this.flush();
    }, this.flushMs);
  }

  /** Writes the database atomically (temp file, then rename). */
  flush(): void {
    if (this.dirty) {
      clearTimeout(this.dirty);
      this.dirty = undefined;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, this.db.export());
    fs.renameSync(tmp, this.file);
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
