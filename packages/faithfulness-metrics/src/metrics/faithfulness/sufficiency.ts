/**
 * Sufficiency (Dasgupta et al. 2022).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkNumber } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';

/** Options of {@link sufficiency}; defaults in {@link SUFFICIENCY_DEFAULTS}. `target` is unused (predictions are compared). @category Faithfulness */
export interface SufficiencyOptions extends Omit<ModelMetricOptions, 'target' | 'seed'> {
  /** Two maps are "the same explanation" when their Euclidean distance is `≤ threshold`. @defaultValue 0.6 */
  threshold?: number;
}

/** Defaults of {@link SufficiencyOptions}: Quantus `Sufficiency` (`threshold=0.6`, Euclidean distance, `normalise=True`: max). @category Faithfulness */
export const SUFFICIENCY_DEFAULTS = Object.freeze({
  /** Default of {@link SufficiencyOptions.threshold}. */
  threshold: 0.6,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'max' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link sufficiency}. @category Faithfulness */
export interface SufficiencyResult extends MetricResult {
  /** Mean sufficiency (higher is better). */
  readonly score: number;
  /** Per sample: the fraction of its explanation neighbours (itself included) with the same prediction. */
  readonly scores: readonly number[];
}

/**
 * Sufficiency: whether samples with similar explanations get the same prediction.
 *
 * For sample i let `S_i = {j : ‖a_i − a_j‖₂ ≤ threshold}` (i ∈ S_i); its score is
 * `|{j ∈ S_i : ŷ_j = ŷ_i}| / |S_i|`, with ŷ the model's predictions on the clean inputs.
 * A dataset-level metric: it compares the samples of the batch with each other.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, then max-normalised by default)
 * @param options - see {@link SufficiencyOptions}
 * @returns sufficiency per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 2202.00734 (Dasgupta, Frost and Moshkovitz, "Framework for evaluating faithfulness of local explanations"); Quantus `Sufficiency`
 * @example
 * ```ts
 * const { score } = await sufficiency(model, images, maps, { threshold: 0.5 });
 * ```
 * @category Faithfulness
 */
export async function sufficiency(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: SufficiencyOptions = {}): Promise<SufficiencyResult> {
  const fn = 'sufficiency';
  checkOptions(fn, options, ['threshold', 'sign', 'normalise', 'batchSize']);
  const d = SUFFICIENCY_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const threshold = checkNumber(fn, 'threshold', options.threshold ?? d.threshold, 0);
  checkModelMetricInputs(fn, model, inputs, attributions);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: undefined });
  const N = prep.count;
  const pred = prep.clean.predictions;
  const scores = Array.from({ length: N }, (_, i) => {
    const ai = mapOf(prep.maps, i);
    let near = 0;
    let same = 0;
    for (let j = 0; j < N; j++) {
      const aj = mapOf(prep.maps, j);
      let s = 0;
      for (let p = 0; p < ai.length; p++) s += (ai[p] - aj[p]) ** 2;
      if (Math.sqrt(s) <= threshold) {
        near++;
        if (pred[j] === pred[i]) same++;
      }
    }
    return same / near;
  });
  return { score: mean(scores), scores };
}

/** The {@link sufficiency} metric for the registry. */
export const sufficiencyMetric = defineMetric<SufficiencyResult, SufficiencyOptions>({
  name: 'sufficiency',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2202.00734 (Dasgupta et al.); Quantus Sufficiency',
  requires: ['model', 'inputs', 'attributions'],
  defaults: SUFFICIENCY_DEFAULTS,
  run: (i, o) => sufficiency(i.model, i.inputs, i.attributions, o),
});
