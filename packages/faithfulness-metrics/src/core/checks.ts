/**
 * Boundary validation shared by every metric: typed errors naming the function and the argument,
 * raised before any tensor is allocated.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';

/** Shape of one NHWC image. */
export interface ImageDims {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

const show = (v: unknown): string => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === undefined ? 'undefined' : JSON.stringify(v) ?? typeof v);

/** Checks a model argument (a Module or a function). */
export function checkModel(fn: string, model: unknown): asserts model is AttributionModel {
  if (!(model instanceof Module) && typeof model !== 'function') {
    throw new InvalidValueError(`${fn}: model must be a Module or a function of a batch, got ${typeof model}`);
  }
}

/** Checks an NHWC image batch `[N, H, W, C]`, float32; returns its dims. Finiteness is checked on the data. */
export function checkImages(fn: string, x: unknown, arg = 'inputs'): ImageDims & { count: number } {
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${fn}: ${arg} must be a tf.Tensor [N, H, W, C], got ${typeof x}`);
  if (x.rank !== 4) throw new ShapeError(`${fn}: ${arg} must have rank 4 [N, H, W, C], got shape [${x.shape}]`);
  if (x.dtype !== 'float32') throw new ShapeError(`${fn}: ${arg} must be float32, got ${x.dtype}`);
  const [count, height, width, channels] = x.shape as [number, number, number, number];
  if (count < 1 || height < 1 || width < 1 || channels < 1) throw new ShapeError(`${fn}: ${arg} must be non-empty, got shape [${x.shape}]`);
  return { count, height, width, channels };
}

/**
 * Checks an attribution batch against the images: `[N, H, W, C]` (the input's shape) or
 * `[N, H, W, 1]`; `[N, H, W]` is accepted as one channel.
 */
export function checkMapShape(fn: string, a: unknown, count: number, height: number, width: number, channels: number | undefined, arg = 'attributions'): void {
  if (!(a instanceof tf.Tensor)) throw new ShapeError(`${fn}: ${arg} must be a tf.Tensor, got ${typeof a}`);
  const s = a.shape;
  const okHead = s[0] === count && s[1] === height && s[2] === width;
  const okTail = a.rank === 3 || (a.rank === 4 && (s[3] === 1 || channels === undefined || s[3] === channels));
  if (!okHead || !okTail || a.rank < 3 || a.rank > 4) {
    const want = channels === undefined ? `[${count}, ${height}, ${width}, C]` : `[${count}, ${height}, ${width}, ${channels}] or [${count}, ${height}, ${width}, 1]`;
    throw new ShapeError(`${fn}: ${arg} must have shape ${want}, got [${s}]`);
  }
  if (a.dtype !== 'float32' && a.dtype !== 'int32' && a.dtype !== 'bool') throw new ShapeError(`${fn}: ${arg} must be float32, got ${a.dtype}`);
}

/** Checks a positive integer option (`batchSize`, counts). */
export function checkInt(fn: string, name: string, v: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidValueError(`${fn}: ${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${show(v)}`);
  }
  return v;
}

/** Checks a finite number option within `[lo, hi]`. */
export function checkNumber(fn: string, name: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new InvalidValueError(`${fn}: ${name} must be a finite number in [${lo}, ${hi}], got ${show(v)}`);
  }
  return v;
}

/** Checks a boolean option. */
export function checkBool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${name} must be a boolean, got ${show(v)}`);
  return v;
}

/** Checks a string option against its choices. */
export function checkChoice<T extends string>(fn: string, name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new InvalidValueError(`${fn}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** Checks a seed option. */
export function checkSeed(fn: string, v: unknown): number {
  return checkNumber(fn, 'seed', v);
}

/**
 * Checks a ratio schedule: a non-empty list of numbers in `[lo, hi]`, strictly monotone in the
 * given direction.
 */
export function checkSchedule(fn: string, name: string, v: unknown, direction: 'increasing' | 'decreasing', lo = 0, hi = 1): number[] {
  if (!Array.isArray(v) && !(v instanceof Float64Array) && !(v instanceof Float32Array)) {
    throw new InvalidValueError(`${fn}: ${name} must be an array of numbers, got ${typeof v}`);
  }
  const a = Array.from(v as ArrayLike<number>);
  if (a.length === 0) throw new InvalidValueError(`${fn}: ${name} must not be empty`);
  for (let i = 0; i < a.length; i++) {
    const r = a[i];
    if (typeof r !== 'number' || !Number.isFinite(r) || r < lo || r > hi) {
      throw new InvalidValueError(`${fn}: ${name}[${i}] must be a number in [${lo}, ${hi}], got ${show(r)}`);
    }
    if (i > 0 && (direction === 'increasing' ? r <= a[i - 1] : r >= a[i - 1])) {
      throw new InvalidValueError(`${fn}: ${name} must be strictly ${direction}, got ${a[i - 1]} then ${r}`);
    }
  }
  return a;
}

/** Throws when any value of a host array is NaN or infinite, naming the sample. */
export function checkFinite(fn: string, arg: string, data: ArrayLike<number>, perSample: number): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InvalidValueError(`${fn}: ${arg} must be finite, got ${data[i]} in sample ${Math.floor(i / perSample)}`);
    }
  }
}

/**
 * Resolves a `target` option (one class index for every sample, or one per sample) against the
 * number of outputs `k`; `undefined` means the given default (usually the predicted class).
 */
export function resolveClasses(fn: string, target: unknown, count: number, k: number, fallback: Int32Array, name = 'target'): Int32Array {
  if (target === undefined) return fallback;
  let idx: number[];
  if (typeof target === 'number') idx = new Array<number>(count).fill(target);
  else if (Array.isArray(target) || target instanceof Int32Array) idx = Array.from(target as ArrayLike<number>);
  else throw new InvalidValueError(`${fn}: ${name} must be a class index or one index per sample, got ${typeof target}`);
  if (idx.length !== count) throw new InvalidValueError(`${fn}: ${name} must have one index per sample (${count}), got ${idx.length}`);
  for (const t of idx) {
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new InvalidValueError(`${fn}: ${name} must hold integers in [0, ${k}), got ${show(t)}`);
  }
  return Int32Array.from(idx);
}
