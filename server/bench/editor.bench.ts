/**
 * The editor's goals (issue 18, "Editor"), measured by driving the built daemon
 * (dist/server/server.js --stdio, its worker thread included) over LSP exactly as VS Code does, on a
 * copy of the demo workspace (test-workspace: 32,561 training rows, its glassbox.json and
 * checks) into which the demo's five checkpoints land one after another, as training writes them:
 *
 *   - checkpoint landed -> importance available: from the moment its files are complete and the
 *     client's file event is sent to the first `glassbox/importance` answer naming it (< 5 s);
 *   - the whole series analysed with every step: first checkpoint landed -> every checkpoint's
 *     analysis `done` in `glassbox/dashboard` (< 90 s);
 *   - hover p99 while analysis runs: header cells and data rows of the training CSV hovered
 *     continuously while the daemon is busy (< 50 ms);
 *   - Explain This Row (`glassbox/explainRow` as the Explain panel sends it, influence included):
 *     first use after the analysis (< 5 s), then warm on another row (< 1 s);
 *   - Run Checks (`glassbox/runChecks`, < 15 s).
 *
 * Each line prints its goal and met / not met. Needs `npm run build` (and test-workspace/checkpoints,
 * `npm run train`). The machine's load is printed with it: the goals are for a busy 2-core machine,
 * but a number measured under heavier load than that says so.
 *   GLASSBOX_BENCH_LAND_EVERY_MS       time between two checkpoints landing (default 3000)
 *   GLASSBOX_BENCH_SERIES_TIMEOUT_MS   how long to wait for the whole series (default 15 minutes)
 *   GLASSBOX_BENCH_HOVER_SWEEP=1       every data-row hover is a row never hovered before (a sweep down
 *                                      the file): each queues a row explanation, which must not starve
 *                                      the analysis (the series goal still holds)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clientOver, type TestClient } from '../test/lsp-client';
import { REPO, WORKSPACE } from '../test/helpers';
import { printTable } from './util';

const SERVER = path.join(REPO, 'dist/server/server.js');
const CHECKPOINTS = path.join(WORKSPACE, 'checkpoints');
const EPOCHS = [1, 2, 3, 4, 5];
const LAND_EVERY_MS = Number(process.env.GLASSBOX_BENCH_LAND_EVERY_MS ?? 3000);
const SERIES_TIMEOUT_MS = Number(process.env.GLASSBOX_BENCH_SERIES_TIMEOUT_MS ?? 15 * 60_000);
const HOVER_SWEEP = process.env.GLASSBOX_BENCH_HOVER_SWEEP === '1';

/** The demo workspace without its checkpoints and stored results. */
function copyDemo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-editor-bench-'));
  fs.cpSync(WORKSPACE, root, { recursive: true, filter: (src) => !/^(checkpoints|\.glassbox)([\\/]|$)/.test(path.relative(WORKSPACE, src)) });
  fs.mkdirSync(path.join(root, 'checkpoints'));
  // The config's "$schema" is relative to the repository's test-workspace; harmless elsewhere.
  return root;
}

/** Lands a checkpoint as a training process does: weights first, the manifest last. */
function land(root: string, epoch: number): string[] {
  const dir = path.join(root, 'checkpoints', `epoch-${epoch}`);
  fs.mkdirSync(dir, { recursive: true });
  const files = fs.readdirSync(path.join(CHECKPOINTS, `epoch-${epoch}`)).sort((a, b) => Number(a === 'model.json') - Number(b === 'model.json'));
  for (const f of files) fs.copyFileSync(path.join(CHECKPOINTS, `epoch-${epoch}`, f), path.join(dir, f));
  return files.map((f) => path.join(dir, f));
}

function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const verdict = (ms: number, goalMs: number) => (Number.isFinite(ms) && ms < goalMs ? 'met' : 'NOT met');
const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const millis = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a');

