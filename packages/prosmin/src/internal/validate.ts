/**
 * Argument checks shared by the public functions of `@lab/prosmin`. Not exported from the package.
 * Messages read "`<function>`: `<argument>` must be `<expected>`, got `<actual>`".
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, checkOptions } from '@lab/tensor';

export { checkOptions };

/** A short printable form of any value, for error messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v instanceof tf.Tensor) return `tf.Tensor of shape [${v.shape}]`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/** Throws unless `v` is an integer ≥ `min`. */
export function checkInt(fn: string, arg: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new InvalidValueError(`${fn}: ${arg} must be ${what}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number in `[lo, hi]` (open ends with `open`). */
export function checkNumber(
  fn: string,
  arg: string,
  v: unknown,
  lo = -Infinity,
  hi = Infinity,
  open: { lo?: boolean; hi?: boolean } = {},
): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (open.lo ? v > lo : v >= lo) &&
    (open.hi ? v < hi : v <= hi);
  if (!ok) {
    const l = lo === -Infinity ? '(-∞' : `${open.lo ? '(' : '['}${lo}`;
    const h = hi === Infinity ? '∞)' : `${hi}${open.hi ? ')' : ']'}`;
    const range = lo === -Infinity && hi === Infinity ? 'a finite number' : `a finite number in ${l}, ${h}`;
    throw new InvalidValueError(`${fn}: ${arg} must be ${range}, got ${show(v)}`);
  }
  return v as number;
}

/** Throws unless `v` is a probability in [0, 1]. */
export function checkProbability(fn: string, arg: string, v: unknown): number {
  return checkNumber(fn, arg, v, 0, 1);
}

/** Throws unless `v` is a boolean. */
export function checkBool(fn: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${arg} must be a boolean, got ${show(v)}`);
  return v;
}

/** Throws unless `v` is one of `choices`. */
export function checkChoice<T extends string>(fn: string, arg: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new InvalidValueError(`${fn}: ${arg} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** Throws unless `v` is a pair `[lo, hi]` of finite numbers with `min ≤ lo ≤ hi ≤ max`. */
export function checkRange(fn: string, arg: string, v: unknown, min = -Infinity, max = Infinity): [number, number] {
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    !v.every((e) => typeof e === 'number' && Number.isFinite(e)) ||
    !(v[0] <= v[1]) ||
    v[0] < min ||
    v[1] > max
  ) {
    throw new InvalidValueError(`${fn}: ${arg} must be a pair [lo, hi] with ${min} <= lo <= hi <= ${max}, got ${show(v)}`);
  }
  return [v[0], v[1]];
}

/** Throws unless `v` is a float32 tensor of rank `rank` (or one of several ranks). */
export function checkTensor(fn: string, arg: string, v: unknown, rank?: number | readonly number[]): tf.Tensor {
  if (!(v instanceof tf.Tensor)) throw new ShapeError(`${fn}: ${arg} must be a tf.Tensor, got ${show(v)}`);
  if (v.isDisposed) throw new InvalidValueError(`${fn}: ${arg} must not be disposed`);
  if (v.dtype !== 'float32') throw new ShapeError(`${fn}: ${arg} must be float32, got dtype ${v.dtype}`);
  if (rank !== undefined) {
    const ranks = typeof rank === 'number' ? [rank] : rank;
    if (!ranks.includes(v.rank)) {
      throw new ShapeError(`${fn}: ${arg} must have rank ${ranks.join(' or ')}, got shape [${v.shape}]`);
    }
  }
  return v;
}

/** Throws unless `v` is an NHWC float32 image batch `[n, h, w, c]` with at least one image. */
export function checkImages(fn: string, arg: string, v: unknown): tf.Tensor4D {
  const t = checkTensor(fn, arg, v, 4);
  if (t.shape.some((d) => d === 0)) throw new ShapeError(`${fn}: ${arg} must not be empty, got shape [${t.shape}]`);
  return t as tf.Tensor4D;
}

/** Throws unless `v` holds `n` integer labels in [0, numClasses) (numClasses optional); returns an Int32Array copy. */
export function checkLabels(fn: string, arg: string, v: unknown, n: number, numClasses?: number): Int32Array {
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number' || v instanceof tf.Tensor) {
    throw new InvalidValueError(`${fn}: ${arg} must be an array of integer labels, got ${show(v)}`);
  }
  const a = v as ArrayLike<number>;
  if (a.length !== n) throw new ShapeError(`${fn}: ${arg} must have length ${n}, got ${a.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = a[i];
    if (!Number.isInteger(l) || l < 0 || (numClasses !== undefined && l >= numClasses)) {
      const range = numClasses === undefined ? 'a non-negative integer' : `an integer in [0, ${numClasses})`;
      throw new InvalidValueError(`${fn}: ${arg}[${i}] must be ${range}, got ${show(l)}`);
    }
    out[i] = l;
  }
  return out;
}

/** Throws unless `v` is an array-like of finite numbers; returns a Float64Array copy. */
export function checkFiniteArray(fn: string, arg: string, v: unknown, minLength = 1): Float64Array {
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number' || v instanceof tf.Tensor) {
    throw new InvalidValueError(`${fn}: ${arg} must be an array of numbers, got ${show(v)}`);
  }
  const a = v as ArrayLike<number>;
  if (a.length < minLength) throw new InvalidValueError(`${fn}: ${arg} must hold at least ${minLength} value(s), got ${a.length}`);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidValueError(`${fn}: ${arg}[${i}] must be a finite number, got ${show(x)}`);
    out[i] = x;
  }
  return out;
}

/** A seed option: a finite number. */
export function checkSeed(fn: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${show(v)}`);
  return v;
}

/** A generator option: an `Rng`. */
export function checkRng(fn: string, v: unknown): Rng {
  if (!(v instanceof Rng)) throw new InvalidValueError(`${fn}: rng must be an Rng, got ${show(v)}`);
  return v;
}

/** Mixes two integers into a 32-bit seed (splitmix-style), for per-step and per-epoch streams. */
export function mixSeed(a: number, b: number): number {
  let x = (Math.imul((a >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b >>> 0) + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
