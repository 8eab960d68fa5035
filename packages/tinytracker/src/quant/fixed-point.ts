/**
 * TFLite's fixed-point requantisation (`tensorflow/lite/kernels/internal/common.h`,
 * `quantization_util.cc`, gemmlowp's `fixedpoint.h`), in exact integer arithmetic on JS numbers.
 * @packageDocumentation
 */
import { InvalidValueError, invariant } from '@lab/tensor';

const TWO_31 = 2 ** 31;
const INT32_MIN = -TWO_31;
const INT32_MAX = TWO_31 - 1;

/** A real multiplier as TFLite stores it: `multiplier · 2^(shift − 31)`. @category Quantisation */
export interface QuantizedMultiplier {
  /** Q31 mantissa in [2³⁰, 2³¹), or 0 for a zero (or negligible) multiplier. */
  readonly multiplier: number;
  /** Power-of-two exponent; positive shifts left, negative right. */
  readonly shift: number;
}

/** Rounds half away from zero, as `std::round` / `TfLiteRound`. @internal */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) || 0 : Math.floor(x + 0.5);
}

/** `std::frexp`: `x = m · 2^e` with `|m|` in [0.5, 1). */
function frexp(x: number): [number, number] {
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let m = x * 2 ** -e;
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  return [m, e];
}

/**
 * Decomposes a real multiplier into TFLite's Q31 mantissa and shift, as `QuantizeMultiplier`.
 *
 * `q·2^e = real` with `q ∈ [0.5, 1)` (frexp); `multiplier = round(q·2³¹)` (half away from zero),
 * renormalised when it rounds up to 2³¹; a shift below −31 gives (0, 0).
 * @param real - the multiplier, a finite number ≥ 0 (`s_in·s_w / s_out` for a convolution)
 * @returns the mantissa and shift (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a negative or non-finite value
 * @see tensorflow/lite/kernels/internal/quantization_util.cc (`QuantizeMultiplier`)
 * @example
 * ```ts
 * quantizeMultiplier(0.75); // { multiplier: 1610612736, shift: 0 }   (0.75·2³¹)
 * quantizeMultiplier(0.1);  // { multiplier: 1717986918, shift: -3 }
 * ```
 * @category Quantisation
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (typeof real !== 'number' || !Number.isFinite(real) || real < 0) {
    throw new InvalidValueError(`quantizeMultiplier: real must be a finite number >= 0, got ${String(real)}`);
  }
  if (real === 0) return { multiplier: 0, shift: 0 };
  let [q, shift] = frexp(real);
  let fixed = roundHalfAway(q * TWO_31);
  invariant(fixed <= TWO_31, 'the Q31 mantissa is at most 2^31');
  if (fixed === TWO_31) {
    fixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  invariant(fixed <= INT32_MAX, 'the Q31 mantissa fits in int32');
  return { multiplier: fixed, shift };
}

/**
 * gemmlowp's `SaturatingRoundingDoublingHighMul(a, b)` for int32 `a` and `b ≥ 0`: the high 32
 * bits of `2ab` with rounding, `trunc((ab + nudge) / 2³¹)` where `nudge = 2³⁰` for `ab ≥ 0` and
 * `1 − 2³⁰` otherwise. Exact: `ab` is handled in two parts below 2⁴⁸.
 * @internal
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  invariant(Number.isInteger(a) && a >= INT32_MIN && a <= INT32_MAX, `int32 operand, got ${a}`);
  invariant(Number.isInteger(b) && b >= 0 && b <= INT32_MAX, `multiplier in [0, 2^31), got ${b}`);
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536;
  const hi = a * bh; // |hi| < 2^46, exact
  const lo = a * bl; // |lo| < 2^47, exact
  const nudge = a >= 0 ? 2 ** 30 : 1 - 2 ** 30; // sign(ab) = sign(a) for b > 0; b = 0 gives 0 either way
  const hq = Math.floor(hi / 32768);
  const rest = (hi - hq * 32768) * 65536 + lo + nudge; // exact, |rest| < 2^49
  const restQ = Math.floor(rest / TWO_31);
  const floorValue = hq + restQ; // floor((ab + nudge) / 2^31)
  const remainder = rest - restQ * TWO_31;
  return floorValue < 0 && remainder !== 0 ? floorValue + 1 : floorValue; // C++ division truncates
}

/**
 * gemmlowp's `RoundingDivideByPOT(x, e)`: `x / 2^e` rounded half away from zero, with int32 bit
 * operations as the reference (`mask = 2^e − 1`, `threshold = mask >> 1` plus one for negative x).
 * @internal
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  invariant(Number.isInteger(exponent) && exponent >= 0 && exponent <= 31, `exponent in [0, 31], got ${exponent}`);
  const mask = (2 ** exponent - 1) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * Multiplies an int32 accumulator by a quantised multiplier with TFLite's double rounding, as
 * `MultiplyByQuantizedMultiplier(x, multiplier, shift)`:
 * `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x·2^max(shift,0), multiplier), max(−shift,0))`.
 *
 * Approximately `x · multiplier · 2^(shift − 31)`: the product is rounded half up at 2⁻³¹,
 * then half away from zero at the right shift.
 * @param x - int32 accumulator
 * @param multiplier - Q31 mantissa from {@link quantizeMultiplier}
 * @param shift - its shift
 * @returns the rescaled integer
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `x·2^shift` leaves int32 or an argument is not an integer
 * @see tensorflow/lite/kernels/internal/common.h (`MultiplyByQuantizedMultiplier`)
 * @example
 * ```ts
 * const { multiplier, shift } = quantizeMultiplier(0.1);
 * multiplyByQuantizedMultiplier(25, multiplier, shift); // 3  (2.5 rounds away from zero)
 * ```
 * @category Quantisation
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const fn = 'multiplyByQuantizedMultiplier';
  if (!Number.isInteger(x) || x < INT32_MIN || x > INT32_MAX) throw new InvalidValueError(`${fn}: x must be an int32, got ${x}`);
  if (!Number.isInteger(multiplier) || multiplier < 0 || multiplier > INT32_MAX) {
    throw new InvalidValueError(`${fn}: multiplier must be an integer in [0, 2^31), got ${multiplier}`);
  }
  if (!Number.isInteger(shift) || shift < -31 || shift > 30) throw new InvalidValueError(`${fn}: shift must be an integer in [-31, 30], got ${shift}`);
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = x * 2 ** left;
  if (shifted < INT32_MIN || shifted > INT32_MAX) throw new InvalidValueError(`${fn}: x·2^shift must stay in int32, got ${shifted}`);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}
