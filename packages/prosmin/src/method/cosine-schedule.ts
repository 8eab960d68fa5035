/**
 * DINO's per-iteration cosine schedule with linear warm-up.
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';
import { checkInt, checkNumber, checkOptions } from '../internal/validate';

/** Options of {@link cosineSchedule}. @category Method */
export interface CosineScheduleOptions {
  /** Steps of linear warm-up from `warmupStart` to `base`. @defaultValue 0 */
  warmupSteps?: number;
  /** First value of the warm-up. @defaultValue 0 */
  warmupStart?: number;
}

/**
 * Returns the value of a cosine schedule at every step, as DINO's `utils.cosine_scheduler`.
 *
 * Steps `k < W` (warm-up) take `linspace(warmupStart, base, W)[k]`; the others take
 * `final + ½(base − final)(1 + cos(π·i/(T − W)))` with `i = k − W`, so the last value is just
 * short of `final`. Used for the learning rate, the weight decay and the EMA momentum.
 * @param base - value after warm-up
 * @param final - value approached at the end
 * @param totalSteps - T, the number of steps
 * @param options - see {@link CosineScheduleOptions}
 * @returns `T` values
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-finite values, T < 1 or W > T
 * @see facebookresearch/dino `utils.cosine_scheduler`
 * @example
 * ```ts
 * const momentum = cosineSchedule(0.9, 1, 1000); // 0.9 → 1
 * ```
 * @category Method
 */
export function cosineSchedule(base: number, final: number, totalSteps: number, options: CosineScheduleOptions = {}): Float64Array {
  const fn = 'cosineSchedule';
  checkOptions(fn, options, ['warmupSteps', 'warmupStart']);
  checkNumber(fn, 'base', base);
  checkNumber(fn, 'final', final);
  checkInt(fn, 'totalSteps', totalSteps);
  const warmup = checkInt(fn, 'warmupSteps', options.warmupSteps ?? 0, 0);
  const start = checkNumber(fn, 'warmupStart', options.warmupStart ?? 0);
  if (warmup > totalSteps) throw new InvalidValueError(`${fn}: warmupSteps must be <= totalSteps (${totalSteps}), got ${warmup}`);
  const out = new Float64Array(totalSteps);
  for (let k = 0; k < warmup; k++) out[k] = warmup === 1 ? start : start + ((base - start) * k) / (warmup - 1);
  const rest = totalSteps - warmup;
  for (let i = 0; i < rest; i++) out[warmup + i] = final + 0.5 * (base - final) * (1 + Math.cos((Math.PI * i) / rest));
  return out;
}
