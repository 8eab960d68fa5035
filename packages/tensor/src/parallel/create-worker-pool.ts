/**
 * A pool of workers (worker_threads in Node, module Web Workers in browsers), each with its own
 * tfjs backend, that maps a task over items.
 * @packageDocumentation
 */
import { InvalidValueError, NotAvailableError, checkOptions } from '../errors';
import { type FromWorker, POOL_MARKER, type ToWorker } from './protocol';
import { transferablesOf } from './tensor-payload';
import { type SerializedError, type WorkerExit, WorkerTaskError } from './worker-task-error';

/** Options of {@link createWorkerPool}. @category Parallel */
export interface WorkerPoolOptions<Init = unknown> {
  /**
   * The task module: a `file:`/`http(s):` URL (or, in Node, an absolute path) of a built JavaScript
   * module that calls {@link defineWorkerTask}. In browsers it may also be a function returning a
   * new module `Worker` (`() => new Worker(new URL('./task.js', import.meta.url), { type: 'module', name: 'lab-worker-pool' })`),
   * the form bundlers such as Vite recognise; its `name` must start with `lab-worker-pool`. Required.
   */
  task: string | URL | (() => Worker);
  /** Number of workers, an integer ≥ 1. @defaultValue 2 (the cores of the project's machines) */
  size?: number;
  /**
   * The value each worker's `setup` receives, sent once per worker (structured clone: each worker
   * gets its own copy, e.g. of a model's weights as {@link TensorPayload}s).
   * @defaultValue undefined
   */
  init?: Init;
  /** Which task to run when the module defines several. @defaultValue the module's only task */
  taskName?: string;
  /**
   * The tfjs backend each worker starts with {@link initBackend} before `setup`; `'none'` starts
   * none (tasks without tensors).
   * @defaultValue `'wasm'`
   */
  backend?: 'wasm' | 'cpu' | 'none';
}

/** Options of {@link WorkerPool.map}. @category Parallel */
export interface WorkerPoolMapOptions {
  /**
   * Transfer the `ArrayBuffer`s inside each item to its worker instead of copying them; the
   * caller's typed arrays are detached (emptied) afterwards.
   * @defaultValue false
   */
  transfer?: boolean;
}

/** Defaults of {@link WorkerPoolOptions}. @category Parallel */
export const WORKER_POOL_DEFAULTS = Object.freeze({
  /** Default of {@link WorkerPoolOptions.size}: the 2 cores of the project's machines. */
  size: 2,
  /** Default of {@link WorkerPoolOptions.backend}. */
  backend: 'wasm' as const,
});

/** The pool's view of one worker, the same on both platforms. */
interface Handle {
  post(message: ToWorker, transfer: ArrayBuffer[]): void;
  terminate(): Promise<void>;
  alive: boolean;
  threadId: number;
}

interface Job {
  input: unknown;
  item: number;
  transfer: boolean;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  index: number;
  handle: Handle;
  job?: Job;
  ready: boolean;
}

type Events = {
  message(m: FromWorker): void;
  error(e: SerializedError): void;
  exit(code: number): void;
};

const isNode = (): boolean => {
  const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown };
  return g.process?.versions?.node !== undefined && typeof g.WorkerGlobalScope === 'undefined';
};

async function spawnNode(task: string | URL, events: Events): Promise<Handle> {
  const specifier = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  const url = task instanceof URL ? task : /^[a-z][a-z0-9+.-]*:/i.test(task) && !/^[a-z]:[\\/]/i.test(task) ? new URL(task) : task;
  const worker = new NodeWorker(url, { workerData: { marker: POOL_MARKER } });
  const handle: Handle = {
    post: (m, t) => worker.postMessage(m, t),
    terminate: async () => {
      if (handle.alive) await worker.terminate();
    },
    alive: true,
    threadId: worker.threadId,
  };
  worker.on('message', (m: FromWorker) => events.message(m));
  worker.on('error', (e: Error) => events.error({ name: e.name, message: e.message, stack: e.stack }));
  worker.on('exit', (code: number) => {
    handle.alive = false;
    events.exit(code);
  });
  return handle;
}

