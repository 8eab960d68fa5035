import type * as tf from '@tensorflow/tfjs-core';
import type { AttributionModel } from '@lab/attribution';
import { defineMetric } from '../../core/define-metric';
import { BlurImputer } from '../../imputation/blur-imputer';
import { orderedCurve, type PerturbationCurveOptions, type PerturbationCurveResult } from './ordered-curve';

/**
 * Defaults of {@link insertion}: RISE's causal metric — one image row of pixels per step, a
 * blurred canvas (`gkern(11, 5)`, see {@link BLUR_IMPUTER_DEFAULTS}), softmax probabilities.
 * @category Faithfulness
 */
export const INSERTION_DEFAULTS = Object.freeze({
  /** Default of {@link PerturbationCurveOptions.pixelsPerStep}. */
  pixelsPerStep: 'width' as const,
  /** Default of {@link PerturbationCurveOptions.softmax}. */
  softmax: true,
  /** Default of {@link PerturbationCurveOptions.imputer}. */
  imputer: (): BlurImputer => new BlurImputer(),
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
 * Insertion: the class score as pixels of the image are inserted most-relevant-first into a
 * blurred canvas; its normalised AUC (higher is better).
 *
 * Step j shows the first `min(j·s, HW)` pixels of the seeded MoRF ordering and the imputer's
 * values (the blurred image) elsewhere; `y_j = p_c(x̃_j)`, `AUC = (Σ_j y_j − y_0/2 − y_J/2) / J`.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed; only the order matters)
 * @param options - see {@link PerturbationCurveOptions}; defaults in {@link INSERTION_DEFAULTS}
 * @returns the curves and AUCs (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1806.07421 (Petsiuk et al., RISE); eclique/RISE `evaluation.py` `CausalMetric`
 * @example
 * ```ts
 * const { score } = await insertion(model, images, maps, { target: labels });
 * ```
 * @category Faithfulness
 */
export function insertion(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: PerturbationCurveOptions = {}): Promise<PerturbationCurveResult> {
  return orderedCurve('insertion', model, inputs, attributions, options, INSERTION_DEFAULTS, true);
}

/** The {@link insertion} metric for the registry. */
export const insertionMetric = defineMetric<PerturbationCurveResult, PerturbationCurveOptions>({
  name: 'insertion',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 1806.07421 (RISE); eclique/RISE evaluation.py',
  requires: ['model', 'inputs', 'attributions'],
  defaults: INSERTION_DEFAULTS,
  run: (i, o) => insertion(i.model, i.inputs, i.attributions, o),
});
