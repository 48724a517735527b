/**
 * Training runs of one checkpoint location, told apart so history and trends never mix them.
 *
 * A checkpoint belongs to the run its metadata names (`CheckpointInfo.runId`, from
 * glassbox-meta.json or the model's own metadata). Without one, the daemon assigns runs itself:
 * every checkpoint content (hash) is assigned once, when first seen, to the run current at that
 * moment, and a new run starts when
 * - a name already seen comes back with other content (a retrain writing over `epoch-1`), or
 * - the location was observed empty (deleted or recreated) after holding checkpoints.
 * Deleting old checkpoints while training (keep-last-k rotation) is not a new run.
 *
 * Contract: `observe` is called with every scan (ready checkpoints with a hash matter, the rest are
 * ignored); `current` then lists the checkpoints on disk of the newest run, in series order.
 * Assigned run ids are `run-<hash prefix of the run's first checkpoint>`: stable across restarts
 * of the daemon for the same files.
 *
 * Persistence: every assignment is handed to `RunStore.save` (the results store keeps them), and a
 * tracker built on a store replays the saved assignments in order first, so after a daemon restart
 * the same checkpoints belong to the same runs and the previous run is still known.
 */
import type { CheckpointInfo } from '../core/model/checkpoints';

/** One assignment of a checkpoint content to a run, in the order they were made (`seq`). */
export interface RunRecord {
  hash: string;
  name: string;
  run: string;
  seq: number;
  /** The tracker made the run id up (no metadata run id). */
  assigned: boolean;
}

/** Where assignments are kept across daemon restarts. */
export interface RunStore {
  load(): RunRecord[];
  save(record: RunRecord): void;
}

export interface RunInfo {
  id: string;
  /** Names and hashes of its checkpoints in the order they were first seen. */
  checkpoints: Array<{ name: string; hash: string }>;
}

export class RunTracker {
  private readonly runOf = new Map<string, string>();
  /** Oldest first; the last is the current run. */
  private readonly runs: RunInfo[] = [];
  /** Content last seen under each name, for the assigned-run rule. */
  private readonly nameHash = new Map<string, string>();
  private sawEmpty = false;
  /** Run ids the tracker made up (a metadata run id is never extended by content it did not name). */
  private readonly assigned = new Set<string>();
  private seq = 0;

  constructor(private readonly store?: RunStore) {
    if (!store) return;
    // Replayed in the order made: runs end up in the same order, the current one last.
    for (const r of [...store.load()].sort((a, b) => a.seq - b.seq)) {
      if (r.assigned) this.assigned.add(r.run);
      this.seq = Math.max(this.seq, r.seq);
      this.place(r.hash, r.name, r.run);
    }
  }

  /** Assigns the ready checkpoints of a scan to runs; returns true when a new run started. */
  observe(series: readonly CheckpointInfo[]): boolean {
    const ready = series.filter((c) => c.state === 'ready' && c.hash);
    if (ready.length === 0) {
      if (this.runs.length) this.sawEmpty = true;
      return false;
    }
    const before = this.currentRun?.id;
    for (const c of ready) {
      const hash = c.hash!;
      if (c.runId !== undefined) {
        this.assign(c, `${c.runId}`);
        continue;
      }
      if (this.runOf.has(hash)) {
        this.nameHash.set(c.name, hash);
        continue;
      }
      const current = this.currentAssigned();
      // Other content under a name the current run wrote: a retrain. (A name of an older run being
      // overwritten is the new run going on.)
      const old = this.nameHash.get(c.name);
      const replaced = old !== undefined && old !== hash && current !== undefined && this.runOf.get(old) === current.id;
      let id = current && !replaced && !this.sawEmpty ? current.id : `run-${hash.slice(0, 8)}`;
      this.sawEmpty = false;
      if (!this.assigned.has(id) && this.runs.some((r) => r.id === id)) id = `${id}-${this.runs.length}`;
      this.assigned.add(id);
      this.assign(c, id);
    }
    return this.currentRun !== undefined && this.currentRun.id !== before && before !== undefined;
  }

  private assign(c: CheckpointInfo, id: string): void {
    const hash = c.hash!;
    this.nameHash.set(c.name, hash);
    if (this.runOf.get(hash) === id) return;
    this.place(hash, c.name, id);
    this.store?.save({ hash, name: c.name, run: id, seq: ++this.seq, assigned: this.assigned.has(id) });
  }

  /** Records `hash` (written as `name`) in run `id`, which becomes the current run. */
  private place(hash: string, name: string, id: string): void {
    this.nameHash.set(name, hash);
    this.runOf.set(hash, id);
    let run = this.runs.find((r) => r.id === id);
    if (!run) {
      run = { id, checkpoints: [] };
      this.runs.push(run);
    } else if (run !== this.runs[this.runs.length - 1]) {
      // A run written to again becomes the current one.
      this.runs.splice(this.runs.indexOf(run), 1);
      this.runs.push(run);
    }
    run.checkpoints.push({ name, hash });
  }

  /** The newest run the daemon assigned itself (metadata runs are never extended by it). */
  private currentAssigned(): RunInfo | undefined {
    const r = this.currentRun;
    return r && this.assigned.has(r.id) ? r : undefined;
  }

  get currentRun(): RunInfo | undefined {
    return this.runs[this.runs.length - 1];
  }

  get previousRun(): RunInfo | undefined {
    return this.runs[this.runs.length - 2];
  }

  runOfHash(hash: string): string | undefined {
    return this.runOf.get(hash);
  }

  /** The checkpoints of `series` that belong to the current run, in series order. */
  current(series: readonly CheckpointInfo[]): CheckpointInfo[] {
    const id = this.currentRun?.id;
    return id === undefined ? [] : series.filter((c) => c.hash !== undefined && this.runOf.get(c.hash) === id);
  }

  /** Whether a checkpoint hash belongs to the current run. */
  inCurrent(hash: string): boolean {
    const id = this.currentRun?.id;
    return id !== undefined && this.runOf.get(hash) === id;
  }
}
