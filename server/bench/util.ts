/**
 * Helpers for benchmark scripts: timing with warm-up, medians, a printed table, and the machine's
 * limit (the float32 matMul rate of the active backend) that each workload's FLOP/s is set against.
 */
import { table } from '../src/cli/format';
import { tf } from '../src/core/engine/tf';

export interface Timing {
  medianMs: number;
  runsMs: number[];
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times, and reports the median wall time. */
export async function time(fn: () => unknown | Promise<unknown>, runs = 5, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    runsMs.push(performance.now() - t0);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs };
}

/** Peak resident memory so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function printTable(title: string, headers: string[], rows: Array<Array<string | number>>): void {
  console.log(`\n${title}\n`);
  console.log(table(headers, rows));
}

/** The backend's float32 matMul rate, measured once per process: the limit workloads are compared to. */
export interface MachineLimit {
  gflops: number;
  /** What was measured, for the table title. */
  what: string;
}

let limit: MachineLimit | undefined;

/**
 * The best of 5 timed 1024 x 1024 x 1024 float32 products (2.1 GFLOP each) on the active backend,
 * after one warm-up: the dense-product rate no workload on this backend can beat, so a workload's
 * GFLOP/s over it is its distance to the machine's limit. Measured in the same run as the
 * workloads (the machine is shared, its state changes between runs).
 */
export function machineLimit(): MachineLimit {
  if (limit) return limit;
  const N = 1024;
  const a = tf.randomUniform([N, N], -1, 1, 'float32', 1);
  const b = tf.randomUniform([N, N], -1, 1, 'float32', 2);
  let best = Infinity;
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    const ms = performance.now() - t0;
    c.dispose();
    if (i > 0) best = Math.min(best, ms);
  }
  tf.dispose([a, b]);
  limit = { gflops: (2 * N * N * N) / best / 1e6, what: `${N}x${N}x${N} float32 matMul on ${tf.getBackend()}` };
  return limit;
}

/** "12.3 (41%)": achieved GFLOP/s for `flops` in `ms`, and its share of the machine's limit. */
export function rateOfLimit(flops: number, ms: number): string {
  const g = flops / ms / 1e6;
  return `${g.toFixed(2)} (${((100 * g) / machineLimit().gflops).toFixed(0)}%)`;
}

/** One line stating the limit, printed before a workload table. */
export function printLimit(): void {
  const l = machineLimit();
  console.log(`machine limit: ${l.gflops.toFixed(1)} GFLOP/s (${l.what}, best of 5); GFLOP/s columns give the share of it in parentheses`);
}
