/**
 * Argument checks shared by the public functions of the package. Not exported from the package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';

/** A short printable form of any value, for error messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v instanceof tf.Tensor) return `tf.Tensor of shape [${v.shape}]`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/** Throws unless `v` is an integer ≥ `min` (1 by default). */
export function checkInt(fn: string, arg: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new InvalidValueError(`${fn}: ${arg} must be ${what}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number within [lo, hi]. */
export function checkNumber(fn: string, arg: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    const range =
      lo === -Infinity && hi === Infinity ? 'a finite number' : hi === Infinity ? `a finite number >= ${lo}` : `a number in [${lo}, ${hi}]`;
    throw new InvalidValueError(`${fn}: ${arg} must be ${range}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number > 0. */
export function checkPositive(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new InvalidValueError(`${fn}: ${arg} must be a finite number > 0, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a boolean. */
export function checkBool(fn: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${arg} must be a boolean, got ${show(v)}`);
  return v;
}

/** Throws unless `v` is one of `choices`. */
export function checkOneOf<T extends string | number>(fn: string, arg: string, v: unknown, choices: readonly T[]): T {
  if (!choices.includes(v as T)) {
    throw new InvalidValueError(`${fn}: ${arg} must be one of ${choices.map((c) => show(c)).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** Throws unless `x` is a live float32 tensor of the given rank (and, where given, shape entries; -1 = any). */
export function checkTensor(fn: string, arg: string, x: unknown, shape: readonly number[], dtype: tf.DataType | 'any' = 'float32'): tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${fn}: ${arg} must be a tf.Tensor, got ${show(x)}`);
  if (x.isDisposed) throw new InvalidValueError(`${fn}: ${arg} must not be disposed`);
  const want = `[${shape.map((d) => (d < 0 ? '*' : String(d))).join(', ')}]`;
  if (x.rank !== shape.length || shape.some((d, i) => d >= 0 && x.shape[i] !== d)) {
    throw new ShapeError(`${fn}: ${arg} must have shape ${want}, got [${x.shape}]`);
  }
  if (dtype !== 'any' && x.dtype !== dtype) {
    throw new ShapeError(`${fn}: ${arg} must be ${dtype}, got ${x.dtype}`);
  }
  return x;
}

/** Merges `options` over frozen `defaults` (undefined entries keep the default). */
export function withDefaults<D extends object, O extends object>(
  defaults: D,
  options: O | undefined,
): Omit<D, keyof O> & Omit<O, keyof D> & { [K in keyof O & keyof D]-?: Exclude<O[K], undefined> } {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(options ?? {})) if (v !== undefined) out[k] = v;
  return out as Omit<D, keyof O> & Omit<O, keyof D> & { [K in keyof O & keyof D]-?: Exclude<O[K], undefined> };
}

/**
 * Explicit padding `[[top, bottom], [left, right]]` of TensorFlow's `'same'` mode for one square
 * input of side `size`: total `max((⌈size/s⌉ − 1)·s + k − size, 0)`, the odd pixel at the
 * bottom/right. Keras' `ZeroPadding2D(correct_pad)` before a stride-2 `'valid'` depthwise gives
 * the same pads for k = 3.
 */
export function tfSamePads(size: number, kernel: number, stride: number): [[number, number], [number, number]] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [
    [before, total - before],
    [before, total - before],
  ];
}
