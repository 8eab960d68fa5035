/**
 * The one seeded pixel ordering shared by masking and by every mass computation.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, checkOptions } from '@lab/tensor';
import { checkChoice, checkSeed } from './checks';
import { mixSeed, STREAM } from './seeds';

/**
 * Sort direction of an ordering: `morf` (most relevant first, descending values) or `lerf`
 * (least relevant first, ascending values).
 * @category Ordering
 */
export type OrderDirection = 'morf' | 'lerf';

/**
 * Indices `0…P−1` sorted by value in the given direction, ties broken by a uniformly random
 * permutation drawn from `rng`. Equivalent to the reference's "random permutation, then stable
 * sort" (sandylaker/soco `get_road_mask_by_area`).
 */
export function rankPixels(values: ArrayLike<number>, direction: OrderDirection, rng: Rng): Int32Array {
  const n = values.length;
  const perm = rng.permutation(n);
  const tie = new Int32Array(n);
  for (let k = 0; k < n; k++) tie[perm[k]] = k;
  const idx = Int32Array.from(perm);
  const sign = direction === 'morf' ? -1 : 1;
  idx.sort((x, y) => {
    const d = sign * (values[x] - values[y]);
    return d !== 0 ? d : tie[x] - tie[y];
  });
  return idx;
}

/** The seeded generator of sample `i`'s ordering (independent of batching). */
export function orderingRng(seed: number, sample: number): Rng {
  return new Rng(mixSeed(seed, STREAM.ordering, sample));
}

/** Options of {@link pixelOrder}. @category Ordering */
export interface PixelOrderOptions {
  /** `morf` (descending) or `lerf` (ascending). @defaultValue 'morf' */
  direction?: OrderDirection;
  /** Seed of the tie-breaking permutations (sample `i` uses a stream derived from `seed` and `i`). @defaultValue 0 */
  seed?: number;
}

/** Defaults of {@link PixelOrderOptions}. @category Ordering */
export const PIXEL_ORDER_DEFAULTS = Object.freeze({
  /** Default of {@link PixelOrderOptions.direction}. */
  direction: 'morf' as OrderDirection,
  /** Default of {@link PixelOrderOptions.seed}. */
  seed: 0,
});

/**
 * The seeded pixel ordering every metric of this package uses: for each sample, the pixel indices
 * `h·W + w` sorted by map value (channels summed), ties broken by a seeded random permutation.
 *
 * `order_i = argsort(a_i)` descending (`morf`) or ascending (`lerf`); equal values are ordered by
 * the position of the pixel in a random permutation `π_i` drawn from `seed` and `i`. Masking and
 * mass computations of a metric read the same ordering, so "the pixels kept" and "the pixels
 * counted" are the same set (the reference draws two separate permutations).
 * @param attributions - maps `[N, H, W, C]` or `[N, H, W, 1]`, finite
 * @param options - see {@link PixelOrderOptions}
 * @returns one `Int32Array` of `H·W` pixel indices per sample (plain arrays, no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a map of rank ≠ 4; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or a bad option
 * @example
 * ```ts
 * const [order] = await pixelOrder(maps, { direction: 'lerf', seed: 1 });
 * ```
 * @category Ordering
 */
export async function pixelOrder(attributions: tf.Tensor, options: PixelOrderOptions = {}): Promise<Int32Array[]> {
  const fn = 'pixelOrder';
  checkOptions(fn, options, ['direction', 'seed']);
  const direction = checkChoice(fn, 'direction', options.direction ?? PIXEL_ORDER_DEFAULTS.direction, ['morf', 'lerf'] as const);
  const seed = checkSeed(fn, options.seed ?? PIXEL_ORDER_DEFAULTS.seed);
  if (!(attributions instanceof tf.Tensor) || attributions.rank !== 4) {
    throw new ShapeError(`${fn}: attributions must be a tf.Tensor [N, H, W, C], got ${attributions instanceof tf.Tensor ? `[${attributions.shape}]` : typeof attributions}`);
  }
  const [n, h, w, c] = attributions.shape as number[];
  const raw = await attributions.data();
  const out: Int32Array[] = [];
  const pixels = h * w;
  for (let i = 0; i < n; i++) {
    const v = new Float64Array(pixels);
    for (let p = 0; p < pixels; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += raw[(i * pixels + p) * c + k];
      if (!Number.isFinite(s)) throw new InvalidValueError(`${fn}: attributions must be finite, got ${s} in sample ${i}`);
      v[p] = s;
    }
    out.push(rankPixels(v, direction, orderingRng(seed, i)));
  }
  return out;
}
