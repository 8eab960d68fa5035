/**
 * AUC of the map as a detector of the ground-truth region (Fawcett 2006; Quantus `AUC`).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MapOptions, MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { checkLocalisationInputs, readLocalisation, resolveMapOptions, rocAuc } from './localisation-shared';

/** Defaults of {@link maskAuc}: the signed map is the score. @category Localisation */
export const MASK_AUC_DEFAULTS = Object.freeze({
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
});

/** Result of {@link maskAuc}. @category Localisation */
export interface MaskAucResult extends MetricResult {
  /** Mean ROC AUC (higher is better; 0.5 is chance). */
  readonly score: number;
  /** ROC AUC per sample; 0.5 when the mask has a single class. */
  readonly scores: readonly number[];
}

/**
 * Mask AUC: the area under the ROC curve of the attribution as a score separating region pixels
 * from background pixels — the probability that a random region pixel outranks a random
 * background pixel (Mann–Whitney U, ties ½). A mask without both classes scores 0.5.
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link MapOptions}
 * @returns AUC per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see Fawcett 2006, "An introduction to ROC analysis" (Pattern Recognition Letters 27); Quantus `AUC`
 * @example
 * ```ts
 * const { score } = await maskAuc(maps, masks);
 * ```
 * @category Localisation
 */
export async function maskAuc(attributions: tf.Tensor, mask: tf.Tensor, options: MapOptions = {}): Promise<MaskAucResult> {
  const fn = 'maskAuc';
  checkOptions(fn, options, ['sign', 'normalise']);
  const mo = resolveMapOptions(fn, options, MASK_AUC_DEFAULTS);
  checkLocalisationInputs(fn, attributions, mask);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, mo);
  const scores = Array.from({ length: maps.count }, (_, i) => {
    const m = mapOf(masks, i);
    return rocAuc(mapOf(maps, i), (p) => m[p] > 0);
  });
  return { score: mean(scores), scores };
}

/** The {@link maskAuc} metric for the registry. */
export const maskAucMetric = defineMetric<MaskAucResult, MapOptions>({
  name: 'mask-auc',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'Fawcett 2006 (ROC analysis); Quantus AUC',
  requires: ['attributions', 'mask'],
  defaults: MASK_AUC_DEFAULTS,
  run: (i, o) => maskAuc(i.attributions, i.mask, o),
});
