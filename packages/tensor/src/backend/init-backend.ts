/**
 * Start-up of the tfjs backend every lab package computes on.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { InvalidValueError, NotAvailableError, checkOptions } from '../errors';
import './register-gradients';
import { registerWasmKernels } from './register-wasm-kernels';

/** File names of the three tfjs-backend-wasm binaries (plain, SIMD, threaded SIMD). */
const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;
type WasmBinary = (typeof WASM_BINARIES)[number];

const BACKENDS = ['wasm', 'cpu'] as const;

/** What {@link initBackend} started. @category Backend */
export interface BackendInfo {
  /** The active tfjs backend. */
  readonly backend: 'wasm' | 'cpu';
  /** True when the wasm backend runs a SIMD binary (always false on cpu). */
  readonly simd: boolean;
  /**
   * Size of the wasm backend's XNNPACK thread pool (1 on cpu, and 1 in Node, whose wasm backend is
   * single-threaded).
   */
  readonly threads: number;
  /**
   * True when the threaded wasm binary is loaded: browsers with SIMD and `SharedArrayBuffer`,
   * which needs a cross-origin-isolated page (see {@link initBackend}). Never in Node.
   */
  readonly multiThread: boolean;
}

/** Options of {@link initBackend}. @category Backend */
export interface InitBackendOptions {
  /**
   * The tfjs backend to start. The cpu backend is 25–450× slower than wasm and exists for
   * reference comparisons; its package is loaded on first request.
   * @defaultValue `'wasm'`
   */
  backend?: 'wasm' | 'cpu';
  /**
   * Where the wasm binaries are served: a folder URL (a trailing `/` is added when missing) or a
   * map from each of `tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm` and
   * `tfjs-backend-wasm-threaded-simd.wasm` to its URL. Only before the wasm backend has started.
   * @defaultValue in browsers (ESM build), the copies shipped next to this package's `dist/index.js`
   * (`new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url)`, which bundlers such as webpack 5
   * and Vite emit as assets); in Node, the files inside `@tensorflow/tfjs-backend-wasm`
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Requested size of the XNNPACK thread pool of the threaded wasm binary. A request: tfjs
   * 4.22 uses at most `navigator.hardwareConcurrency / 2` (tensorflow/tfjs#8513), and Node runs one
   * thread. The count in effect is {@link BackendInfo.threads}. Only before the wasm backend has started.
   * @defaultValue tfjs' choice
   */
  threads?: number;
}

/** Info per backend name, filled by initBackend. */
const infos = new Map<string, BackendInfo>();
/** The wasm configuration initBackend applied before the wasm backend started. */
let applied: { paths?: string; threads?: number } | undefined;
/** Serialises initBackend calls. */
let queue: Promise<unknown> = Promise.resolve();

function fail(message: string): never {
  throw new InvalidValueError(`initBackend: ${message}`);
}

/** Validates `wasmPaths` and returns it in the form handed to tfjs. */
function normaliseWasmPaths(paths: unknown): string | Record<WasmBinary, string> {
  if (typeof paths === 'string') {
    if (paths.length === 0) fail('wasmPaths must be a non-empty folder URL or a map of the three binaries, got ""');
    return paths.endsWith('/') ? paths : `${paths}/`;
  }
  if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) {
    fail(`wasmPaths must be a folder URL or a map of the three binaries, got ${paths === null ? 'null' : typeof paths}`);
  }
  const map = paths as Record<string, unknown>;
  for (const key of Object.keys(map)) {
    if (!(WASM_BINARIES as readonly string[]).includes(key)) {
      fail(`wasmPaths keys must be ${WASM_BINARIES.join(', ')}, got '${key}'`);
    }
    if (typeof map[key] !== 'string' || (map[key] as string).length === 0) {
      fail(`wasmPaths['${key}'] must be a non-empty URL string, got ${JSON.stringify(map[key])}`);
    }
  }
  const missing = WASM_BINARIES.filter((k) => map[k] === undefined);
  if (missing.length > 0) fail(`wasmPaths must map all three binaries; missing ${missing.join(', ')}`);
  return Object.fromEntries(WASM_BINARIES.map((k) => [k, map[k] as string])) as Record<WasmBinary, string>;
}

function validate(options: InitBackendOptions | undefined): {
  backend: 'wasm' | 'cpu';
  paths?: string | Record<WasmBinary, string>;
  threads?: number;
} {
  checkOptions('initBackend', options, ['backend', 'wasmPaths', 'threads']);
  const o = options ?? {};
  const backend = o.backend ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    fail(`backend must be 'wasm' or 'cpu', got ${JSON.stringify(backend)}`);
  }
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 1)) {
    fail(`threads must be a positive integer, got ${String(o.threads)}`);
  }
  if (backend === 'cpu' && o.threads !== undefined) fail("threads applies to the 'wasm' backend only, got backend 'cpu'");
  if (backend === 'cpu' && o.wasmPaths !== undefined) fail("wasmPaths applies to the 'wasm' backend only, got backend 'cpu'");
  const paths = o.wasmPaths === undefined ? undefined : normaliseWasmPaths(o.wasmPaths);
  return { backend, paths, threads: o.threads };
}

