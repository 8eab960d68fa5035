/**
 * Seeded weighted sampling of indices, with or without replacement.
 * @packageDocumentation
 */
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import { checkBool, checkInt, checkNumber, checkObject, show } from '../internal/checks';

/** Options of {@link weightedSample}. @category Sampling */
export interface WeightedSampleOptions {
  /** Seed of the draws. @defaultValue 0 */
  seed?: number;
  /** Draw with replacement, as PyTorch's `WeightedRandomSampler` by default. @defaultValue true */
  replacement?: boolean;
}

/** Defaults of {@link weightedSample}: with replacement (PyTorch `WeightedRandomSampler`), seed 0. @category Sampling */
export const WEIGHTED_SAMPLE_DEFAULTS = Object.freeze({
  /** Default of {@link WeightedSampleOptions.seed}. */
  seed: 0,
  /** Default of {@link WeightedSampleOptions.replacement}. */
  replacement: true,
});

/**
 * Draws `count` indices of `0…n−1` with probability proportional to `weights`, seeded.
 *
 * With replacement each draw is independent, `P(i) = w_i / Σ w` (inverse CDF with binary search,
 * O(count·log n)); without replacement it is the Efraimidis–Spirakis scheme (the `count` largest
 * keys `u_i^{1/w_i}`), which matches successive draws that renormalise the remaining weights.
 * @param weights - n non-negative finite weights, at least one positive (e.g. the `sampleWeights`
 * of {@link classSamplingWeights})
 * @param count - number of indices to draw; without replacement at most the number of positive weights
 * @param options - seed and replacement
 * @returns the indices, an `Int32Array` of length `count`
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad weights, count or option.
 * @see PyTorch `torch.utils.data.WeightedRandomSampler`; Efraimidis and Spirakis 2006
 * @example
 * ```ts
 * weightedSample([0, 1, 3], 4, { seed: 7 }); // four draws of 1 or 2, 2 three times as often
 * ```
 * @category Sampling
 */
export function weightedSample(weights: ArrayLike<number>, count: number, options: WeightedSampleOptions = {}): Int32Array {
  const fn = 'weightedSample';
  if (weights === null || typeof weights !== 'object' || typeof weights.length !== 'number' || weights.length === 0) {
    throw new InvalidValueError(`${fn}: weights must be a non-empty array of numbers, got ${show(weights)}`);
  }
  checkInt(fn, 'count', count, 0);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['seed', 'replacement']);
  const seed = checkNumber(fn, 'seed', options.seed ?? WEIGHTED_SAMPLE_DEFAULTS.seed);
  const replacement = checkBool(fn, 'replacement', options.replacement ?? WEIGHTED_SAMPLE_DEFAULTS.replacement);
  const n = weights.length;
  let positive = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new InvalidValueError(`${fn}: weights[${i}] must be a finite number >= 0, got ${show(w)}`);
    if (w > 0) positive++;
  }
  if (positive === 0) throw new InvalidValueError(`${fn}: weights must have at least one positive entry`);
  if (!replacement && count > positive) {
    throw new InvalidValueError(`${fn}: count must be <= ${positive} (the positive weights) without replacement, got ${count}`);
  }
  const rng = new Rng(seed);
  const out = new Int32Array(count);
  if (replacement) {
    const cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cdf[i] = acc += weights[i];
    for (let k = 0; k < count; k++) {
      const r = rng.next() * acc;
      let lo = 0;
      let hi = n - 1;
      // First index whose cumulative weight exceeds r (never an index of weight 0).
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] > r) hi = mid;
        else lo = mid + 1;
      }
      out[k] = lo;
    }
    return out;
  }
  const keys: { i: number; key: number }[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (weights[i] > 0) keys.push({ i, key: Math.log(Math.max(u, Number.MIN_VALUE)) / weights[i] });
  }
  keys.sort((a, b) => b.key - a.key || a.i - b.i);
  for (let k = 0; k < count; k++) out[k] = keys[k].i;
  return out;
}
