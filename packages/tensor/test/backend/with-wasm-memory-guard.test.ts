import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, NotAvailableError } from '../../src/errors';
import { initBackend, withWasmMemoryGuard } from '../../src/backend/index';

function thrower(e: unknown): () => never {
  return () => {
    throw e;
  };
}

describe('withWasmMemoryGuard', () => {
  it('returns what fn returns', () => {
    expect(withWasmMemoryGuard(() => 42, 'test')).toBe(42);
  });

  it.each([
    ['WebAssembly.RuntimeError', () => new WebAssembly.RuntimeError('memory access out of bounds')],
    ['RangeError', () => new RangeError('memory access out of bounds')],
    ['RangeError (Chromium grow)', () => new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')],
  ])('turns a bare %s out-of-memory error into NotAvailableError naming the work and the 4 GiB cap', (_, make) => {
    const original = make();
    let caught: unknown;
    try {
      withWasmMemoryGuard(thrower(original), 'upscale: 4096×4096 input');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NotAvailableError);
    const err = caught as NotAvailableError;
    expect(err.code).toBe('NOT_AVAILABLE');
    expect(err.message).toMatch(/^upscale: 4096×4096 input: the wasm heap ran out of memory \(it is capped at 4 GiB; tensors hold \d+\.\d\d GiB now\)/);
    expect(err.cause).toBe(original);
  });

  it.each([
    ['a RangeError about something else', new RangeError('Invalid array length')],
    ['a TypeError', new TypeError('x is not a function')],
    ['a non-Error value', 'plain string'],
    ['a LabError', new InvalidValueError('f: x must be finite, got NaN')],
  ])('passes %s through unchanged', (_, original) => {
    expect(() => withWasmMemoryGuard(thrower(original), 'test')).toThrow();
    try {
      withWasmMemoryGuard(thrower(original), 'test');
    } catch (e) {
      expect(e).toBe(original);
    }
  });

  it('converts the rejection of a returned promise the same way', async () => {
    const original = new WebAssembly.RuntimeError('memory access out of bounds');
    const p = withWasmMemoryGuard(() => Promise.reject(original), 'train: step 3');
    await expect(p).rejects.toThrow(NotAvailableError);
    await expect(p).rejects.toThrow(/^train: step 3: the wasm heap ran out of memory/);
    await expect(withWasmMemoryGuard(() => Promise.resolve('ok'), 'train')).resolves.toBe('ok');
  });

  it.each([
    [null, 'x', /withWasmMemoryGuard: fn must be a function, got object/],
    [() => 1, '', /withWasmMemoryGuard: what must be a non-empty string, got ""/],
  ])('rejects bad arguments with InvalidValueError (%#)', (fn, what, message) => {
    expect(() => withWasmMemoryGuard(fn as never, what)).toThrow(InvalidValueError);
    expect(() => withWasmMemoryGuard(fn as never, what)).toThrow(message);
  });

  // Fills the 4 GiB wasm heap for real (and leaves it unusable for the rest of this process):
  // opt-in with LAB_SLOW=1; it needs about 5 GiB of free RAM.
  it.skipIf(!process.env.LAB_SLOW)('[slow] converts a real wasm heap exhaustion (5 × 1 GiB tensors)', async () => {
    await initBackend();
    const held: tf.Tensor[] = [];
    let caught: unknown;
    try {
      withWasmMemoryGuard(() => {
        for (let i = 0; i < 5; i++) held.push(tf.zeros([256, 1024, 1024]));
      }, 'test: five 1 GiB tensors');
    } catch (e) {
      caught = e;
    } finally {
      tf.dispose(held);
    }
    expect(caught).toBeInstanceOf(NotAvailableError);
    expect((caught as Error).message).toMatch(/capped at 4 GiB; tensors hold 4\.00 GiB now/);
  });
});