/**
 * In a browser, the URLs of the binaries next to this module: for the ESM build, the copies shipped
 * beside `dist/index.js` (or the assets a bundler emitted for the literal `new URL(…)` calls).
 * tsup's CJS build rewrites `import.meta.url` to the URL of the current `<script>` (or the page), which
 * is where tfjs itself would look; where that rewrite fails (a CJS bundle in a worker) the result
 * is undefined and tfjs' own default applies. Undefined in Node. Internal (exported for tests).
 */
export function defaultBrowserWasmPaths(): Record<WasmBinary, string> | undefined {
  const env = tf.env();
  if (env.getBool('IS_NODE') || !env.getBool('IS_BROWSER')) return undefined;
  try {
    const base: unknown = import.meta.url;
    if (typeof base !== 'string' || base.length === 0) return undefined;
    // One literal `new URL(…, import.meta.url)` per file, so bundlers can see and emit each asset.
    return {
      'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
      'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL('./tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
    };
  } catch {
    return undefined;
  }
}

function wasmStarted(): boolean {
  return tf.engine().registry.wasm != null;
}

/** Applies wasm paths and threads before the backend starts; refuses changes after. */
function configureWasm(paths: string | Record<WasmBinary, string> | undefined, threads: number | undefined): void {
  const pathsKey = paths === undefined ? undefined : JSON.stringify(paths);
  if (wasmStarted()) {
    if (pathsKey !== undefined && pathsKey !== applied?.paths) {
      throw new NotAvailableError(
        'initBackend: wasmPaths cannot change after the wasm backend has started; pass it on the first call',
      );
    }
    if (threads !== undefined && threads !== (applied?.threads ?? getThreadsCount())) {
      throw new NotAvailableError(
        `initBackend: threads cannot change after the wasm backend has started (it runs ${getThreadsCount()}); ` +
          'pass it on the first call',
      );
    }
    return;
  }
  try {
    const toSet = paths ?? (applied?.paths === undefined ? defaultBrowserWasmPaths() : undefined);
    if (toSet !== undefined) setWasmPaths(toSet);
    if (threads !== undefined) setThreadsCount(threads);
  } catch (e) {
    throw new NotAvailableError(`initBackend: the wasm backend cannot be configured: ${(e as Error).message}`);
  }
  applied = { paths: pathsKey ?? applied?.paths, threads: threads ?? applied?.threads };
}

async function computeInfo(backend: 'wasm' | 'cpu'): Promise<BackendInfo> {
  if (backend === 'cpu') return Object.freeze({ backend, simd: false, threads: 1, multiThread: false });
  const env = tf.env();
  const simd = (await env.getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threadsSupported = (await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return Object.freeze({ backend, simd, threads: getThreadsCount(), multiThread: simd && threadsSupported });
}

async function start(options: InitBackendOptions | undefined): Promise<BackendInfo> {
  const { backend, paths, threads } = validate(options);
  if (backend === 'wasm') {
    registerWasmKernels();
    configureWasm(paths, threads);
  } else if (tf.findBackendFactory('cpu') == null) {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (tf.engine().backendName !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok || tf.engine().backendName !== backend) {
      throw new NotAvailableError(
        backend === 'wasm'
          ? 'initBackend: the wasm backend failed to start; check that the .wasm binaries are served ' +
              '(pass wasmPaths when a bundler moves them) and that the page may compile WebAssembly (CSP)'
          : 'initBackend: the cpu backend failed to start',
      );
    }
  }
  let info = infos.get(backend);
  if (info === undefined) {
    info = await computeInfo(backend);
    infos.set(backend, info);
  }
  return info;
}

/**
 * Starts the tfjs backend lab computes on and returns what runs: the wasm backend by default, in
 * Node and in browsers, with lab's training kernels and gradients registered.
 *
 * Idempotent: a second call with the same backend returns the same {@link BackendInfo} object
 * without re-initialising; a call naming the other backend switches to it. Concurrent calls run
 * one after another. In browsers the ESM build loads the `.wasm` binaries shipped next to it, so
 * no `setWasmPaths` call is needed; `wasmPaths` overrides them.
 *
 * Threads: the threaded SIMD binary needs `SharedArrayBuffer`, i.e. a cross-origin-isolated page
 * served with the headers `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`. Without them, and always in Node, one thread runs.
 *
 * @param options - see {@link InitBackendOptions}; unknown keys are rejected
 * @returns the frozen info of the active backend (no tensors)
 * @throws {@link InvalidValueError} for an unknown option, backend name, bad `wasmPaths` or `threads`
 * @throws {@link NotAvailableError} when the backend fails to start (e.g. the `.wasm` files are not
 * served), or when `wasmPaths`/`threads` differ from those the running wasm backend started with
 * @example
 * ```ts
 * import { initBackend } from '@lab/tensor';
 * const info = await initBackend();
 * console.log(info.backend, info.simd, info.threads); // 'wasm' true 1
 * ```
 * @category Backend
 */
export function initBackend(options?: InitBackendOptions): Promise<BackendInfo> {
  const run = queue.then(() => start(options));
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Returns the info of the active backend as {@link initBackend} started it, or `undefined` before
 * the first {@link initBackend} call (or when the active backend was switched outside it).
 *
 * @returns the frozen {@link BackendInfo}, or undefined
 * @example
 * ```ts
 * if (backendInfo() === undefined) await initBackend();
 * ```
 * @category Backend
 */
export function backendInfo(): BackendInfo | undefined {
  const name = tf.engine().backendName;
  return name == null ? undefined : infos.get(name);
}
