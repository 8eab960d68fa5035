/**
 * Top-k intersection (Theiner et al. 2021) and relevance rank accuracy (Arras et al. 2022).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkInt, checkSeed } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { checkLocalisationInputs, type LocalisationOptions, morfOrder, readLocalisation, resolveMapOptions } from './localisation-shared';

/** Options of {@link topKIntersection}. @category Localisation */
export interface TopKIntersectionOptions extends LocalisationOptions {
  /** Pixels selected, at most H·W. @defaultValue 1000 */
  k?: number;
}

/** Defaults of {@link TopKIntersectionOptions}: Quantus `TopKIntersection` (`k=1000`, ImageNet-size images); the signed map is ranked. @category Localisation */
export const TOP_K_INTERSECTION_DEFAULTS = Object.freeze({
  /** Default of {@link TopKIntersectionOptions.k}. */
  k: 1000,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link LocalisationOptions.seed}. */
  seed: 0,
});

/** Result of a top-k overlap. @category Localisation */
export interface TopKResult extends MetricResult {
  /** Mean fraction (higher is better). */
  readonly score: number;
  readonly scores: readonly number[];
}

/**
 * Top-k intersection: the fraction of the k highest-attributed pixels that lie in the region,
 * `|top_k(a) ∩ G| / k` (seeded tie-break).
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link TopKIntersectionOptions}
 * @returns the fraction per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf, `k > H·W` or bad options
 * @see arXiv 2104.14995 (Theiner, Müller-Budack and Ewerth, "Interpretable semantic photo geolocation"); Quantus `TopKIntersection`
 * @example
 * ```ts
 * const { score } = await topKIntersection(maps, masks, { k: 20 });
 * ```
 * @category Localisation
 */
export async function topKIntersection(attributions: tf.Tensor, mask: tf.Tensor, options: TopKIntersectionOptions = {}): Promise<TopKResult> {
  const fn = 'topKIntersection';
  checkOptions(fn, options, ['k', 'sign', 'normalise', 'seed']);
  const d = TOP_K_INTERSECTION_DEFAULTS;
  const mo = resolveMapOptions(fn, options, d);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  const { height, width } = checkLocalisationInputs(fn, attributions, mask);
  const k = checkInt(fn, 'k', options.k ?? d.k, 1, height * width);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, mo);
  const scores = Array.from({ length: maps.count }, (_, i) => {
    const m = mapOf(masks, i);
    const order = morfOrder(mapOf(maps, i), seed, i);
    let hit = 0;
    for (let t = 0; t < k; t++) if (m[order[t]] > 0) hit++;
    return hit / k;
  });
  return { score: mean(scores), scores };
}

/** Defaults of {@link relevanceRankAccuracy}: the signed map is ranked. @category Localisation */
export const RELEVANCE_RANK_ACCURACY_DEFAULTS = Object.freeze({
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link LocalisationOptions.seed}. */
  seed: 0,
});

/**
 * Relevance rank accuracy: with `K = |G|`, the fraction of the K highest-attributed pixels inside
 * the region, `|top_K(a) ∩ G| / K` (0 for an empty region).
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link LocalisationOptions}
 * @returns the fraction per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 2003.07258 (Arras, Osman and Samek, CLEVR-XAI); Quantus `RelevanceRankAccuracy`
 * @example
 * ```ts
 * const { score } = await relevanceRankAccuracy(maps, masks);
 * ```
 * @category Localisation
 */
export async function relevanceRankAccuracy(attributions: tf.Tensor, mask: tf.Tensor, options: LocalisationOptions = {}): Promise<TopKResult> {
  const fn = 'relevanceRankAccuracy';
  checkOptions(fn, options, ['sign', 'normalise', 'seed']);
  const d = RELEVANCE_RANK_ACCURACY_DEFAULTS;
  const mo = resolveMapOptions(fn, options, d);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  checkLocalisationInputs(fn, attributions, mask);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, mo);
  const scores = Array.from({ length: maps.count }, (_, i) => {
    const m = mapOf(masks, i);
    let K = 0;
    for (let p = 0; p < m.length; p++) if (m[p] > 0) K++;
    if (K === 0) return 0;
    const order = morfOrder(mapOf(maps, i), seed, i);
    let hit = 0;
    for (let t = 0; t < K; t++) if (m[order[t]] > 0) hit++;
    return hit / K;
  });
  return { score: mean(scores), scores };
}

/** The {@link topKIntersection} metric for the registry. */
export const topKIntersectionMetric = defineMetric<TopKResult, TopKIntersectionOptions>({
  name: 'top-k-intersection',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'arXiv 2104.14995 (Theiner et al.); Quantus TopKIntersection',
  requires: ['attributions', 'mask'],
  defaults: TOP_K_INTERSECTION_DEFAULTS,
  run: (i, o) => topKIntersection(i.attributions, i.mask, o),
});

/** The {@link relevanceRankAccuracy} metric for the registry. */
export const relevanceRankAccuracyMetric = defineMetric<TopKResult, LocalisationOptions>({
  name: 'relevance-rank-accuracy',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'arXiv 2003.07258 (Arras et al., CLEVR-XAI); Quantus RelevanceRankAccuracy',
  requires: ['attributions', 'mask'],
  defaults: RELEVANCE_RANK_ACCURACY_DEFAULTS,
  run: (i, o) => relevanceRankAccuracy(i.attributions, i.mask, o),
});
