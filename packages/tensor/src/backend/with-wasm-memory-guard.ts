/**
 * Turns the wasm backend's bare out-of-memory failure into a typed, explained error.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, NotAvailableError } from '../errors';

/** Messages of the errors a full wasm heap produces (V8/Node, Chromium, Firefox, Emscripten). */
const OOM_MESSAGE = /memory access out of bounds|out of memory|maximum memory size|cannot enlarge memory|array buffer allocation failed|could not allocate memory/i;

/** True when `e` is the failure a full wasm heap raises. */
function isWasmOutOfMemory(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const isWasmError =
    e instanceof RangeError || (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError);
  return isWasmError && OOM_MESSAGE.test(e.message);
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

function convert(e: unknown, what: string): unknown {
  if (!isWasmOutOfMemory(e)) return e;
  // The engine's byte count (tf.memory() would ask the backend, which may be broken or not started).
  const bytes = tf.engine().state.numBytes;
  const held = `; tensors hold ${gib(bytes)} now`;
  const err = new NotAvailableError(
    `${what}: the wasm heap ran out of memory (it is capped at 4 GiB${held}). ` +
      'Dispose tensors you no longer need (tf.tidy, tensor.dispose()), or use a smaller batch, ' +
      'image or tile size. The wasm heap never shrinks and may be corrupt after this error: ' +
      'restart the process or reload the page before running more wasm work. ' +
      `(original error: ${(e as Error).name}: ${(e as Error).message})`,
  );
  err.cause = e;
  return err;
}

/**
 * Runs `fn` and converts the wasm backend's bare out-of-memory failure into a
 * {@link NotAvailableError} whose message names `what` and explains the 4 GiB heap cap.
 *
 * A wasm heap is limited to 4 GiB (32-bit addresses) and never shrinks; past the cap tfjs fails
 * with a bare `RuntimeError`/`RangeError: memory access out of bounds` from inside the allocator.
 * Other errors pass through unchanged. When `fn` returns a promise, its rejection is converted the
 * same way.
 *
 * @param fn - the work to run (synchronous, or returning a promise)
 * @param what - the function and the work, starting the message, e.g. `'upscale: IMDN on 2048×2048'`
 * @returns what `fn` returns (the caller owns any tensors in it)
 * @throws {@link NotAvailableError} when the wasm heap is exhausted (the original error is its `cause`)
 * @throws {@link InvalidValueError} when `fn` is not a function or `what` is not a non-empty string
 * @example
 * ```ts
 * const y = withWasmMemoryGuard(() => model.forward(x), 'superResolve: forward pass');
 * ```
 * @category Backend
 */
export function withWasmMemoryGuard<T>(fn: () => T, what: string): T {
  if (typeof fn !== 'function') {
    throw new InvalidValueError(`withWasmMemoryGuard: fn must be a function, got ${typeof fn}`);
  }
  if (typeof what !== 'string' || what.length === 0) {
    throw new InvalidValueError(`withWasmMemoryGuard: what must be a non-empty string, got ${JSON.stringify(what)}`);
  }
  let result: T;
  try {
    result = fn();
  } catch (e) {
    throw convert(e, what);
  }
  if (result != null && typeof (result as { then?: unknown }).then === 'function') {
    return Promise.resolve(result).then(undefined, (e: unknown) => {
      throw convert(e, what);
    }) as unknown as T;
  }
  return result;
}
