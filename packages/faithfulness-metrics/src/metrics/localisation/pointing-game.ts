/**
 * Pointing game (Zhang et al. 2018).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkNumber, checkSeed } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { checkLocalisationInputs, type LocalisationOptions, morfOrder, readLocalisation, resolveMapOptions } from './localisation-shared';

/** Options of {@link pointingGame}; defaults in {@link POINTING_GAME_DEFAULTS}. @category Localisation */
export interface PointingGameOptions extends LocalisationOptions {
  /** A hit when the maximum lies within this Euclidean distance (pixels) of a region pixel. @defaultValue 15 */
  tolerance?: number;
}

/**
 * Defaults of {@link PointingGameOptions}: tolerance 15 px (Zhang et al. 2018, for ImageNet-size
 * images; use a smaller one on small images); the raw signed map (its maximum is compared).
 * @category Localisation
 */
export const POINTING_GAME_DEFAULTS = Object.freeze({
  /** Default of {@link PointingGameOptions.tolerance}. */
  tolerance: 15,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link LocalisationOptions.seed}. */
  seed: 0,
});

/** Result of {@link pointingGame}. @category Localisation */
export interface PointingGameResult extends MetricResult {
  /** Hit rate (higher is better). */
  readonly score: number;
  /** 1 for a hit, 0 for a miss (an empty region is a miss). */
  readonly scores: readonly number[];
  /** Pixel index `y·W + x` of each sample's maximum (ties broken by the seeded ordering). */
  readonly points: readonly number[];
}

/**
 * Pointing game: whether the map's maximum falls on (or within `tolerance` pixels of) the
 * ground-truth region.
 *
 * `hit_i = [min_{q∈G_i} ‖p_i − q‖₂ ≤ tolerance]` with `p_i = argmax a_i` (seeded tie-break) and
 * `G_i = {q : mask_q > 0}`; the score is the hit rate.
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link PointingGameOptions}
 * @returns hits per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 1608.00507 (Zhang et al., "Top-down neural attention by excitation backprop"); Quantus `PointingGame`
 * @example
 * ```ts
 * const { score } = await pointingGame(maps, masks, { tolerance: 1 });
 * ```
 * @category Localisation
 */
export async function pointingGame(attributions: tf.Tensor, mask: tf.Tensor, options: PointingGameOptions = {}): Promise<PointingGameResult> {
  const fn = 'pointingGame';
  checkOptions(fn, options, ['tolerance', 'sign', 'normalise', 'seed']);
  const d = POINTING_GAME_DEFAULTS;
  const mo = resolveMapOptions(fn, options, d);
  const tol = checkNumber(fn, 'tolerance', options.tolerance ?? d.tolerance, 0);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  const { count, width: W } = checkLocalisationInputs(fn, attributions, mask);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, mo);
  const points: number[] = [];
  const scores = Array.from({ length: count }, (_, i) => {
    const p = morfOrder(mapOf(maps, i), seed, i)[0];
    points.push(p);
    const m = mapOf(masks, i);
    const [py, px] = [Math.floor(p / W), p % W];
    for (let q = 0; q < m.length; q++) {
      if (m[q] > 0 && (Math.floor(q / W) - py) ** 2 + ((q % W) - px) ** 2 <= tol * tol) return 1;
    }
    return 0;
  });
  return { score: mean(scores), scores, points };
}

/** The {@link pointingGame} metric for the registry. */
export const pointingGameMetric = defineMetric<PointingGameResult, PointingGameOptions>({
  name: 'pointing-game',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'arXiv 1608.00507 (Zhang et al.); Quantus PointingGame',
  requires: ['attributions', 'mask'],
  defaults: POINTING_GAME_DEFAULTS,
  run: (i, o) => pointingGame(i.attributions, i.mask, o),
});
