/**
 * The error a {@link WorkerPool} raises when its task fails in a worker.
 * @packageDocumentation
 */
import { LabError, type LabErrorCode } from '../errors';

/** Where a worker failed. @category Parallel */
export type WorkerFailurePhase = 'start' | 'setup' | 'run' | 'exit';

/** The error as it crossed the thread boundary (name, message, stack, and the `code` of a lab error). @category Parallel */
export interface SerializedError {
  /** The original error's class name (`InvalidValueError`, `TypeError`, …). */
  name: string;
  /** The original message. */
  message: string;
  /** The original stack trace, when there was one. */
  stack?: string;
  /** The `code` of a {@link LabError}, when the original was one. */
  code?: string;
}

/** How a worker died: its exit code. @category Parallel */
export interface WorkerExit {
  /** The worker thread's exit code (1 when terminated or killed by an uncaught error). */
  exitCode: number;
}

const LAB_CODES: readonly string[] = ['SHAPE', 'INVALID_VALUE', 'CHECKPOINT', 'FORMAT', 'UNKNOWN_NAME', 'NOT_AVAILABLE', 'TRAINING', 'WORKER', 'INVARIANT'];

/**
 * A task failed in a worker of a {@link WorkerPool}: an exception in the task's `setup` or `run`,
 * a module that cannot load, or a worker that died (exit, out of memory). The message names the
 * task, the item (for `run` failures and deaths during a run) and the original error.
 *
 * `code` is the original error's code when it was a {@link LabError} (an `InvalidValueError`
 * thrown by the task keeps `INVALID_VALUE`), and `WORKER` otherwise (a plain exception, a worker that
 * died). When this error is raised the pool has already terminated every worker.
 * @example
 * ```ts
 * try { await pool.map(items); } catch (e) {
 *   if (e instanceof WorkerTaskError) console.log(e.task, e.item, e.phase, e.cause);
 * }
 * ```
 * @category Parallel
 */
export class WorkerTaskError extends LabError {
  /** The task (its module URL or the name given to `createWorkerPool`). */
  readonly task: string;
  /** Index of the failed item in the `map` call's array; undefined for start and setup failures. */
  readonly item: number | undefined;
  /** Where it failed. */
  readonly phase: WorkerFailurePhase;
  /** Index of the worker in the pool (0-based). */
  readonly worker: number;
  /** The original error (reconstructed in this thread), or the worker's exit code for a death. */
  override readonly cause: SerializedError | WorkerExit;

  constructor(details: {
    task: string;
    item?: number;
    phase: WorkerFailurePhase;
    worker: number;
    cause: SerializedError | WorkerExit;
  }) {
    const { task, item, phase, worker, cause } = details;
    const where = item === undefined ? `worker ${worker}` : `item ${item} (worker ${worker})`;
    const what =
      'exitCode' in cause
        ? `the worker exited with code ${cause.exitCode}`
        : `${cause.name}: ${cause.message}`;
    const code: LabErrorCode = 'code' in cause && cause.code !== undefined && LAB_CODES.includes(cause.code)
      ? (cause.code as LabErrorCode)
      : 'WORKER';
    super(code, `worker task ${task}: ${phase} failed for ${where}: ${what}`);
    this.task = task;
    this.item = item;
    this.phase = phase;
    this.worker = worker;
    this.cause = cause;
  }
}

/** Turns anything thrown into a {@link SerializedError}. Internal. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, message: e.message, stack: e.stack, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(e) };
}
