/**
 * Max- and avg-sensitivity (Yeh et al. 2019).
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

/** Options of {@link maxSensitivity} and {@link avgSensitivity}. @category Robustness */
export interface SensitivityOptions extends RobustnessOptions {
  /** Half-width r of the uniform perturbation `δ ~ U(−r, r)` per input value. @defaultValue 0.02 */
  radius?: number;
}

/**
 * Defaults of {@link SensitivityOptions}: Captum `sensitivity_max` (`perturb_radius=0.02`,
 * `n_perturb_samples=10`, Frobenius norm, uniform `default_perturb_func`, normalised by the norm of
 * the clean map). `batchSize` 32 and `seed` 0: package choices.
 * @category Robustness
 */
export const SENSITIVITY_DEFAULTS = Object.freeze({
  /** Default of {@link SensitivityOptions.radius}. */
  radius: 0.02,
  /** Default of {@link RobustnessOptions.samples}. */
  samples: 10,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link maxSensitivity} / {@link avgSensitivity}. @category Robustness */
export interface SensitivityResult extends MetricResult {
  /** Mean over samples (lower is better). */
  readonly score: number;
  /** Per sample: the max (or mean) normalised map change. */
  readonly scores: readonly number[];
}

const KEYS = ['radius', 'samples', 'methodOptions', 'sign', 'normalise', 'target', 'batchSize', 'seed'];

async function sensitivity(fn: string, reduce: 'max' | 'mean', model: AttributionModel, inputs: tf.Tensor, method: AttributionMethod<any>, options: SensitivityOptions): Promise<SensitivityResult> {
  checkOptions(fn, options, KEYS);
  const r = checkNumber(fn, 'radius', options.radius ?? SENSITIVITY_DEFAULTS.radius, 0);
  const draws = await sensitivityDraws(fn, model, inputs, method, options, SENSITIVITY_DEFAULTS, (rng, n) => rng.uniform(n, -r, r));
  const scores = Array.from({ length: draws.count }, (_, i) => {
    const norm = draws.mapNorm[i] > 0 ? draws.mapNorm[i] : 1;
    const v = Array.from(draws.mapDistance.subarray(i * draws.samples, (i + 1) * draws.samples), (t) => t / norm);
    return reduce === 'max' ? Math.max(...v) : mean(v);
  });
  return { score: mean(scores), scores };
}

/**
 * Max-sensitivity: the largest change of the map under small input perturbations, relative to
 * the map's norm: `max_k ‖a(x + δ_k) − a(x)‖₂ / ‖a(x)‖₂` with `δ_k ~ U(−r, r)` per value (a zero
 * map divides by 1, as Captum). Maps are compared after the channel sum.
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param method - the attribution method, re-run on every perturbed input
 * @param options - see {@link SensitivityOptions}
 * @returns sensitivity per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs, options or method output
 * @see arXiv 1901.09392 (Yeh et al.); Captum `captum.metrics.sensitivity_max`
 * @example
 * ```ts
 * const { score } = await maxSensitivity(model, images, new Saliency(), { samples: 5 });
 * ```
 * @category Robustness
 */
export function maxSensitivity(model: AttributionModel, inputs: tf.Tensor, method: AttributionMethod<any>, options: SensitivityOptions = {}): Promise<SensitivityResult> {
  return sensitivity('maxSensitivity', 'max', model, inputs, method, options);
}

/**
 * Avg-sensitivity: the mean instead of the maximum of the relative map change,
 * `mean_k ‖a(x + δ_k) − a(x)‖₂ / ‖a(x)‖₂` (same perturbations as {@link maxSensitivity}).
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param method - the attribution method
 * @param options - see {@link SensitivityOptions}
 * @returns sensitivity per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs, options or method output
 * @see arXiv 1901.09392 (Yeh et al.); Quantus `AvgSensitivity`
 * @example
 * ```ts
 * const { score } = await avgSensitivity(model, images, new Saliency());
 * ```
 * @category Robustness
 */
export function avgSensitivity(model: AttributionModel, inputs: tf.Tensor, method: AttributionMethod<any>, options: SensitivityOptions = {}): Promise<SensitivityResult> {
  return sensitivity('avgSensitivity', 'mean', model, inputs, method, options);
}

/** The {@link maxSensitivity} metric for the registry. */
export const maxSensitivityMetric = defineMetric<SensitivityResult, SensitivityOptions>({
  name: 'max-sensitivity',
  category: 'robustness',
  higherIsBetter: false,
  reference: 'arXiv 1901.09392 (Yeh et al.); Captum sensitivity_max',
  requires: ['model', 'inputs', 'method'],
  defaults: SENSITIVITY_DEFAULTS,
  run: (i, o) => maxSensitivity(i.model, i.inputs, i.method, { ...o, methodOptions: o?.methodOptions ?? i.methodOptions }),
});

/** The {@link avgSensitivity} metric for the registry. */
export const avgSensitivityMetric = defineMetric<SensitivityResult, SensitivityOptions>({
  name: 'avg-sensitivity',
  category: 'robustness',
  higherIsBetter: false,
  reference: 'arXiv 1901.09392 (Yeh et al.); Quantus AvgSensitivity',
  requires: ['model', 'inputs', 'method'],
  defaults: SENSITIVITY_DEFAULTS,
  run: (i, o) => avgSensitivity(i.model, i.inputs, i.method, { ...o, methodOptions: o?.methodOptions ?? i.methodOptions }),
});