function spawnBrowser(task: string | URL | (() => Worker), events: Events, index: number): Handle {
  const worker =
    typeof task === 'function' ? task() : new Worker(task, { type: 'module', name: `${POOL_MARKER}-${index}` });
  const handle: Handle = {
    post: (m, t) => worker.postMessage(m, t),
    terminate: async () => {
      if (!handle.alive) return;
      worker.terminate();
      handle.alive = false;
      events.exit(1);
    },
    alive: true,
    threadId: 0,
  };
  worker.addEventListener('message', (e: MessageEvent) => events.message(e.data as FromWorker));
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    events.error({ name: 'Error', message: e.message || 'the worker script failed to load or threw' });
  });
  worker.addEventListener('messageerror', () => events.error({ name: 'DataCloneError', message: 'a message could not be deserialised' }));
  return handle;
}

/**
 * A started pool of workers running one task; see {@link createWorkerPool}. Any failure (an
 * exception in `setup` or `run`, a worker that dies) terminates every worker and rejects every
 * pending item with a {@link WorkerTaskError}; the pool is then closed.
 * @category Parallel
 */
export class WorkerPool<In = unknown, Out = unknown> {
  /** The task's label in messages: its name when given, else its module URL. */
  readonly task: string;
  /** Number of workers. */
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private state: 'open' | 'failed' | 'closed' = 'open';
  private failure: WorkerTaskError | undefined;
  private closing: Promise<void> | undefined;

  /** @internal Use {@link createWorkerPool}. */
  constructor(task: string, size: number) {
    this.task = task;
    this.size = size;
  }

  /** Workers whose thread is still running (0 once the pool is closed or has failed). */
  get liveWorkers(): number {
    return this.slots.filter((s) => s.handle.alive).length;
  }

  /** Node thread ids of the workers (`worker.threadId`; 0 in browsers). */
  get threadIds(): number[] {
    return this.slots.map((s) => s.handle.threadId);
  }

  /** Whether {@link WorkerPool.close} was called or a failure closed the pool. */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /**
   * Runs the task on every item, spread over the workers (each worker takes the next item when it
   * is free), and returns the results in the items' order.
   * @param items - the inputs, structured-cloneable (tensors as {@link TensorPayload})
   * @param options - see {@link WorkerPoolMapOptions}
   * @returns one result per item, in order
   * @throws {@link WorkerTaskError} naming the task and item when a worker fails (the pool is then
   * closed and no worker runs); {@link NotAvailableError} when the pool is closed
   */
  map(items: readonly In[], options: WorkerPoolMapOptions = {}): Promise<Out[]> {
    checkOptions('WorkerPool.map', options, ['transfer']);
    if (!Array.isArray(items)) return Promise.reject(new InvalidValueError(`WorkerPool.map: items must be an array, got ${typeof items}`));
    if (this.state !== 'open') return Promise.reject(this.closedError('WorkerPool.map'));
    const transfer = options.transfer === true;
    const jobs = items.map(
      (input, item) =>
        new Promise<Out>((resolve, reject) => {
          this.queue.push({ input, item, transfer, resolve: resolve as (o: unknown) => void, reject });
        }),
    );
    this.dispatch();
    return Promise.all(jobs);
  }

  /**
   * Terminates every worker; pending items reject with {@link NotAvailableError}. Safe to call
   * more than once and after a failure.
   * @returns a promise that settles when every worker thread has ended
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      if (this.state === 'open') this.state = 'closed';
      const error = this.closedError('WorkerPool.close');
      this.closing = this.terminateAll().then(() => this.rejectAll(error));
    }
    return this.closing;
  }

  /** Same as {@link WorkerPool.close}, for `await using pool = await createWorkerPool(…)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal Adds a started worker. */
  addSlot(handle: Handle): Slot {
    const slot: Slot = { index: this.slots.length, handle, ready: false };
    this.slots.push(slot);
    return slot;
  }

  /** @internal Marks a worker ready and gives it work. */
  markReady(slot: Slot): void {
    slot.ready = true;
    this.dispatch();
  }

