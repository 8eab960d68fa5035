/**
 * Relevance mass accuracy (Arras et al. 2022) and attribution localisation (Kohlbrenner et al. 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkBool } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf, type PixelMaps } from '../../core/maps';
import type { MapOptions, MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { checkLocalisationInputs, readLocalisation, resolveMapOptions } from './localisation-shared';

/** Result of the mass-share metrics. @category Localisation */
export interface MassShareResult extends MetricResult {
  /** Mean share (higher is better). */
  readonly score: number;
  /** Share per sample; 0 for a map without mass. */
  readonly scores: readonly number[];
}

/**
 * Defaults of {@link relevanceMassAccuracy}: the positive part of the map (Arras et al. count
 * positive relevance), no normalisation (the ratio is scale-free).
 * @category Localisation
 */
export const RELEVANCE_MASS_ACCURACY_DEFAULTS = Object.freeze({
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'positive' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
});

function shares(maps: PixelMaps, masks: PixelMaps, weighted: boolean): number[] {
  return Array.from({ length: maps.count }, (_, i) => {
    const a = mapOf(maps, i);
    const m = mapOf(masks, i);
    let inside = 0;
    let total = 0;
    let area = 0;
    for (let p = 0; p < a.length; p++) {
      total += a[p];
      if (m[p] > 0) {
        inside += a[p];
        area++;
      }
    }
    if (!(total > 0)) return 0;
    const mu = inside / total;
    return weighted ? (area > 0 ? (mu * a.length) / area : 0) : mu;
  });
}

/**
 * Relevance mass accuracy: the share of the (non-negative) attribution mass inside the
 * ground-truth region, `Σ_{p∈G} a_p / Σ_p a_p` (0 for a map without mass).
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, then the positive part by default)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link MapOptions}; a negative value left by `sign: 'keep'` is rejected
 * @returns shares per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf, negative values or bad options
 * @see arXiv 2003.07258 (Arras, Osman and Samek, CLEVR-XAI); Quantus `RelevanceMassAccuracy`
 * @example
 * ```ts
 * const { score } = await relevanceMassAccuracy(maps, masks);
 * ```
 * @category Localisation
 */
export async function relevanceMassAccuracy(attributions: tf.Tensor, mask: tf.Tensor, options: MapOptions = {}): Promise<MassShareResult> {
  const fn = 'relevanceMassAccuracy';
  checkOptions(fn, options, ['sign', 'normalise']);
  const mo = resolveMapOptions(fn, options, RELEVANCE_MASS_ACCURACY_DEFAULTS);
  checkLocalisationInputs(fn, attributions, mask);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, { ...mo, requireNonNegative: true });
  const scores = shares(maps, masks, false);
  return { score: mean(scores), scores };
}

/** Options of {@link attributionLocalisation}. @category Localisation */
export interface AttributionLocalisationOptions extends MapOptions {
  /** Multiply by `HW / |G|` (Kohlbrenner's weighted μ_w, which rewards small regions). @defaultValue false */
  weighted?: boolean;
}

/** Defaults of {@link AttributionLocalisationOptions}: positive relevance (Kohlbrenner et al.; not Quantus's `abs=True`), unweighted. @category Localisation */
export const ATTRIBUTION_LOCALISATION_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionLocalisationOptions.weighted}. */
  weighted: false,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'positive' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
});

/**
 * Attribution localisation: the share of positive relevance inside the object region,
 * `μ = R_in / R_tot`, or `μ_w = μ · HW / |G|` when weighted. Never NaN: a negative value must be
 * converted (the Quantus pitfall of in-mask sums above the total cannot occur).
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, then the positive part by default)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link AttributionLocalisationOptions}
 * @returns μ per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf, negative values or bad options
 * @see arXiv 1910.09840 (Kohlbrenner et al., "Towards best practice in explaining neural network decisions with LRP", IJCNN 2020); Quantus `AttributionLocalisation`
 * @example
 * ```ts
 * const { score } = await attributionLocalisation(maps, masks, { weighted: true });
 * ```
 * @category Localisation
 */
export async function attributionLocalisation(attributions: tf.Tensor, mask: tf.Tensor, options: AttributionLocalisationOptions = {}): Promise<MassShareResult> {
  const fn = 'attributionLocalisation';
  checkOptions(fn, options, ['weighted', 'sign', 'normalise']);
  const d = ATTRIBUTION_LOCALISATION_DEFAULTS;
  const mo = resolveMapOptions(fn, options, d);
  const weighted = checkBool(fn, 'weighted', options.weighted ?? d.weighted);
  checkLocalisationInputs(fn, attributions, mask);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, { ...mo, requireNonNegative: true });
  const scores = shares(maps, masks, weighted);
  return { score: mean(scores), scores };
}

/** The {@link relevanceMassAccuracy} metric for the registry. */
export const relevanceMassAccuracyMetric = defineMetric<MassShareResult, MapOptions>({
  name: 'relevance-mass-accuracy',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'arXiv 2003.07258 (Arras et al., CLEVR-XAI); Quantus RelevanceMassAccuracy',
  requires: ['attributions', 'mask'],
  defaults: RELEVANCE_MASS_ACCURACY_DEFAULTS,
  run: (i, o) => relevanceMassAccuracy(i.attributions, i.mask, o),
});

/** The {@link attributionLocalisation} metric for the registry. */
export const attributionLocalisationMetric = defineMetric<MassShareResult, AttributionLocalisationOptions>({
  name: 'attribution-localisation',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'arXiv 1910.09840 (Kohlbrenner et al.); Quantus AttributionLocalisation',
  requires: ['attributions', 'mask'],
  defaults: ATTRIBUTION_LOCALISATION_DEFAULTS,
  run: (i, o) => attributionLocalisation(i.attributions, i.mask, o),
});