async function main(): Promise<void> {
  for (const need of [SERVER, path.join(REPO, 'dist/server/worker.js'), path.join(CHECKPOINTS, 'epoch-5/model.json')]) {
    if (!fs.existsSync(need)) throw new Error(`${need} is missing: run npm run build (and npm run train for the checkpoints)`);
  }
  const load = os.loadavg();
  console.log(`machine: ${os.cpus().length} cores, load average ${load.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) at start`);

  const root = copyDemo();
  const train = path.join(root, 'data/adult_train.csv');
  const trainUri = `file://${train}`;
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + String(d)).slice(-4000); });
  const client: TestClient = clientOver(child.stdout, child.stdin);
  const request = <R>(method: string, params: unknown): Promise<R> => client.connection.sendRequest(method, params) as Promise<R>;
  try {
    await client.initialize(root);
    await Promise.race([
      client.waitFor('glassbox/serverStatus', (s) => typeof s.backend === 'string' && !s.busy),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the daemon reported no idle status with a backend within 120 s')), 120_000).unref()),
    ]);

    // Hovers while the daemon works: header cells (importance share + trend) and data rows, one at a
    // time in a loop as a user moving the mouse would (the editor sends one hover at a time).
    const header = fs.readFileSync(train, 'utf8').slice(0, 400).split('\n')[0]!;
    const headerCells = header.split(',').map((_, i, cells) => cells.slice(0, i).join(',').length + (i ? 1 : 0) + 1);
    const hoverTimes: { kind: 'header' | 'row'; ms: number; busy: boolean }[] = [];
    const busy = () => Boolean([...client.seen].reverse().find((r) => r.method === 'glassbox/serverStatus')?.params.busy);
    // Mostly header cells; every 10th hover a data row, cycling over 10 rows (a user reading a few
    // rows, not sweeping thousands: each new row queues an on-demand explanation ahead of the
    // scheduled analysis, and a sweep of a new row every 50 ms starved the analysis in an earlier
    // version of this benchmark).
    let hovering = true;
    const hoverLoop = (async () => {
      for (let i = 0; hovering; i++) {
        const onHeader = i % 10 !== 9;
        const position = onHeader ? { line: 0, character: headerCells[i % headerCells.length]! } : { line: 200 + (HOVER_SWEEP ? Math.floor(i / 10) : Math.floor(i / 10) % 10), character: 2 };
        const wasBusy = busy();
        const t0 = performance.now();
        await request('textDocument/hover', { textDocument: { uri: trainUri }, position }).catch(() => undefined);
        if (wasBusy && busy()) hoverTimes.push({ kind: onHeader ? 'header' : 'row', ms: performance.now() - t0, busy: true });
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    // The series lands; each checkpoint's importance is awaited by polling the main thread's answer.
    const landedAt = new Map<number, number>();
    const importanceAt = new Map<number, number>();
    let polling = true;
    const importancePoll = (async () => {
      while (polling) {
        const r = await request<{ checkpoint?: string } | null>('glassbox/importance', {}).catch(() => null);
        const epoch = r?.checkpoint ? Number(/epoch-(\d+)/.exec(r.checkpoint)?.[1]) : NaN;
        if (landedAt.has(epoch) && !importanceAt.has(epoch)) importanceAt.set(epoch, performance.now());
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const seriesStart = performance.now();
    for (const epoch of EPOCHS) {
      if (epoch > 1) await new Promise((r) => setTimeout(r, LAND_EVERY_MS));
      const files = land(root, epoch);
      landedAt.set(epoch, performance.now());
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: files.map((f) => ({ uri: `file://${f}`, type: 1 })) });
    }
    type Dashboard = { checkpoints: { name: string; analysis: string }[] };
    let seriesMs = NaN;
    let last: Dashboard | undefined;
    while (performance.now() - seriesStart < SERIES_TIMEOUT_MS) {
      last = await request<Dashboard>('glassbox/dashboard', {}).catch(() => undefined);
      if (last && last.checkpoints.length === EPOCHS.length && last.checkpoints.every((c) => c.analysis === 'done')) {
        seriesMs = performance.now() - seriesStart;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    hovering = false;
    polling = false;
    await Promise.all([hoverLoop, importancePoll]);
    const loadAfterSeries = os.loadavg()[0]!;

    // On-demand requests once the series is analysed, as the Explain panel and Run Checks send them.
    const explain = async (line: number) => {
      const t0 = performance.now();
      await request('glassbox/explainRow', { uri: `file://${path.join(root, 'data/adult_test.csv')}`, line });
      return performance.now() - t0;
    };
    const firstExplainMs = await explain(10);
    const warmExplainMs = [await explain(20), await explain(30), await explain(40)];
    const sameRowMs = await explain(10);
    const checksT0 = performance.now();
    const checks = await request<unknown[]>('glassbox/runChecks', {});
    const checksMs = performance.now() - checksT0;

    const perCheckpoint = EPOCHS.map((e) => (importanceAt.get(e) ?? NaN) - landedAt.get(e)!);
    // A checkpoint superseded before its importance was shown never gets a first answer of its own:
    // the newest-first policy moves on. Those are listed as such, not as times.
    const shown = perCheckpoint.filter(Number.isFinite);
    const all = hoverTimes.map((h) => h.ms);
    const rows = hoverTimes.filter((h) => h.kind === 'row').map((h) => h.ms);
    const headers = hoverTimes.filter((h) => h.kind === 'header').map((h) => h.ms);
    const worstLanded = shown.length ? Math.max(...shown) : NaN;
    const worstWarm = Math.max(...warmExplainMs);
    printTable(`editor goals: the demo (32,561 training rows, 5 checkpoints landing ${LAND_EVERY_MS} ms apart), daemon over LSP stdio`, ['what', 'measured', 'goal', ''], [
      ...EPOCHS.map((e, i) => [`epoch-${e} landed -> importance available`, Number.isFinite(perCheckpoint[i]!) ? secs(perCheckpoint[i]!) : 'superseded before shown', '< 5 s', Number.isFinite(perCheckpoint[i]!) ? verdict(perCheckpoint[i]!, 5000) : '']),
      ['checkpoint landed -> importance available, worst shown', secs(worstLanded), '< 5 s', verdict(worstLanded, 5000)],
      ['whole series analysed (every step, every checkpoint)', secs(seriesMs), '< 90 s', verdict(seriesMs, 90_000)],
      [`hover p99 while analysis runs (${all.length} hovers)`, millis(percentile(all, 99)), '< 50 ms', verdict(percentile(all, 99), 50)],
      [`  header cells (${headers.length}): median / p99 / max`, `${millis(percentile(headers, 50))} / ${millis(percentile(headers, 99))} / ${millis(Math.max(...headers))}`, '', ''],
      [`  data rows, ${HOVER_SWEEP ? 'a new row each' : '10 rows in turn'} (${rows.length}): median / p99 / max`, `${millis(percentile(rows, 50))} / ${millis(percentile(rows, 99))} / ${millis(Math.max(...rows))}`, '', ''],
      ['Explain This Row, first use', secs(firstExplainMs), '< 5 s', verdict(firstExplainMs, 5000)],
      ['Explain This Row, warm (3 other rows, worst)', secs(worstWarm), '< 1 s', verdict(worstWarm, 1000)],
      ['Explain This Row, the same row again', secs(sameRowMs), '', ''],
      [`Run Checks (${checks.length} checks)`, secs(checksMs), '< 15 s', verdict(checksMs, 15_000)],
    ]);
    if (!Number.isFinite(seriesMs)) console.log(`the series was not analysed within ${SERIES_TIMEOUT_MS / 1000} s; last state: ${JSON.stringify(last?.checkpoints)}`);
    console.log(`load average (1 min): ${load[0]!.toFixed(2)} at start, ${loadAfterSeries.toFixed(2)} after the series, ${os.loadavg()[0]!.toFixed(2)} at the end, on ${os.cpus().length} cores`);
  } catch (e) {
    if (stderr) console.error(`daemon stderr (last lines):\n${stderr}`);
    throw e;
  } finally {
    await client.shutdown().catch(() => undefined);
    child.kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