  /** @internal A message from a worker. */
  onResult(slot: Slot, message: FromWorker): void {
    if (message.type !== 'result' && message.type !== 'run-error') return;
    const job = slot.job;
    if (job === undefined) return;
    if (message.type === 'result') {
      slot.job = undefined;
      job.resolve(message.output);
      this.dispatch();
      return;
    }
    void this.fail(new WorkerTaskError({ task: this.task, item: job.item, phase: 'run', worker: slot.index, cause: message.error }));
  }

  /** @internal A worker died or raised an uncaught error. */
  onDeath(slot: Slot, cause: SerializedError | WorkerExit): void {
    if (this.state !== 'open') return;
    const item = slot.job?.item;
    void this.fail(new WorkerTaskError({ task: this.task, item, phase: slot.ready ? (item === undefined ? 'exit' : 'run') : 'start', worker: slot.index, cause }));
  }

  /** @internal Closes the pool because of `error`, and rejects every pending item with it. */
  async fail(error: WorkerTaskError): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.failure = error;
    this.closing = this.terminateAll().then(() => this.rejectAll(error));
    await this.closing;
  }

  /** @internal The failure that closed the pool, if one did. */
  get failureError(): WorkerTaskError | undefined {
    return this.failure;
  }

  private closedError(fn: string): Error {
    return this.failure ?? new NotAvailableError(`${fn}: the pool of worker task ${this.task} is closed`);
  }

  private rejectAll(error: Error): void {
    for (const slot of this.slots) {
      slot.job?.reject(error);
      slot.job = undefined;
    }
    for (const job of this.queue.splice(0)) job.reject(error);
  }

  private async terminateAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.handle.terminate().catch(() => undefined)));
  }

  private dispatch(): void {
    if (this.state !== 'open') return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.job !== undefined || !slot.handle.alive) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      try {
        slot.handle.post({ type: 'run', id: job.item, input: job.input }, job.transfer ? transferablesOf(job.input) : []);
      } catch (e) {
        void this.fail(
          new WorkerTaskError({ task: this.task, item: job.item, phase: 'run', worker: slot.index, cause: { name: (e as Error).name, message: (e as Error).message } }),
        );
        return;
      }
    }
  }
}

function taskLabel(task: WorkerPoolOptions['task'], taskName: string | undefined): string {
  if (taskName !== undefined) return taskName;
  if (typeof task === 'function') return 'worker task';
  const s = String(task);
  return s.slice(s.lastIndexOf('/') + 1) || s;
}

/**
 * Starts a pool of workers that run one task: each worker starts its own tfjs backend
 * ({@link initBackend}; tfjs' wasm backend is single-threaded in Node, so N workers use N cores),
 * loads the task module, and runs its `setup` once with a copy of `init` (e.g. a model's weights);
 * then {@link WorkerPool.map} spreads items over the workers.
 *
 * Node runs the workers as `worker_threads` (loaded lazily, so browser bundles never import it);
 * browsers as module Web Workers, with the same message protocol. The task module must be built
 * JavaScript (a worker cannot load TypeScript sources). The promise settles once every worker is
 * ready; if any fails to start, all are terminated and it rejects.
 * @param options - see {@link WorkerPoolOptions}; `task` is required
 * @returns the ready pool; close it with {@link WorkerPool.close} (or `await using`)
 * @throws {@link InvalidValueError} for a bad `size` (not an integer ≥ 1), `task`, `backend` or unknown option
 * @throws {@link WorkerTaskError} when a worker fails to load the module, start its backend or run `setup`
 * @throws {@link NotAvailableError} when this environment has no workers
 * @example
 * ```ts
 * const pool = await createWorkerPool({ task: new URL('./square-task.js', import.meta.url), size: 2 });
 * try {
 *   console.log(await pool.map([1, 2, 3])); // [1, 4, 9]
 * } finally {
 *   await pool.close();
 * }
 * ```
 * @category Parallel
 */
