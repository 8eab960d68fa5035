/**
 * The worker side of a {@link WorkerPool}: a task module defines what each worker sets up once and
 * runs per item.
 * @packageDocumentation
 */
import { initBackend } from '../backend/init-backend';
import { InvalidValueError } from '../errors';
import { type FromWorker, POOL_MARKER, type ToWorker } from './protocol';
import { transferablesOf } from './tensor-payload';
import { serializeError } from './worker-task-error';

/**
 * What a worker task does: `setup` runs once per worker with the pool's `init` value (build a
 * model, load its weights) and returns the worker's state; `run` maps one item to its result.
 * Inputs and results are structured-cloneable values; tensors cross as {@link TensorPayload}s.
 * @category Parallel
 */
export interface WorkerTaskDefinition<Init = unknown, State = unknown, In = unknown, Out = unknown> {
  /** Name used in error messages and to pick a task when one module defines several. */
  readonly name: string;
  /** Runs once per worker, after its backend started; returns the state handed to `run`. */
  setup(init: Init): State | Promise<State>;
  /**
   * Maps one item to its result. Typed arrays in the result are transferred (not copied) back to
   * the pool. Must leave no tensors behind (`tf.tidy`, `dispose`).
   */
  run(input: In, state: State): Out | Promise<Out>;
}

/** Definitions registered in this thread, by name. */
const definitions = new Map<string, WorkerTaskDefinition<any, any, any, any>>();
let attached = false;

/** The messaging endpoint of this thread when it is a pool worker, else undefined. */
interface Endpoint {
  post(message: FromWorker, transfer: ArrayBuffer[]): void;
  listen(handler: (message: ToWorker) => void): void;
  threadId: number;
}

async function poolEndpoint(): Promise<Endpoint | undefined> {
  const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown; name?: unknown };
  if (g.process?.versions?.node !== undefined && typeof g.WorkerGlobalScope === 'undefined') {
    const specifier = 'node:worker_threads';
    const wt = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
    const data = wt.workerData as { marker?: unknown } | undefined;
    if (wt.isMainThread || wt.parentPort === null || data?.marker !== POOL_MARKER) return undefined;
    const port = wt.parentPort;
    return {
      post: (m, t) => port.postMessage(m, t),
      listen: (h) => port.on('message', h),
      threadId: wt.threadId,
    };
  }
  if (typeof g.WorkerGlobalScope !== 'undefined' && typeof g.name === 'string' && g.name.startsWith(POOL_MARKER)) {
    const scope = globalThis as unknown as {
      postMessage(m: unknown, t: Transferable[]): void;
      addEventListener(type: 'message', h: (e: MessageEvent) => void): void;
    };
    return {
      post: (m, t) => scope.postMessage(m, t),
      listen: (h) => scope.addEventListener('message', (e) => h(e.data as ToWorker)),
      threadId: 0,
    };
  }
  return undefined;
}

function post(endpoint: Endpoint, message: FromWorker, transfer: ArrayBuffer[] = []): void {
  endpoint.post(message, transfer);
}

/** Serves the pool protocol in this worker: init (backend, setup) then one run at a time. */
async function serve(): Promise<void> {
  const endpoint = await poolEndpoint();
  if (endpoint === undefined) return;
  let definition: WorkerTaskDefinition | undefined;
  let state: unknown;
  let queue: Promise<void> = Promise.resolve();
  endpoint.listen((message) => {
    queue = queue.then(async () => {
      if (message.type === 'init') {
        try {
          const names = [...definitions.keys()];
          const name = message.taskName ?? (names.length === 1 ? names[0] : undefined);
          definition = name === undefined ? undefined : definitions.get(name);
          if (definition === undefined) {
            throw new InvalidValueError(
              `defineWorkerTask: taskName must be one of the tasks this module defines (${names.join(', ') || 'none'}), got ${String(message.taskName)}`,
            );
          }
          if (message.backend !== 'none') await initBackend({ backend: message.backend });
          state = await definition.setup(message.init);
          post(endpoint, { type: 'ready', threadId: endpoint.threadId });
        } catch (e) {
          post(endpoint, { type: 'setup-error', error: serializeError(e) });
        }
        return;
      }
      if (message.type === 'run') {
        try {
          if (definition === undefined) throw new InvalidValueError('defineWorkerTask: run before init');
          const output = await definition.run(message.input, state);
          post(endpoint, { type: 'result', id: message.id, output }, transferablesOf(output));
        } catch (e) {
          post(endpoint, { type: 'run-error', id: message.id, error: serializeError(e) });
        }
      }
    });
  });
  post(endpoint, { type: 'hello' });
}

/**
 * Defines the task a {@link WorkerPool} runs; call it at the top level of the task module whose URL
 * is given to {@link createWorkerPool}.
 *
 * In a pool's worker the first call also starts serving the pool (start the backend, `setup` once,
 * then `run` per item); anywhere else (the main thread, a test) it only returns the definition, so
 * the same `setup`/`run` can run in-process — the single-thread path and the workers then execute
 * the same code. One module may define several tasks; the pool picks one by `taskName`.
 * @param definition - the task's `name`, `setup` and `run`
 * @returns the same definition, frozen
 * @throws {@link InvalidValueError} for a missing name or function, or a name defined twice
 * @example
 * ```ts
 * // square-task.ts, built to square-task.js
 * export default defineWorkerTask({
 *   name: 'square',
 *   setup: () => undefined,
 *   run: (x: number) => x * x,
 * });
 * ```
 * @category Parallel
 */
export function defineWorkerTask<Init, State, In, Out>(
  definition: WorkerTaskDefinition<Init, State, In, Out>,
): Readonly<WorkerTaskDefinition<Init, State, In, Out>> {
  const fn = 'defineWorkerTask';
  if (definition === null || typeof definition !== 'object') throw new InvalidValueError(`${fn}: definition must be an object, got ${String(definition)}`);
  if (typeof definition.name !== 'string' || definition.name === '') {
    throw new InvalidValueError(`${fn}: name must be a non-empty string, got ${String(definition.name)}`);
  }
  if (typeof definition.setup !== 'function') throw new InvalidValueError(`${fn}: setup must be a function, got ${typeof definition.setup}`);
  if (typeof definition.run !== 'function') throw new InvalidValueError(`${fn}: run must be a function, got ${typeof definition.run}`);
  const frozen = Object.freeze({ ...definition });
  const existing = definitions.get(definition.name);
  if (existing !== undefined) throw new InvalidValueError(`${fn}: name must be unique in a thread, got '${definition.name}' twice`);
  definitions.set(definition.name, frozen);
  if (!attached) {
    attached = true;
    void serve();
  }
  return frozen;
}
