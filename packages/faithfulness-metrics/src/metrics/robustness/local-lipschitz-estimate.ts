/**
 * Local Lipschitz estimate (Alvarez-Melis and Jaakkola 2018).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import type { AttributionMethod, AttributionModel } from '@lab/attribution';
import { checkNumber } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import type { MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { type RobustnessOptions, sensitivityDraws } from './sensitivity-shared';

/** Options of {@link localLipschitzEstimate}. @category Robustness */
export interface LocalLipschitzOptions extends RobustnessOptions {
  /** Standard deviation of the Gaussian perturbation per input value. @defaultValue 0.1 */
  noiseStd?: number;
}

/** Defaults of {@link LocalLipschitzOptions}: Quantus `LocalLipschitzEstimate` (`nr_samples=200`, `perturb_std=0.1`, Euclidean distances). @category Robustness */
export const LOCAL_LIPSCHITZ_DEFAULTS = Object.freeze({
  /** Default of {@link LocalLipschitzOptions.noiseStd}. */
  noiseStd: 0.1,
  /** Default of {@link RobustnessOptions.samples}. */
  samples: 200,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link localLipschitzEstimate}. @category Robustness */
export interface LocalLipschitzResult extends MetricResult {
  /** Mean estimate (lower is better). */
  readonly score: number;
  readonly scores: readonly number[];
}

/**
 * Local Lipschitz estimate: the largest ratio of map change to input change over random nearby
 * inputs, `max_k ‖a(x) − a(x'_k)‖₂ / ‖x − x'_k‖₂` with `x'_k = x + ε_k`, `ε_k ~ N(0, σ²)` per value
 * (a zero input change is skipped). Maps are compared after the channel sum.
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param method - the attribution method
 * @param options - see {@link LocalLipschitzOptions}
 * @returns the estimate per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs, options or method output
 * @see arXiv 1806.08049 (Alvarez-Melis and Jaakkola, "On the robustness of interpretability methods"); Quantus `LocalLipschitzEstimate`
 * @example
 * ```ts
 * const { score } = await localLipschitzEstimate(model, images, new Saliency(), { samples: 20 });
 * ```
 * @category Robustness
 */
export async function localLipschitzEstimate(model: AttributionModel, inputs: tf.Tensor, method: AttributionMethod<any>, options: LocalLipschitzOptions = {}): Promise<LocalLipschitzResult> {
  const fn = 'localLipschitzEstimate';
  checkOptions(fn, options, ['noiseStd', 'samples', 'methodOptions', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const std = checkNumber(fn, 'noiseStd', options.noiseStd ?? LOCAL_LIPSCHITZ_DEFAULTS.noiseStd, 0);
  const draws = await sensitivityDraws(fn, model, inputs, method, options, LOCAL_LIPSCHITZ_DEFAULTS, (rng, n) => rng.normal(n, 0, std));
  const scores = Array.from({ length: draws.count }, (_, i) => {
    let best = 0;
    for (let r = 0; r < draws.samples; r++) {
      const dx = draws.inputDistance[i * draws.samples + r];
      if (dx > 0) best = Math.max(best, draws.mapDistance[i * draws.samples + r] / dx);
    }
    return best;
  });
  return { score: mean(scores), scores };
}

/** The {@link localLipschitzEstimate} metric for the registry. */
export const localLipschitzEstimateMetric = defineMetric<LocalLipschitzResult, LocalLipschitzOptions>({
  name: 'local-lipschitz-estimate',
  category: 'robustness',
  higherIsBetter: false,
  reference: 'arXiv 1806.08049 (Alvarez-Melis and Jaakkola); Quantus LocalLipschitzEstimate',
  requires: ['model', 'inputs', 'method'],
  defaults: LOCAL_LIPSCHITZ_DEFAULTS,
  run: (i, o) => localLipschitzEstimate(i.model, i.inputs, i.method, { ...o, methodOptions: o?.methodOptions ?? i.methodOptions }),
});
