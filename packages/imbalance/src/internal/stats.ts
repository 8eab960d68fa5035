/**
 * Small statistics on plain arrays (internal).
 * @packageDocumentation
 */

/** Mean and population standard deviation (NumPy `np.std`, ddof = 0); NaN for an empty list. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}

/**
 * The q-quantile with linear interpolation between order statistics, as NumPy's `np.quantile`
 * and `torch.quantile` by default: position `q·(n − 1)` in the sorted values.
 * `sorted` must be sorted ascending and non-empty.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** {@link quantileSorted} of an unsorted list (copied, then sorted). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  return quantileSorted(s, q);
}
