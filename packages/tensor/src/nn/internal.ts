/**
 * Argument checks and small tensor helpers shared by the layers of `nn`. Not exported from the
 * package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '../errors';
import { Rng, getGlobalRng } from '../random/rng';

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

/** Throws unless `v` is a finite number (optionally within [lo, hi]). */
export function checkNumber(fn: string, arg: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    const range =
      lo === -Infinity && hi === Infinity ? 'a finite number' : hi === Infinity ? `a finite number >= ${lo}` : `a number in [${lo}, ${hi}]`;
    throw new InvalidValueError(`${fn}: ${arg} must be ${range}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a boolean. */
export function checkBool(fn: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${arg} must be a boolean, got ${show(v)}`);
  return v;
}

/** A number or a pair of integers ≥ `min`, as `[height, width]`. */
export function intPair(fn: string, arg: string, v: unknown, min = 1): [number, number] {
  if (typeof v === 'number') {
    checkInt(fn, arg, v, min);
    return [v, v];
  }
  if (Array.isArray(v) && v.length === 2) {
    const what = min === 1 ? 'positive integers' : 'non-negative integers';
    if (v.every((e) => typeof e === 'number' && Number.isInteger(e) && e >= min)) return [v[0], v[1]];
    throw new InvalidValueError(`${fn}: ${arg} must be an integer or a pair of ${what}, got ${show(v)}`);
  }
  throw new InvalidValueError(`${fn}: ${arg} must be an integer or a pair [h, w], got ${show(v)}`);
}

/** Explicit zero padding `[[top, bottom], [left, right]]`. */
export type Pads = [[number, number], [number, number]];

/** A non-negative number, `[ph, pw]` or `[[top, bottom], [left, right]]`, to explicit pads. */
export function explicitPads(fn: string, arg: string, v: unknown): Pads {
  if (typeof v === 'number' || (Array.isArray(v) && v.length === 2 && v.every((e) => typeof e === 'number'))) {
    const [ph, pw] = intPair(fn, arg, v, 0);
    return [
      [ph, ph],
      [pw, pw],
    ];
  }
  if (
    Array.isArray(v) &&
    v.length === 2 &&
    v.every((p) => Array.isArray(p) && p.length === 2 && p.every((e) => typeof e === 'number' && Number.isInteger(e) && e >= 0))
  ) {
    return [
      [v[0][0], v[0][1]],
      [v[1][0], v[1][1]],
    ];
  }
  throw new InvalidValueError(
    `${fn}: ${arg} must be a non-negative integer, [ph, pw] or [[top, bottom], [left, right]], got ${show(v)}`,
  );
}

/** Checks that `x` is a tensor of rank ≥ `minRank`. */
export function checkMinRank(layer: string, x: unknown, minRank: number, arg = 'x'): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${layer}: ${arg} must be a tf.Tensor, got ${show(x)}`);
  if (x.rank < minRank) throw new ShapeError(`${layer}: ${arg} must have rank >= ${minRank}, got shape [${x.shape}]`);
}

/** Checks that a tensor is floating point (layers compute in float32). */
export function checkFloat(layer: string, x: tf.Tensor, arg = 'x'): void {
  if (x.dtype !== 'float32') throw new ShapeError(`${layer}: ${arg} must have dtype float32, got ${x.dtype}`);
}

/**
 * Applies a linear map along axis 1 (height) or 2 (width) of an NHWC tensor:
 * `y[n, i, w, c] = Σ_h m[i, h] · x[n, h, w, c]` for axis 1, where `m` is `rows × cols`
 * (row-major) with `cols` equal to the size of that axis. Uses transposes and a 2-D matMul, so it
 * is differentiable on every backend.
 */
export function applyAxisMatrix(x: tf.Tensor4D, m: Float32Array, rows: number, axis: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const cols = axis === 1 ? h : w;
    const mt = tf.transpose(tf.tensor2d(m, [rows, cols]));
    if (axis === 1) {
      const t = tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [n * w * c, h]);
      const y = tf.reshape(tf.matMul(t, mt), [n, w, c, rows]);
      return tf.transpose(y, [0, 3, 1, 2]) as tf.Tensor4D;
    }
    const t = tf.reshape(tf.transpose(x, [0, 1, 3, 2]), [n * h * c, w]);
    const y = tf.reshape(tf.matMul(t, mt), [n, h, c, rows]);
    return tf.transpose(y, [0, 1, 3, 2]) as tf.Tensor4D;
  });
}

/** The given generator, or the global one when undefined; throws if it is not an {@link Rng}. */
export function checkRng(fn: string, rng: unknown): Rng {
  if (rng === undefined) return getGlobalRng();
  if (!(rng instanceof Rng)) throw new InvalidValueError(`${fn}: rng must be an Rng, got ${show(rng)}`);
  return rng;
}

/** PyTorch's pooling output size along one axis; throws if it is not positive. */
export function poolOutSize(
  layer: string,
  shape: readonly number[],
  n: number,
  k: number,
  s: number,
  p: number,
  ceil: boolean,
): number {
  const span = n + 2 * p - k;
  if (span < 0) {
    throw new ShapeError(`${layer}: x must be at least as large as the window after padding, got shape [${shape}]`);
  }
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + p) out -= 1;
  return out;
}

/** PyTorch's rule: padding at most half the kernel size. */
export function checkHalfKernel(fn: string, padding: [number, number], kernel: [number, number]): void {
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new InvalidValueError(`${fn}: padding must be at most half the kernel size [${kernel}], got [${padding}]`);
  }
}

/** Python-style index check: returns the non-negative index. */
export function checkIndex(fn: string, i: number, length: number): number {
  if (typeof i !== 'number' || !Number.isInteger(i) || i >= length || i < -length) {
    throw new InvalidValueError(`${fn}: index must be an integer in [${-length}, ${length - 1}], got ${show(i)}`);
  }
  return i < 0 ? i + length : i;
}
