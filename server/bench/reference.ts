/**
 * The reference side of the benchmarks in the same run: a long-lived Python process
 * (scripts/reference/runner.py) that runs the same workload in PyTorch / Captum / SHAP on request.
 * Glassbox and the reference are alternated (A B A B ...) so both see the same machine state, and
 * each pair gives one ratio; a table reports the median and interquartile range of those ratios,
 * never a ratio of medians taken at different times.
 *
 * Python is looked up as GLASSBOX_PYTHON, then <repo>/.venv/bin/python (`npm run setup:python`),
 * then python3 on PATH. Debian's python3-torch calls the system BLAS (reference BLAS by default, ~10x
 * slower than OpenBLAS): when <repo>/.venv/openblas holds an extracted libopenblas0-pthread package
 * (or GLASSBOX_REF_BLAS_DIR names a folder with libblas.so.3), the runner loads it. The banner prints
 * the sgemm rate torch reaches, so a slow reference BLAS shows. Without Python, or without one of the libraries a task needs, `available()`
 * is false and the benchmarks print Glassbox's own figures only, saying why.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');
const RUNNER = path.join(ROOT, 'scripts', 'reference', 'runner.py');

export interface RefReply {
  ok: boolean;
  seconds: number;
  error?: string;
  [k: string]: unknown;
}

export class Reference {
  private pending: Array<(r: RefReply) => void> = [];
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-bench-ref-'));
  private files = 0;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams, readonly python: string, readonly versions: Record<string, string | null>) {}

  /**
   * Starts the runner and asks for its library versions; undefined (with the reason printed) when
   * there is no usable Python. `threads`: torch threads, set to what Glassbox's backend uses.
   */
  static async start(threads: number): Promise<Reference | undefined> {
    const python = findPython();
    if (!python) {
      console.log('reference side: no Python found (run `npm run setup:python`); printing Glassbox figures only');
      return undefined;
    }
    const probe = spawnSync(python, ['-c', 'import numpy, torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(`reference side: ${python} cannot import numpy and torch (${lastLine(probe.stderr)}); run \`npm run setup:python\`; printing Glassbox figures only`);
      return undefined;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
    const blas = process.env.GLASSBOX_REF_BLAS_DIR ?? path.join(ROOT, '.venv', 'openblas', 'usr', 'lib', 'x86_64-linux-gnu', 'openblas-pthread');
    if (fs.existsSync(path.join(blas, 'libblas.so.3'))) env.LD_LIBRARY_PATH = [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
    const proc = spawn(python, [RUNNER], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const lines = readline.createInterface({ input: proc.stdout });
    const ref = new Reference(proc, python, {});
    lines.on('line', (line) => ref.pending.shift()?.(JSON.parse(line) as RefReply));
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    proc.on('exit', () => {
      for (const p of ref.pending.splice(0)) p({ ok: false, seconds: NaN, error: `reference process exited: ${lastLine(stderr)}` });
    });
    const hello = await ref.send({ op: 'hello', threads });
    if (!hello.ok) {
      console.log(`reference side: runner failed to start (${hello.error}); printing Glassbox figures only`);
      ref.close();
      return undefined;
    }
    Object.assign(ref.versions, hello.versions as Record<string, string | null>);
    const v = ref.versions;
    console.log(`reference side: ${python}; torch ${v.torch} (${String(hello.threads)} thread(s), BLAS ${String(hello.blas)}, sgemm ${Number(hello.sgemmGflops).toFixed(1)} GFLOP/s), captum ${v.captum ?? 'missing'}, shap ${v.shap ?? 'missing'}, xgboost ${v.xgboost ?? 'missing'}`);
    return ref;
  }

  /** Whether the named Python libraries are importable in the runner. */
  has(...libs: string[]): boolean {
    return libs.every((l) => Boolean(this.versions[l]));
  }

  /** Writes a float32 matrix for the runner; returns its path. */
  matrix(data: Float32Array): string {
    const file = path.join(this.dir, `m${this.files++}.f32`);
    fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return file;
  }

  run(task: string, params: Record<string, unknown>): Promise<RefReply> {
    return this.send({ op: 'run', task, ...params });
  }

  private send(msg: Record<string, unknown>): Promise<RefReply> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }

  close(): void {
    this.proc.stdin.end();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function findPython(): string | undefined {
  const candidates = [process.env.GLASSBOX_PYTHON, path.join(ROOT, '.venv', 'bin', 'python'), 'python3'].filter((p): p is string => Boolean(p));
  for (const c of candidates) {
    if (c.includes(path.sep) && !fs.existsSync(c)) continue;
    if (spawnSync(c, ['--version']).status === 0) return c;
  }
  return undefined;
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

export interface Paired {
  oursMs: number[];
  refMs: number[];
  /** Per pair: reference time / Glassbox time (> 1: Glassbox is faster). */
  ratios: number[];
  last?: RefReply;
}

/**
 * Alternates Glassbox and the reference `pairs` times after one unmeasured warm-up of each. The
 * reference's time is its own in-process wall time of the computation (no IPC); Glassbox's is the
 * wall time of `ours` (inputs already in memory as well).
 */
export async function paired(ours: () => unknown, ref: Reference, task: string, params: Record<string, unknown>, pairs = 5): Promise<Paired> {
  await ours();
  const warm = await ref.run(task, params);
  if (!warm.ok) throw new Error(`reference task ${task} failed: ${warm.error}\n${String(warm.trace ?? '')}`);
  const out: Paired = { oursMs: [], refMs: [], ratios: [] };
  for (let i = 0; i < pairs; i++) {
    // Alternate which side goes first, so drift within a pair does not favour one side.
    const order = i % 2 === 0 ? ['ours', 'ref'] : ['ref', 'ours'];
    let a = 0;
    let b = 0;
    for (const side of order) {
      if (side === 'ours') {
        const t0 = performance.now();
        await ours();
        a = performance.now() - t0;
      } else {
        const r = await ref.run(task, params);
        if (!r.ok) throw new Error(`reference task ${task} failed: ${r.error}`);
        b = r.seconds * 1000;
        out.last = r;
      }
    }
    out.oursMs.push(a);
    out.refMs.push(b);
    out.ratios.push(b / a);
  }
  return out;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (xs: number[]): number => quantile(xs, 0.5);

/** "12.3x (IQR 11.8–13.0)" of the per-pair ratios. */
export function ratioCell(p: Paired): string {
  return `${fmt(median(p.ratios))}x (IQR ${fmt(quantile(p.ratios, 0.25))}–${fmt(quantile(p.ratios, 0.75))})`;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** GFLOP/s for `flops` floating-point operations done in `ms`. */
export function gflops(flops: number, ms: number): string {
  return ((flops / ms) * 1e-6).toFixed(2);
}

/**
 * Floating-point operations of one forward pass of a dense stack per row (2 per multiply-add,
 * bias and activation ignored), and of the input-gradient backward pass (the same products
 * transposed; weight gradients are not computed).
 */
export function denseFlops(widths: number[]): { forward: number; backward: number } {
  let f = 0;
  for (let i = 0; i + 1 < widths.length; i++) f += 2 * widths[i]! * widths[i + 1]!;
  return { forward: f, backward: f };
}
