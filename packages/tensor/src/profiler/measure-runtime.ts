import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '../errors';

/** What the function timed by {@link measureRuntime} may return. @category Profiler */
export type RuntimeOutput = tf.Tensor | tf.Tensor[];

/** Options of {@link measureRuntime}. @category Profiler */
export interface MeasureRuntimeOptions {
  /**
   * Untimed calls before the timed ones (kernel set-up, wasm heap growth, JIT).
   * @defaultValue 2. NTIRE 2022 used no warm-up; pass 0 to reproduce that protocol.
   */
  warmup?: number;
  /**
   * Timed calls.
   * @defaultValue 10
   */
  runs?: number;
}

/** Defaults of {@link measureRuntime}. @category Profiler */
export const MEASURE_RUNTIME_DEFAULTS: Readonly<Required<MeasureRuntimeOptions>> = Object.freeze({
  /** Default of {@link MeasureRuntimeOptions.warmup}. */
  warmup: 2,
  /** Default of {@link MeasureRuntimeOptions.runs}. */
  runs: 10,
});

/** Wall-clock statistics returned by {@link measureRuntime}, in milliseconds. @category Profiler */
export interface RuntimeResult {
  /** Median of the timed runs (mean of the two middle values for an even count). */
  medianMs: number;
  /** Fastest timed run. */
  minMs: number;
  /** Slowest timed run. */
  maxMs: number;
  /** Arithmetic mean of the timed runs (NTIRE 2022 reports this statistic). */
  meanMs: number;
  /** Number of timed runs. */
  runs: number;
  /** Every timed run, in the order they ran. */
  samplesMs: number[];
}

/**
 * Measures the wall-clock time of a tensor computation, synchronised with the backend.
 *
 * Each call runs `fn`, awaits `data()` of every returned tensor (so asynchronous backends have
 * finished the work) and disposes the returned tensors; a sample is the time from calling `fn` to
 * the last `data()` resolving, so it includes the device-to-host read of the outputs. `fn` is called
 * exactly `warmup + runs` times, one after the other.
 * @param fn - the computation; returns a tensor or an array of tensors (or a promise of one).
 *   Tensors it allocates and does not return are its own responsibility (wrap the body in `tf.tidy`)
 * @returns the statistics of the `runs` timed calls
 * @throws InvalidValueError for a non-function `fn`, bad or unknown options, or when `fn` returns
 *   something other than tensors (after disposing whatever tensors it did return)
 * @example
 * ```ts
 * const t = await measureRuntime(() => tf.tidy(() => model.call(x)), { warmup: 1, runs: 5 });
 * console.log(`${t.medianMs.toFixed(1)} ms`);
 * ```
 * @category Profiler
 */
export async function measureRuntime(
  fn: () => RuntimeOutput | Promise<RuntimeOutput>,
  options?: MeasureRuntimeOptions,
): Promise<RuntimeResult> {
  checkOptions('measureRuntime', options, Object.keys(MEASURE_RUNTIME_DEFAULTS));
  if (typeof fn !== 'function') {
    throw new InvalidValueError(`measureRuntime: fn must be a function, got ${typeof fn}`);
  }
  const warmup = options?.warmup ?? MEASURE_RUNTIME_DEFAULTS.warmup;
  const runs = options?.runs ?? MEASURE_RUNTIME_DEFAULTS.runs;
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new InvalidValueError(`measureRuntime: warmup must be a non-negative integer, got ${String(warmup)}`);
  }
  if (!Number.isInteger(runs) || runs < 1) {
    throw new InvalidValueError(`measureRuntime: runs must be a positive integer, got ${String(runs)}`);
  }
  for (let i = 0; i < warmup; i++) await timeOnce(fn);
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(await timeOnce(fn));
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  const medianMs = runs % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const meanMs = samplesMs.reduce((s, v) => s + v, 0) / runs;
  return { medianMs, minMs: sorted[0], maxMs: sorted[runs - 1], meanMs, runs, samplesMs };
}

async function timeOnce(fn: () => RuntimeOutput | Promise<RuntimeOutput>): Promise<number> {
  const start = performance.now();
  const out = await fn();
  const tensors = Array.isArray(out) ? out : [out];
  try {
    if (tensors.length === 0 || !tensors.every((t) => t instanceof tf.Tensor)) {
      throw new InvalidValueError(
        `measureRuntime: fn must return a tf.Tensor or an array of tf.Tensor, got ${describe(out)}`,
      );
    }
    await Promise.all(tensors.map((t) => t.data()));
    return performance.now() - start;
  } finally {
    for (const t of tensors) if (t instanceof tf.Tensor) t.dispose();
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array holding non-tensors';
  return value === null ? 'null' : typeof value;
}
