import { describe, expect, it } from 'vitest';
import { Commands } from '../commandIds';
import { COMMAND_FACTORIES } from '../commands';
import { dashboard, explain } from '../../../webviews/test/fixtures';
import { fakeDeps } from './fakes';

const run = (id: keyof typeof COMMAND_FACTORIES, deps: ReturnType<typeof fakeDeps>['deps'], ...args: unknown[]) => COMMAND_FACTORIES[id](deps)(...args);

describe('commands', () => {
  it('offer a restart instead of failing when the daemon is not running', async () => {
    const { deps, rec } = fakeDeps({ running: false, infoAnswer: 'Restart Daemon', csvLine: { file: '/ws/a.csv', line: 3 } });
    await run(Commands.explainRow, deps);
    expect(rec.infos).toEqual(['The Glassbox daemon is not running.']);
    expect(rec.executed).toEqual([[Commands.restartDaemon]]);
    expect(rec.explained).toEqual([]);
  });

  it('explain the row under the cursor, not the header', async () => {
    const a = fakeDeps({ csvLine: { file: '/ws/a.csv', line: 3 } });
    await run(Commands.explainRow, a.deps);
    expect(a.rec.explained).toEqual([{ uri: 'file:///ws/a.csv', line: 3 }]);
    const b = fakeDeps({ csvLine: { file: '/ws/a.csv', line: 0 } });
    await run(Commands.explainRow, b.deps);
    expect(b.rec.explained).toEqual([]);
    expect(b.rec.infos[0]).toMatch(/header/);
  });

  it('open the chosen influential training row', async () => {
    const { deps, rec } = fakeDeps({ csvLine: { file: '/ws/data/adult_test.csv', line: 6 }, responses: { 'glassbox/explainRow': explain } });
    await run(Commands.showInfluentialRows, deps);
    expect(rec.opened).toEqual([{ file: '/ws/data/adult_train.csv', line: 120 }]);
  });

  it('say plainly when the daemon does not provide a request yet', async () => {
    const { deps, rec } = fakeDeps({ csvLine: { file: '/ws/a.csv', line: 2 } });
    await run(Commands.showInfluentialRows, deps);
    expect(rec.errors).toEqual(['Show Influential Training Rows is not available yet: this version of the Glassbox daemon does not provide it.']);
  });

  it('compare two ready checkpoints picked in order', async () => {
    const { deps, rec } = fakeDeps({ responses: { 'glassbox/dashboard': dashboard }, picks: [0, 1] });
    await run(Commands.compareCheckpoints, deps);
    expect(rec.compared).toEqual([{ a: 'epoch-001', b: 'epoch-003' }]);
    await run(Commands.compareCheckpoints, deps, 'x', 'y');
    expect(rec.compared.at(-1)).toEqual({ a: 'x', b: 'y' });
  });

  it('open the chosen suspect row, or say the analysis is not there yet', async () => {
    const a = fakeDeps({ responses: { 'glassbox/dashboard': dashboard } });
    await run(Commands.showSuspectRows, a.deps);
    expect(a.rec.opened).toEqual([{ file: '/ws/data/adult_train.csv', line: 42 }]);
    const b = fakeDeps({ responses: { 'glassbox/dashboard': { checkpoints: [] } } });
    await run(Commands.showSuspectRows, b.deps);
    expect(b.rec.infos[0]).toMatch(/not available yet/);
  });

  it('summarise the checks', async () => {
    const { deps, rec } = fakeDeps({ responses: { 'glassbox/runChecks': dashboard.checks } });
    await run(Commands.runChecks, deps);
    expect(rec.infos).toEqual(['Glassbox checks: 1 passed, 0 warnings, 1 failed.']);
  });

  it('run the checks under a cancellable notification; Cancel aborts the request and reports nothing', async () => {
    const { deps, rec } = fakeDeps({ responses: { 'glassbox/runChecks': dashboard.checks }, cancelProgress: true });
    await run(Commands.runChecks, deps);
    expect(rec.progress).toEqual(['Running Glassbox checks…']);
    expect(rec.requests.map((r) => [r.method, r.signal?.aborted])).toEqual([['glassbox/runChecks', true]]);
    expect(rec.errors).toEqual([]);
    expect(rec.infos).toEqual([]);
  });

  it('explain the row a code action names (uri, 0-based line) without looking at the cursor', async () => {
    const { deps, rec } = fakeDeps();
    await run(Commands.explainRow, deps, 'file:///ws/data/train.csv', 41);
    expect(rec.explained).toEqual([{ uri: 'file:///ws/data/train.csv', line: 41 }]);
    expect(rec.infos).toEqual([]);
  });

  it('open the dashboard view and restart the daemon without a running daemon', async () => {
    const { deps, rec } = fakeDeps({ running: false });
    await run(Commands.openDashboard, deps);
    await run(Commands.restartDaemon, deps);
    expect(rec.executed).toEqual([['glassbox.dashboard.focus'], ['restarted']]);
  });
});
