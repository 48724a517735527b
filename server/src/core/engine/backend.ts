/**
 * Chooses the tensor backend once per process, best first:
 * tfjs-node-gpu -> tfjs-node -> wasm (SIMD where available) -> cpu.
 *
 * The native packages are optionalDependencies; on machines without network access to
 * libtensorflow they are absent, and that is a normal outcome reported by `glassbox doctor` and the
 * daemon status, not an error.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from './tf';
import { registerFastMatMulGradient } from './matmul-gradient';
import { GlassboxError } from '../errors';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendAttempt {
  /** What was tried: a package or a backend name. */
  candidate: string;
  ok: boolean;
  /** Why it was skipped, or what it provides when it was chosen. */
  detail: string;
}

export interface EngineInfo {
  backend: BackendName;
  /** tfjs's own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  tfjsVersion: string;
  simd?: boolean;
  threads?: boolean;
  attempts: BackendAttempt[];
}

export interface EngineOptions {
  /** Force one backend (tests, `--backend`); the ladder still records why the others were skipped. */
  prefer?: BackendName;
  /** Env var GLASSBOX_BACKEND has the same effect. */
  env?: NodeJS.ProcessEnv;
}

let current: Promise<EngineInfo> | undefined;

/** Initialises the engine once; later calls return the same answer. */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  current ??= chooseBackend(options);
  return current;
}

/** The engine already chosen, for status reports; undefined before `initEngine`. */
export function engineInfo(): Promise<EngineInfo> | undefined {
  return current;
}

const requireHere = createRequire(typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'));

type Loader = () => Promise<string>;

async function chooseBackend(options: EngineOptions): Promise<EngineInfo> {
  const env = options.env ?? process.env;
  const forced = (options.prefer ?? (env.GLASSBOX_BACKEND as BackendName | undefined)) || undefined;
  if (forced && !['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(forced)) {
    throw new GlassboxError('engine', `unknown backend '${forced}' (expected tensorflow-gpu, tensorflow, wasm or cpu)`);
  }
  registerFastMatMulGradient();

  const ladder: Array<[BackendName, string, Loader]> = [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu', () => loadNative('@tensorflow/tfjs-node-gpu')],
    ['tensorflow', '@tensorflow/tfjs-node', () => loadNative('@tensorflow/tfjs-node')],
    ['wasm', '@tensorflow/tfjs-backend-wasm', loadWasm],
    ['cpu', '@tensorflow/tfjs-backend-cpu', loadCpu],
  ];
  const attempts: BackendAttempt[] = [];
  for (const [name, pkg, load] of ladder) {
    if (forced && forced !== name) {
      attempts.push({ candidate: pkg, ok: false, detail: `skipped: backend '${forced}' was requested` });
      continue;
    }
    try {
      const tfName = await load();
      if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend('${tfName}') returned false`);
      await tf.ready();
      const info: EngineInfo = {
        backend: name,
        tfBackend: tf.getBackend(),
        tfjsVersion: tf.version_core,
        attempts,
      };
      if (name === 'wasm') {
        info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
        info.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      }
      attempts.push({ candidate: pkg, ok: true, detail: describe(info) });
      return info;
    } catch (e) {
      attempts.push({ candidate: pkg, ok: false, detail: explainFailure(pkg, e) });
    }
  }
  throw new GlassboxError('engine', `no TensorFlow.js backend could start: ${attempts.map((a) => `${a.candidate}: ${a.detail}`).join('; ')}`);
}

async function loadNative(pkg: string): Promise<string> {
  // A plain require so bundlers leave it alone; the package registers the 'tensorflow' backend
  // into the shared @tensorflow/tfjs-core instance.
  requireHere(pkg);
  return 'tensorflow';
}

async function loadWasm(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Bundled builds ship the .wasm files next to the bundle; unbundled runs find them in the package.
  const bundled = typeof __dirname === 'string' ? path.join(__dirname, 'wasm') : undefined;
  if (bundled && fs.existsSync(path.join(bundled, 'tfjs-backend-wasm.wasm'))) {
    wasm.setWasmPaths(bundled + path.sep);
  }
  // Threads in Node need a shim and measured slower for small models; one thread is the default.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return 'wasm';
}

async function loadCpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-cpu');
  return 'cpu';
}

function describe(info: EngineInfo): string {
  switch (info.backend) {
    case 'tensorflow-gpu':
      return 'native TensorFlow with CUDA';
    case 'tensorflow':
      return 'native TensorFlow (CPU)';
    case 'wasm':
      return `WebAssembly${info.simd ? ' with SIMD' : ' without SIMD'}, ${info.threads ? 'multi-threaded' : 'one thread'}`;
    case 'cpu':
      return 'plain JavaScript (slowest)';
  }
}

function explainFailure(pkg: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const message = err?.message ?? String(e);
  if (err?.code === 'MODULE_NOT_FOUND' && message.includes(pkg)) {
    return `not installed (optional; its install downloads libtensorflow, which needs network access to storage.googleapis.com${pkg.endsWith('-gpu') ? ' and CUDA 11' : ''})`;
  }
  if (/libtensorflow|\.so|napi|binding/i.test(message)) {
    return `installed but its native library did not load: ${firstLine(message)}`;
  }
  return `failed to start: ${firstLine(message)}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}
