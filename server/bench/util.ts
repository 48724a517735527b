/** Helpers for benchmark scripts: timing with warm-up, medians, and a printed table. */
import { table } from '../src/cli/format';

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
