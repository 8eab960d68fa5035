/**
 * The messages between a {@link WorkerPool} and its workers (internal; the same on worker_threads
 * and Web Workers).
 * @packageDocumentation
 */
import type { SerializedError } from './worker-task-error';

/** `workerData` / worker name marker that makes `defineWorkerTask` serve the pool protocol. */
export const POOL_MARKER = 'lab-worker-pool';

/** Messages the pool sends to a worker. */
export type ToWorker =
  | { type: 'init'; taskName?: string; init: unknown; backend: 'wasm' | 'cpu' | 'none' }
  | { type: 'run'; id: number; input: unknown };

/** Messages a worker sends to the pool. */
export type FromWorker =
  | { type: 'hello' }
  | { type: 'ready'; threadId: number }
  | { type: 'setup-error'; error: SerializedError }
  | { type: 'result'; id: number; output: unknown }
  | { type: 'run-error'; id: number; error: SerializedError };
