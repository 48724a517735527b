import { describe, expect, it } from 'vitest';
import type { CheckpointInfo } from '../core/model/checkpoints';
import { RunTracker, type RunRecord } from './runs';

const ck = (name: string, hash: string, runId?: string): CheckpointInfo => ({
  dir: `/c/${name}`,
  file: `/c/${name}/model.json`,
  format: 'tfjs' as CheckpointInfo['format'],
  name,
  state: 'ready',
  order: Number(name.replace(/\D/g, '')),
  orderSource: 'name',
  hash: hash.padEnd(16, '0'),
  ...(runId ? { runId } : {}),
});
const names = (t: RunTracker, series: CheckpointInfo[]) => t.current(series).map((c) => c.name);

describe('RunTracker', () => {
  it('keeps one run while a training run adds checkpoints and rotates old ones away', () => {
    const t = new RunTracker();
    const a = [ck('e1', 'a1'), ck('e2', 'a2')];
    expect(t.observe(a)).toBe(false);
    const run = t.currentRun!.id;
    expect(run).toBe('run-a1000000');
    expect(t.observe([...a, ck('e3', 'a3')])).toBe(false);
    // keep-last-2 rotation deletes e1: same run.
    const rotated = [ck('e2', 'a2'), ck('e3', 'a3'), ck('e4', 'a4')];
    expect(t.observe(rotated)).toBe(false);
    expect(t.currentRun!.id).toBe(run);
    expect(names(t, rotated)).toEqual(['e2', 'e3', 'e4']);
    expect(t.previousRun).toBeUndefined();
  });

  it('starts a new run when a retrain writes other content under the same names, and keeps the old run apart', () => {
    const t = new RunTracker();
    t.observe([ck('e1', 'a1'), ck('e2', 'a2'), ck('e3', 'a3')]);
    // The retrain overwrote e1 only so far: e2, e3 on disk are still the old run's.
    const mixed = [ck('e1', 'b1'), ck('e2', 'a2'), ck('e3', 'a3')];
    expect(t.observe(mixed)).toBe(true);
    expect(t.currentRun!.id).toBe('run-b1000000');
    expect(names(t, mixed)).toEqual(['e1']);
    expect(t.previousRun!.checkpoints.map((c) => c.hash.slice(0, 2))).toEqual(['a1', 'a2', 'a3']);
    // Overwriting e2 continues the new run rather than starting a third.
    const more = [ck('e1', 'b1'), ck('e2', 'b2'), ck('e3', 'a3')];
    expect(t.observe(more)).toBe(false);
    expect(names(t, more)).toEqual(['e1', 'e2']);
    expect(t.inCurrent('a3'.padEnd(16, '0'))).toBe(false);
    expect(t.runOfHash('a3'.padEnd(16, '0'))).toBe('run-a1000000');
  });

  it('starts a new run after the folder was seen empty (deleted and recreated)', () => {
    const t = new RunTracker();
    t.observe([ck('e1', 'a1'), ck('e2', 'a2')]);
    t.observe([]);
    expect(t.observe([ck('e1', 'c1')])).toBe(true);
    expect(t.currentRun!.id).toBe('run-c1000000');
    expect(t.observe([ck('e1', 'c1'), ck('e2', 'c2')])).toBe(false);
    expect(t.currentRun!.checkpoints).toHaveLength(2);
  });

  it('follows run ids from checkpoint metadata', () => {
    const t = new RunTracker();
    t.observe([ck('e1', 'a1', 'alpha'), ck('e2', 'a2', 'alpha')]);
    expect(t.currentRun!.id).toBe('alpha');
    const both = [ck('e1', 'a1', 'alpha'), ck('e2', 'a2', 'alpha'), ck('f1', 'b1', 'beta')];
    expect(t.observe(both)).toBe(true);
    expect(t.currentRun!.id).toBe('beta');
    expect(names(t, both)).toEqual(['f1']);
    expect(t.previousRun!.id).toBe('alpha');
    // A checkpoint without a run id after metadata runs starts an assigned run of its own.
    t.observe([...both, ck('g1', 'c1')]);
    expect(t.currentRun!.id).toBe('run-c1000000');
  });

  it('after a restart on the same records, keeps every checkpoint in its run and the previous run known', () => {
    const saved: RunRecord[] = [];
    const store = { load: () => saved, save: (r: RunRecord) => void saved.push(r) };
    const t = new RunTracker(store);
    t.observe([ck('e1', 'a1'), ck('e2', 'a2')]);
    const retrain = [ck('e1', 'b1'), ck('e2', 'a2')];
    t.observe(retrain);
    expect(saved.map((r) => [r.name, r.run, r.seq])).toEqual([['e1', 'run-a1000000', 1], ['e2', 'run-a1000000', 2], ['e1', 'run-b1000000', 3]]);
    // A new tracker (the daemon restarted) on the same records and files.
    const u = new RunTracker({ load: () => [...saved], save: (r) => void saved.push(r) });
    expect(u.observe(retrain)).toBe(false);
    expect(u.currentRun!.id).toBe('run-b1000000');
    expect(u.previousRun!.id).toBe('run-a1000000');
    expect(u.previousRun!.checkpoints.map((c) => c.name)).toEqual(['e1', 'e2']);
    expect(names(u, retrain)).toEqual(['e1']);
    expect(saved).toHaveLength(3);
    // The retrain goes on after the restart: still the same run, not a third one.
    const more = [ck('e1', 'b1'), ck('e2', 'b2')];
    expect(u.observe(more)).toBe(false);
    expect(names(u, more)).toEqual(['e1', 'e2']);
  });
});
