import { InvalidValueError, checkOptions } from '../errors';

/** Options of {@link formatCount}. @category Profiler */
export interface FormatCountOptions {
  /**
   * Digits after the decimal point once a unit prefix is used.
   * @defaultValue 2 (as the NTIRE and pruning tables print M and G)
   */
  digits?: number;
}

/** Defaults of {@link formatCount}. @category Profiler */
export const FORMAT_COUNT_DEFAULTS: Readonly<Required<FormatCountOptions>> = Object.freeze({
  /** Default of {@link FormatCountOptions.digits}. */
  digits: 2,
});

const UNITS: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/**
 * Formats a count (parameters, MACs, FLOPs, activations) with a decimal unit prefix.
 *
 * n ≥ 10¹² prints as T, ≥ 10⁹ as G, ≥ 10⁶ as M, ≥ 10³ as K, each with `digits` decimals
 * (e.g. 125,485,696 → `'125.49 M'`); counts below 1000 print as rounded integers. When rounding
 * carries into the next unit, that unit is used: 999,999 prints as `'1.00 M'`, not `'1000.00 K'`.
 * @param n - the count; any finite number (negative numbers keep their sign)
 * @returns the formatted string
 * @throws InvalidValueError when `n` is not finite, or `digits` is not an integer in 0..10
 * @example
 * ```ts
 * formatCount(853018);      // '853.02 K'
 * formatCount(58.53e9);     // '58.53 G'
 * ```
 * @category Profiler
 */
export function formatCount(n: number, options?: FormatCountOptions): string {
  checkOptions('formatCount', options, Object.keys(FORMAT_COUNT_DEFAULTS));
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new InvalidValueError(`formatCount: n must be a finite number, got ${String(n)}`);
  }
  const digits = options?.digits ?? FORMAT_COUNT_DEFAULTS.digits;
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) {
    throw new InvalidValueError(`formatCount: digits must be an integer in 0..10, got ${String(digits)}`);
  }
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  // UNITS is sorted from largest to smallest; pick the largest unit not above |n|.
  const i = UNITS.findIndex(([scale]) => a >= scale);
  if (i >= 0) {
    const [scale, unit] = UNITS[i];
    const text = (a / scale).toFixed(digits);
    if (Number(text) >= 1000 && i > 0) {
      // Rounding carried into the next unit (999,999 → 1000.00 K): use that unit.
      return `${sign}${(a / UNITS[i - 1][0]).toFixed(digits)} ${UNITS[i - 1][1]}`;
    }
    return `${sign}${text} ${unit}`;
  }
  return `${sign}${Math.round(a)}`;
}
