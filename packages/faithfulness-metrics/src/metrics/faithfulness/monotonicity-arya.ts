/**
 * Monotonicity (Arya et al. 2019).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt, checkNumber } from '../../core/checks';
import { perSample, removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { Imputer } from '../../imputation/imputer';

/** Options of {@link monotonicityArya}; defaults in {@link MONOTONICITY_ARYA_DEFAULTS}. @category Faithfulness */
export interface MonotonicityAryaOptions extends ModelMetricOptions {
  /** Pixels inserted per step. @defaultValue 1 */
  featuresInStep?: number;
  /** The canvas the features are inserted into. @defaultValue zeros ("black") */
  imputer?: Imputer;
  /** Read softmax probabilities (the class probability, as the paper). @defaultValue true */
  softmax?: boolean;
  /** A step counts as non-decreasing when `y_{k+1} − y_k ≥ −tolerance`. @defaultValue 0 (exact, as Quantus) */
  tolerance?: number;
}

/** Defaults of {@link MonotonicityAryaOptions}: Quantus `Monotonicity` (`features_in_step=1`, black baseline). @category Faithfulness */
export const MONOTONICITY_ARYA_DEFAULTS = Object.freeze({
  /** Default of {@link MonotonicityAryaOptions.featuresInStep}. */
  featuresInStep: 1,
  /** Default of {@link MonotonicityAryaOptions.softmax}. */
  softmax: true,
  /** Default of {@link MonotonicityAryaOptions.tolerance}. */
  tolerance: 0,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link monotonicityArya}. @category Faithfulness */
export interface MonotonicityAryaResult extends MetricResult {
  /** Fraction of samples whose curve is monotonic (higher is better). */
  readonly score: number;
  /** 1 when the sample's curve never decreases, else 0. */
  readonly scores: readonly number[];
  /** Class score per sample after each insertion step. */
  readonly sampleCurves: readonly (readonly number[])[];
}

/**
 * Monotonicity (Arya et al.): whether the class score never decreases as features are inserted
 * into a baseline canvas in order of increasing attribution.
 *
 * Start from the imputer's canvas; at step k insert the next `featuresInStep` pixels of the seeded
 * LeRF (ascending) ordering; monotonic iff `y_{k+1} ≥ y_k` for every k. Distinct from
 * {@link monotonicityNguyen}, which correlates attributions with output variance.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link MonotonicityAryaOptions}
 * @returns 0/1 per sample and the curves (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1909.03012 (Arya et al., "One explanation does not fit all", AIX360); Quantus `Monotonicity`
 * @example
 * ```ts
 * const { score } = await monotonicityArya(model, images, maps, { featuresInStep: 8 });
 * ```
 * @category Faithfulness
 */
export async function monotonicityArya(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: MonotonicityAryaOptions = {}): Promise<MonotonicityAryaResult> {
  const fn = 'monotonicityArya';
  checkOptions(fn, options, ['featuresInStep', 'imputer', 'softmax', 'tolerance', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = MONOTONICITY_ARYA_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const tol = checkNumber(fn, 'tolerance', options.tolerance ?? d.tolerance, 0);
  const imputer = options.imputer ?? new ConstantImputer({ value: 0 });
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const P = dims.height * dims.width;
  const f = checkInt(fn, 'featuresInStep', options.featuresInStep ?? d.featuresInStep, 1, P);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const K = Math.ceil(P / f);
  const out = await removalCurves(fn, model, prep, {
    steps: K,
    order: (i) => rankPixels(mapOf(prep.maps, i), 'lerf', rngFor(prep.seed, STREAM.ordering, i)),
    removedFrom: (_i, k) => Math.min((k + 1) * f, P),
    removedCount: () => P,
    imputer,
    softmax,
  });
  const sampleCurves = perSample(out.scores, prep.count, K);
  const scores = sampleCurves.map((c) => (c.every((v, k) => k === 0 || v - c[k - 1] >= -tol) ? 1 : 0));
  return { score: mean(scores), scores, sampleCurves };
}

/** The {@link monotonicityArya} metric for the registry. */
export const monotonicityAryaMetric = defineMetric<MonotonicityAryaResult, MonotonicityAryaOptions>({
  name: 'monotonicity-arya',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 1909.03012 (Arya et al.); Quantus Monotonicity',
  requires: ['model', 'inputs', 'attributions'],
  defaults: MONOTONICITY_ARYA_DEFAULTS,
  run: (i, o) => monotonicityArya(i.model, i.inputs, i.attributions, o),
});
