import type * as tf from '@tensorflow/tfjs-core';
import type { AttributionModel } from '@lab/attribution';
import { defineMetric } from '../../core/define-metric';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { orderedCurve, type PerturbationCurveOptions, type PerturbationCurveResult } from './ordered-curve';

/**
 * Defaults of {@link pixelFlipping}: Quantus `PixelFlipping` (`features_in_step=1`,
 * `perturb_baseline="black"`: 0); raw outputs (package choice).
 * @category Faithfulness
 */
export const PIXEL_FLIPPING_DEFAULTS = Object.freeze({
  /** Default of {@link PerturbationCurveOptions.pixelsPerStep}. */
  pixelsPerStep: 1,
  /** Default of {@link PerturbationCurveOptions.softmax}. */
  softmax: false,
  /** Default of {@link PerturbationCurveOptions.imputer}. */
  imputer: (): ConstantImputer => new ConstantImputer({ value: 0 }),
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/**
 * Pixel flipping: the class score as single pixels are flipped to the baseline most-relevant-first,
 * cumulatively; its normalised AUC (lower is better).
 *
 * `y_j = f_c(x with the first j·s pixels of the MoRF ordering set to the baseline)`, j = 0…⌈HW/s⌉;
 * the score is the normalised trapezoid AUC over the removed fraction. The same procedure as
 * {@link deletion} with per-pixel steps and raw outputs.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link PerturbationCurveOptions}; defaults in {@link PIXEL_FLIPPING_DEFAULTS}
 * @returns the curves and AUCs (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see Bach et al. 2015, PLoS ONE 10(7) e0130140 (LRP, pixel flipping); Quantus `PixelFlipping`
 * @example
 * ```ts
 * const { sampleCurves } = await pixelFlipping(model, images, maps, { pixelsPerStep: 4 });
 * ```
 * @category Faithfulness
 */
export function pixelFlipping(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: PerturbationCurveOptions = {}): Promise<PerturbationCurveResult> {
  return orderedCurve('pixelFlipping', model, inputs, attributions, options, PIXEL_FLIPPING_DEFAULTS, false);
}

/** The {@link pixelFlipping} metric for the registry. */
export const pixelFlippingMetric = defineMetric<PerturbationCurveResult, PerturbationCurveOptions>({
  name: 'pixel-flipping',
  category: 'faithfulness',
  higherIsBetter: false,
  reference: 'Bach et al. 2015 (PLoS ONE); Quantus PixelFlipping',
  requires: ['model', 'inputs', 'attributions'],
  defaults: PIXEL_FLIPPING_DEFAULTS,
  run: (i, o) => pixelFlipping(i.model, i.inputs, i.attributions, o),
});
