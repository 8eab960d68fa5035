/**
 * Seeded weight initialisers with the formulas of `torch.nn.init`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '../errors';
import type { Rng } from '../random/rng';
import { checkNumber, checkRng, show } from './internal';

/** Options shared by the Kaiming initialisers. @category Init */
export interface KaimingOptions {
  /**
   * Negative slope of the leaky ReLU that follows the layer; the gain is `√(2 / (1 + a²))`.
   * `a = √5` gives PyTorch's default layer initialisation, `U(±1/√fanIn)`.
   * @defaultValue 0 (plain ReLU, as `torch.nn.init.kaiming_uniform_`)
   */
  a?: number;
  /** Generator to draw from. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Options shared by the Xavier (Glorot) initialisers. @category Init */
export interface XavierOptions {
  /** Scaling factor of the standard deviation. @defaultValue 1 (as `torch.nn.init.xavier_uniform_`) */
  gain?: number;
  /** Generator to draw from. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Options of {@link truncNormal}. @category Init */
export interface TruncNormalOptions {
  /** Mean of the untruncated normal. @defaultValue 0 */
  mean?: number;
  /** Standard deviation of the untruncated normal. @defaultValue 1 */
  std?: number;
  /** Lower bound (absolute, not in standard deviations, as PyTorch). @defaultValue -2 */
  a?: number;
  /** Upper bound (absolute). @defaultValue 2 */
  b?: number;
  /** Generator to draw from. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/**
 * Defaults of {@link truncNormal}, those of `torch.nn.init.trunc_normal_` (mean 0, std 1,
 * bounds [-2, 2]).
 * @category Init
 */
export const TRUNC_NORMAL_DEFAULTS = Object.freeze({
  /** Default of {@link TruncNormalOptions.mean}. */
  mean: 0,
  /** Default of {@link TruncNormalOptions.std}. */
  std: 1,
  /** Default of {@link TruncNormalOptions.a}. */
  a: -2,
  /** Default of {@link TruncNormalOptions.b}. */
  b: 2,
});

/** Fan-in and fan-out of a weight, see {@link computeFans}. @category Init */
export interface Fans {
  /** Inputs feeding each output: `in_channels/groups × kh × kw` for a convolution. */
  fanIn: number;
  /** Outputs fed by each input: `out_channels × kh × kw` for a convolution. */
  fanOut: number;
}

/**
 * Computes the fan-in and fan-out of a weight given its **PyTorch** shape, as
 * `torch.nn.init._calculate_fan_in_and_fan_out`.
 *
 * For a shape `[o, i, ...k]`: `fanIn = i · Πk`, `fanOut = o · Πk` (a linear weight `[out, in]`
 * has no receptive field).
 * @param torchShape - the shape in PyTorch layout (OIHW for convolutions, `[out, in]` for linear)
 * @returns the two fans
 * @throws {@link InvalidValueError} if the shape has rank < 2 or a non-integer dimension
 * @example
 * ```ts
 * computeFans([64, 32, 3, 3]); // { fanIn: 288, fanOut: 576 }
 * ```
 * @category Init
 */
export function computeFans(torchShape: readonly number[]): Fans {
  checkShape('computeFans', torchShape);
  if (torchShape.length < 2) {
    throw new InvalidValueError(`computeFans: torchShape must have rank >= 2, got [${torchShape}]`);
  }
  let receptive = 1;
  for (const d of torchShape.slice(2)) receptive *= d;
  return { fanIn: torchShape[1] * receptive, fanOut: torchShape[0] * receptive };
}

/**
 * Draws a tensor from `U(-bound, bound)` with `bound = gain · √(3 / fanIn)` and
 * `gain = √(2 / (1 + a²))`, as `torch.nn.init.kaiming_uniform_` in `fan_in` mode.
 *
 * Pass the fan-out as `fanIn` to get PyTorch's `mode='fan_out'`.
 * @param shape - shape of the result (any layout; draws are i.i.d.)
 * @param fanIn - the fan used for scaling, a positive integer (see {@link computeFans})
 * @param options - see {@link KaimingOptions}
 * @returns a new float32 tensor; the caller disposes it
 * @throws {@link InvalidValueError} on a bad shape, fan, `a` or unknown option
 * @see He et al. 2015, arXiv:1502.01852; `torch.nn.init.kaiming_uniform_`
 * @example
 * ```ts
 * const w = kaimingUniform([3, 3, 16, 32], 16 * 9, { a: Math.sqrt(5), rng: new Rng(1) });
 * ```
 * @category Init
 */
export function kaimingUniform(shape: number[], fanIn: number, options: KaimingOptions = {}): tf.Tensor {
  const { std, rng } = kaimingStd('kaimingUniform', shape, fanIn, options);
  const bound = Math.sqrt(3) * std;
  return tf.tensor(rng.uniform(sizeOf(shape), -bound, bound), shape, 'float32');
}

/**
 * Draws a tensor from `N(0, std²)` with `std = gain / √fanIn` and `gain = √(2 / (1 + a²))`, as
 * `torch.nn.init.kaiming_normal_` in `fan_in` mode.
 * @param shape - shape of the result
 * @param fanIn - the fan used for scaling, a positive integer
 * @param options - see {@link KaimingOptions}
 * @returns a new float32 tensor; the caller disposes it
 * @throws {@link InvalidValueError} on a bad shape, fan, `a` or unknown option
 * @see He et al. 2015, arXiv:1502.01852; `torch.nn.init.kaiming_normal_`
 * @example
 * ```ts
 * const w = kaimingNormal([3, 3, 16, 32], 16 * 9, { rng: new Rng(1) });
 * ```
 * @category Init
 */
export function kaimingNormal(shape: number[], fanIn: number, options: KaimingOptions = {}): tf.Tensor {
  const { std, rng } = kaimingStd('kaimingNormal', shape, fanIn, options);
  return tf.tensor(rng.normal(sizeOf(shape), 0, std), shape, 'float32');
}

/**
 * Draws a tensor from `U(-bound, bound)` with `bound = gain · √(6 / (fanIn + fanOut))`, as
 * `torch.nn.init.xavier_uniform_`.
 * @param shape - shape of the result
 * @param fanIn - fan-in, a positive integer
 * @param fanOut - fan-out, a positive integer
 * @param options - see {@link XavierOptions}
 * @returns a new float32 tensor; the caller disposes it
 * @throws {@link InvalidValueError} on a bad shape, fan, gain or unknown option
 * @see Glorot & Bengio 2010; `torch.nn.init.xavier_uniform_`
 * @example
 * ```ts
 * const w = xavierUniform([128, 64], 128, 64, { rng: new Rng(1) });
 * ```
 * @category Init
 */
export function xavierUniform(shape: number[], fanIn: number, fanOut: number, options: XavierOptions = {}): tf.Tensor {
  const { std, rng } = xavierStd('xavierUniform', shape, fanIn, fanOut, options);
  const bound = Math.sqrt(3) * std;
  return tf.tensor(rng.uniform(sizeOf(shape), -bound, bound), shape, 'float32');
}

/**
 * Draws a tensor from `N(0, std²)` with `std = gain · √(2 / (fanIn + fanOut))`, as
 * `torch.nn.init.xavier_normal_`.
 * @param shape - shape of the result
 * @param fanIn - fan-in, a positive integer
 * @param fanOut - fan-out, a positive integer
 * @param options - see {@link XavierOptions}
 * @returns a new float32 tensor; the caller disposes it
 * @throws {@link InvalidValueError} on a bad shape, fan, gain or unknown option
 * @see Glorot & Bengio 2010; `torch.nn.init.xavier_normal_`
 * @example
 * ```ts
 * const w = xavierNormal([128, 64], 128, 64, { gain: 0.1 });
 * ```
 * @category Init
 */
export function xavierNormal(shape: number[], fanIn: number, fanOut: number, options: XavierOptions = {}): tf.Tensor {
  const { std, rng } = xavierStd('xavierNormal', shape, fanIn, fanOut, options);
  return tf.tensor(rng.normal(sizeOf(shape), 0, std), shape, 'float32');
}

/**
 * Draws a tensor from a normal `N(mean, std²)` truncated to `[a, b]` (absolute bounds), as
 * `torch.nn.init.trunc_normal_`, by rejection sampling.
 * @param shape - shape of the result
 * @param options - see {@link TruncNormalOptions}; defaults in {@link TRUNC_NORMAL_DEFAULTS}
 * @returns a new float32 tensor with every value in `[a, b]`; the caller disposes it
 * @throws {@link InvalidValueError} on a bad shape, `std <= 0`, `a >= b` or an unknown option
 * @see `torch.nn.init.trunc_normal_`
 * @example
 * ```ts
 * const pos = truncNormal([1, 64, 192], { std: 0.02, a: -0.04, b: 0.04 });
 * ```
 * @category Init
 */
export function truncNormal(shape: number[], options: TruncNormalOptions = {}): tf.Tensor {
  const fn = 'truncNormal';
  checkOptions(fn, options, ['mean', 'std', 'a', 'b', 'rng']);
  checkShape(fn, shape);
  const mean = checkNumber(fn, 'mean', options.mean ?? TRUNC_NORMAL_DEFAULTS.mean);
  const std = checkNumber(fn, 'std', options.std ?? TRUNC_NORMAL_DEFAULTS.std);
  if (!(std > 0)) throw new InvalidValueError(`${fn}: std must be > 0, got ${std}`);
  const a = checkNumber(fn, 'a', options.a ?? TRUNC_NORMAL_DEFAULTS.a);
  const b = checkNumber(fn, 'b', options.b ?? TRUNC_NORMAL_DEFAULTS.b);
  if (!(a < b)) throw new InvalidValueError(`${fn}: a must be < b, got a=${a} b=${b}`);
  const rng = checkRng(fn, options.rng);
  return tf.tensor(rng.truncatedNormal(sizeOf(shape), mean, std, a, b), shape, 'float32');
}

/**
 * Draws a tensor from `U(lo, hi)`, as `torch.nn.init.uniform_` (values in `[lo, hi)`).
 * @param shape - shape of the result
 * @param lo - lower bound, finite
 * @param hi - upper bound, finite and ≥ `lo`
 * @param rng - generator to draw from; `getGlobalRng()` by default
 * @returns a new float32 tensor; the caller disposes it
 * @throws {@link InvalidValueError} on a bad shape or bounds
 * @example
 * ```ts
 * const b = uniform([64], -0.1, 0.1, new Rng(3));
 * ```
 * @category Init
 */
export function uniform(shape: number[], lo: number, hi: number, rng?: Rng): tf.Tensor {
  const fn = 'uniform';
  checkShape(fn, shape);
  checkNumber(fn, 'lo', lo);
  checkNumber(fn, 'hi', hi);
  if (hi < lo) throw new InvalidValueError(`${fn}: hi must be >= lo, got lo=${lo} hi=${hi}`);
  const r = checkRng(fn, rng);
  return tf.tensor(r.uniform(sizeOf(shape), lo, hi), shape, 'float32');
}

function kaimingStd(fn: string, shape: number[], fanIn: number, options: KaimingOptions): { std: number; rng: Rng } {
  checkOptions(fn, options, ['a', 'rng']);
  checkShape(fn, shape);
  checkFan(fn, 'fanIn', fanIn);
  const a = checkNumber(fn, 'a', options.a ?? 0);
  const gain = Math.sqrt(2 / (1 + a * a));
  return { std: gain / Math.sqrt(fanIn), rng: checkRng(fn, options.rng) };
}

function xavierStd(
  fn: string,
  shape: number[],
  fanIn: number,
  fanOut: number,
  options: XavierOptions,
): { std: number; rng: Rng } {
  checkOptions(fn, options, ['gain', 'rng']);
  checkShape(fn, shape);
  checkFan(fn, 'fanIn', fanIn);
  checkFan(fn, 'fanOut', fanOut);
  const gain = checkNumber(fn, 'gain', options.gain ?? 1, 0);
  return { std: gain * Math.sqrt(2 / (fanIn + fanOut)), rng: checkRng(fn, options.rng) };
}

function checkShape(fn: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new InvalidValueError(`${fn}: shape must be an array of non-negative integers, got ${show(shape)}`);
  }
}

function checkFan(fn: string, arg: string, v: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new InvalidValueError(`${fn}: ${arg} must be a positive integer, got ${show(v)}`);
  }
}

function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}
