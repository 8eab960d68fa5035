/**
 * Workers that evaluate a model for attribution methods on all cores.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  type ModelSpec,
  type WorkerPool,
  builtFileUrl,
  checkOptions,
  createWorkerPool,
  payloadToTensor,
  tensorToPayload,
} from '@lab/tensor';
import type { Target } from '../core/types';
import type { TargetGradients } from '../core/gradients';
import type { AttributionTaskInput, AttributionTaskOutput } from './attribution-task-types';

/** Options of {@link createAttributionWorkers}. @category Parallel */
export interface AttributionWorkersOptions {
  /**
   * The model each worker rebuilds (module URL, factory, arguments, weights; see `modelSpec` of
   * `@lab/tensor`). It must be the model passed to `attribute`, in eval mode. Required.
   */
  model: ModelSpec;
  /** Number of workers. @defaultValue 2 */
  size?: number;
  /** Backend of each worker. @defaultValue `'wasm'` */
  backend?: 'wasm' | 'cpu';
}

/**
 * A started pool of workers, each holding a copy of one model, that attribution methods use to
 * evaluate their batches (path points, noise samples, perturbations) on all cores: pass it as the
 * `workers` option of {@link IntegratedGradients} or {@link Occlusion}. Chunks are the method's
 * `batchSize` rows; results are identical to the single-thread path (see each method).
 * @category Parallel
 */
export class AttributionWorkers {
  /** The underlying pool. */
  readonly pool: WorkerPool<AttributionTaskInput, AttributionTaskOutput>;

  /** @internal Use {@link createAttributionWorkers}. */
  constructor(pool: WorkerPool<AttributionTaskInput, AttributionTaskOutput>) {
    this.pool = pool;
  }

  /** Number of workers. */
  get size(): number {
    return this.pool.size;
  }

  /**
   * The model's outputs on batches, evaluated in parallel.
   * @param batches - inputs (not disposed)
   * @returns one output tensor per batch; the caller disposes them
   * @throws `WorkerTaskError` when a worker fails (the pool is then closed)
   */
  async forward(batches: readonly tf.Tensor[]): Promise<tf.Tensor[]> {
    const out = await this.pool.map(batches.map((b) => ({ op: 'forward', x: tensorToPayload(b) })), { transfer: true });
    return out.map((o) => payloadToTensor(o.y!));
  }

  /**
   * Gradients of the explained output of every row of each batch, in parallel.
   * @param batches - inputs (not disposed)
   * @param targets - per batch: a class index, one per row, or undefined (functions cannot cross threads)
   * @param fn - public function name for error messages
   * @returns per batch, `grads` (the batch's shape) and `scores` `[rows]`; the caller disposes them
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a function target; `WorkerTaskError` when a worker fails
   */
  async gradients(batches: readonly tf.Tensor[], targets: readonly (Target | undefined)[], fn: string): Promise<TargetGradients[]> {
    const items = batches.map((b, i) => ({ op: 'gradients' as const, x: tensorToPayload(b), target: serialTarget(targets[i], fn), fn }));
    const out = await this.pool.map(items, { transfer: true });
    return out.map((o) => ({ grads: payloadToTensor(o.grads!), scores: payloadToTensor(o.scores!) as tf.Tensor1D }));
  }

  /** Terminates the workers; safe to call twice. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Same as {@link AttributionWorkers.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A {@link Target} as it crosses to a worker. */
export function serialTarget(target: Target | undefined, fn: string): number | number[] | undefined {
  if (typeof target === 'function') throw new InvalidValueError(`${fn}: target must be a class index or a list of them when workers are used, got a function`);
  if (target === undefined || typeof target === 'number') return target;
  return Array.from(target);
}

/**
 * Checks the `workers` option of a method.
 * @internal
 */
export function checkWorkers(fn: string, workers: unknown, target: Target | undefined): AttributionWorkers | undefined {
  if (workers === undefined) return undefined;
  if (!(workers instanceof AttributionWorkers)) {
    throw new InvalidValueError(`${fn}: workers must be AttributionWorkers from createAttributionWorkers, got ${workers === null ? 'null' : typeof workers}`);
  }
  if (workers.pool.closed) throw new InvalidValueError(`${fn}: workers must be open, got a closed pool`);
  serialTarget(target, fn);
  return workers;
}

/**
 * Starts {@link AttributionWorkers}: `size` workers, each with its own wasm backend and a copy of
 * the model's weights (sent once).
 *
 * tfjs' wasm backend runs one thread in Node, so two workers use both cores of a 2-core machine.
 * Pass the result as `workers` to a method's `attribute`, and close it when done.
 * @param options - see {@link AttributionWorkersOptions}; `model` is required
 * @returns the started workers (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options; `WorkerTaskError` when a worker cannot rebuild the model
 * @example
 * ```ts
 * const spec = modelSpec(net, { module: tensorEntryUrl(), export: 'resnetCifar', args: [20] });
 * await using workers = await createAttributionWorkers({ model: spec, size: 2 });
 * const { attributions } = await new IntegratedGradients().attribute(net, x, { target: 3, workers });
 * ```
 * @category Parallel
 */
export async function createAttributionWorkers(options: AttributionWorkersOptions): Promise<AttributionWorkers> {
  const fn = 'createAttributionWorkers';
  if (options === null || typeof options !== 'object') throw new InvalidValueError(`${fn}: options must be an object with model, got ${String(options)}`);
  checkOptions(fn, options, ['model', 'size', 'backend']);
  if (options.model === null || typeof options.model !== 'object') throw new InvalidValueError(`${fn}: model must be a ModelSpec, got ${String(options.model)}`);
  const pool = await createWorkerPool<AttributionTaskInput, AttributionTaskOutput, ModelSpec>({
    task: attributionTaskUrl(),
    taskName: 'lab-attribution',
    size: options.size,
    backend: options.backend,
    init: options.model,
  });
  return new AttributionWorkers(pool);
}

/**
 * URL of this package's worker task module (`dist/attribution-task.js`).
 * @returns the URL
 * @category Parallel
 */
export function attributionTaskUrl(): URL {
  return builtFileUrl(import.meta.url, 'attribution-task.js');
}

/**
 * Fetches chunks `0 … count − 1` ahead of their use, keeping at most `ahead` beyond the one taken
 * in flight, so every worker stays busy while the caller consumes results in order.
 * @internal
 */
export function prefetch<T>(count: number, ahead: number, fetch: (k: number) => Promise<T>): {
  take(k: number): Promise<T>;
  discard(release: (value: T) => void): Promise<void>;
} {
  const pending = new Map<number, Promise<T>>();
  let next = 0;
  return {
    take(k) {
      for (; next < Math.min(count, k + 1 + ahead); next++) {
        const p = fetch(next);
        p.catch(() => undefined);
        pending.set(next, p);
      }
      const p = pending.get(k);
      if (p === undefined) return Promise.reject(new InvalidValueError(`prefetch: chunk ${k} was taken twice or is out of range`));
      pending.delete(k);
      return p;
    },
    async discard(release) {
      for (const p of pending.values()) {
        try {
          release(await p);
        } catch {
          // a failed fetch holds nothing
        }
      }
      pending.clear();
    },
  };
}