export async function createWorkerPool<In = unknown, Out = unknown, Init = unknown>(
  options: WorkerPoolOptions<Init>,
): Promise<WorkerPool<In, Out>> {
  const fn = 'createWorkerPool';
  if (options === null || typeof options !== 'object') throw new InvalidValueError(`${fn}: options must be an object with task, got ${String(options)}`);
  checkOptions(fn, options, ['task', 'size', 'init', 'taskName', 'backend']);
  const { task, taskName, init } = options;
  const size = options.size ?? WORKER_POOL_DEFAULTS.size;
  const backend = options.backend ?? WORKER_POOL_DEFAULTS.backend;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new InvalidValueError(`${fn}: size must be an integer >= 1, got ${String(size)}`);
  }
  if (!(task instanceof URL) && !(typeof task === 'string' && task.length > 0) && typeof task !== 'function') {
    throw new InvalidValueError(`${fn}: task must be a module URL, a path or a Worker factory, got ${task === undefined ? 'undefined' : typeof task}`);
  }
  if (backend !== 'wasm' && backend !== 'cpu' && backend !== 'none') {
    throw new InvalidValueError(`${fn}: backend must be 'wasm', 'cpu' or 'none', got ${String(backend)}`);
  }
  if (taskName !== undefined && (typeof taskName !== 'string' || taskName === '')) {
    throw new InvalidValueError(`${fn}: taskName must be a non-empty string, got ${String(taskName)}`);
  }
  const node = isNode();
  if (!node && typeof Worker === 'undefined') throw new NotAvailableError(`${fn}: this environment has no Web Workers`);
  if (node && typeof task === 'function') {
    throw new InvalidValueError(`${fn}: task must be a module URL or path in Node, got a function`);
  }

  const pool = new WorkerPool<In, Out>(taskLabel(task, taskName), size);
  // Start-up: each worker says hello, gets `init`, and answers ready or setup-error. The first
  // failure closes the pool, which also releases the other workers' waits.
  const waiting = new Set<() => void>();
  const readies: Promise<void>[] = [];
  const startFailed = (worker: number, cause: SerializedError | WorkerExit, phase: 'start' | 'setup') => {
    void pool.fail(new WorkerTaskError({ task: pool.task, phase, worker, cause }));
    for (const release of waiting) release();
    waiting.clear();
  };
  for (let i = 0; i < size; i++) {
    let slot: Slot | undefined;
    let release: (() => void) | undefined;
    readies.push(
      new Promise<void>((resolve) => {
        release = resolve;
        waiting.add(resolve);
      }),
    );
    const starting = () => release !== undefined && waiting.has(release);
    const events: Events = {
      message: (m) => {
        if (slot === undefined) return;
        if (m.type === 'hello') {
          slot.handle.post({ type: 'init', taskName, init, backend }, []);
        } else if (m.type === 'ready') {
          slot.handle.threadId = slot.handle.threadId || m.threadId;
          if (release !== undefined) waiting.delete(release);
          release?.();
          pool.markReady(slot);
        } else if (m.type === 'setup-error') {
          startFailed(i, m.error, 'setup');
        } else {
          pool.onResult(slot, m);
        }
      },
      error: (e) => {
        if (slot === undefined) return;
        if (starting()) startFailed(i, e, 'start');
        else pool.onDeath(slot, e);
      },
      exit: (code) => {
        if (slot === undefined) return;
        if (starting()) startFailed(i, { exitCode: code }, 'start');
        else pool.onDeath(slot, { exitCode: code });
      },
    };
    let handle: Handle;
    try {
      handle = node ? await spawnNode(task as string | URL, events) : spawnBrowser(task, events, i);
    } catch (e) {
      await pool.close();
      throw new WorkerTaskError({ task: pool.task, phase: 'start', worker: i, cause: { name: (e as Error).name, message: (e as Error).message } });
    }
    slot = pool.addSlot(handle);
  }
  await Promise.all(readies);
  if (pool.closed) {
    await pool.close();
    throw pool.failureError ?? new NotAvailableError(`${fn}: the pool of worker task ${pool.task} closed while starting`);
  }
  return pool;
}
