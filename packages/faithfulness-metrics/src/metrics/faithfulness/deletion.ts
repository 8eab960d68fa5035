import type * as tf from '@tensorflow/tfjs-core';
import type { AttributionModel } from '@lab/attribution';
import { defineMetric } from '../../core/define-metric';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { orderedCurve, type PerturbationCurveOptions, type PerturbationCurveResult } from './ordered-curve';

/**
 * Defaults of {@link deletion}: RISE's causal metric (eclique/RISE `evaluation.py`): one image
 * row of pixels per step (`step = 224` at 224²), substrate zeros, softmax probabilities of the
 * explained class. `batchSize` 32, `seed` 0 (tie-breaking): package choices.
 * @category Faithfulness
 */
export const DELETION_DEFAULTS = Object.freeze({
  /** Default of {@link PerturbationCurveOptions.pixelsPerStep}. */
  pixelsPerStep: 'width' as const,
  /** Default of {@link PerturbationCurveOptions.softmax}. */
  softmax: true,
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
 * Deletion: the class score as pixels are removed most-relevant-first; its normalised AUC (lower
 * is better).
 *
 * With the seeded MoRF ordering, step j removes the first `min(j·s, HW)` pixels (all channels)
 * and replaces them by the imputer (zeros); `y_j = p_c(x̃_j)`, j = 0…⌈HW/s⌉. The score is
 * `AUC = (Σ_j y_j − y_0/2 − y_J/2) / J` (RISE `auc`), averaged over samples.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed; only the order matters)
 * @param options - see {@link PerturbationCurveOptions}; defaults in {@link DELETION_DEFAULTS}
 * @returns the curves and AUCs (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1806.07421 (Petsiuk et al., RISE); eclique/RISE `evaluation.py` `CausalMetric`
 * @example
 * ```ts
 * const { score, curve } = await deletion(model, images, maps, { target: labels });
 * ```
 * @category Faithfulness
 */
export function deletion(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: PerturbationCurveOptions = {}): Promise<PerturbationCurveResult> {
  return orderedCurve('deletion', model, inputs, attributions, options, DELETION_DEFAULTS, false);
}

/** The {@link deletion} metric for the registry. */
export const deletionMetric = defineMetric<PerturbationCurveResult, PerturbationCurveOptions>({
  name: 'deletion',
  category: 'faithfulness',
  higherIsBetter: false,
  reference: 'arXiv 1806.07421 (RISE); eclique/RISE evaluation.py',
  requires: ['model', 'inputs', 'attributions'],
  defaults: DELETION_DEFAULTS,
  run: (i, o) => deletion(i.model, i.inputs, i.attributions, o),
});
