/**
 * Faithfulness estimate (Alvarez-Melis and Jaakkola 2018).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt } from '../../core/checks';
import { removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { pearson } from '../../core/stats';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { Imputer } from '../../imputation/imputer';

/** Options of {@link faithfulnessEstimate}; defaults in {@link FAITHFULNESS_ESTIMATE_DEFAULTS}. @category Faithfulness */
export interface FaithfulnessEstimateOptions extends ModelMetricOptions {
  /** Pixels per group (each group is removed on its own). @defaultValue 1 */
  featuresInStep?: number;
  /** What a group's pixels become. @defaultValue zeros ("black") */
  imputer?: Imputer;
  /** Read softmax probabilities. @defaultValue false */
  softmax?: boolean;
}

/** Defaults of {@link FaithfulnessEstimateOptions}: Quantus `FaithfulnessEstimate` (`features_in_step=1`, black baseline, Pearson). @category Faithfulness */
export const FAITHFULNESS_ESTIMATE_DEFAULTS = Object.freeze({
  /** Default of {@link FaithfulnessEstimateOptions.featuresInStep}. */
  featuresInStep: 1,
  /** Default of {@link FaithfulnessEstimateOptions.softmax}. */
  softmax: false,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link faithfulnessEstimate}. @category Faithfulness */
export interface FaithfulnessEstimateResult extends MetricResult {
  /** Mean correlation (higher is better). */
  readonly score: number;
  /** Pearson correlation per sample; 0 when a series is constant. */
  readonly scores: readonly number[];
}

/**
 * Faithfulness estimate: the Pearson correlation between each feature group's attribution and
 * the output drop when that group alone is removed.
 *
 * Groups `G_k` are consecutive runs of `featuresInStep` pixels of the seeded MoRF ordering;
 * `ρ(Σ_{p∈G_k} a_p, f_c(x) − f_c(x_{G_k←baseline}))` over k, per sample.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, signed)
 * @param options - see {@link FaithfulnessEstimateOptions}
 * @returns correlations (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1806.07538 (Alvarez-Melis and Jaakkola, self-explaining neural networks); Quantus `FaithfulnessEstimate`
 * @example
 * ```ts
 * const { score } = await faithfulnessEstimate(model, images, maps, { featuresInStep: 16 });
 * ```
 * @category Faithfulness
 */
export async function faithfulnessEstimate(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: FaithfulnessEstimateOptions = {}): Promise<FaithfulnessEstimateResult> {
  const fn = 'faithfulnessEstimate';
  checkOptions(fn, options, ['featuresInStep', 'imputer', 'softmax', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = FAITHFULNESS_ESTIMATE_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const imputer = options.imputer ?? new ConstantImputer({ value: 0 });
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const P = dims.height * dims.width;
  const f = checkInt(fn, 'featuresInStep', options.featuresInStep ?? d.featuresInStep, 1, P);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const G = Math.ceil(P / f);
  const orders = Array.from({ length: prep.count }, (_, i) => rankPixels(mapOf(prep.maps, i), 'morf', rngFor(prep.seed, STREAM.ordering, i)));
  const out = await removalCurves(fn, model, prep, {
    steps: G,
    order: (i) => orders[i],
    removedFrom: (_i, g) => g * f,
    removedCount: (_i, g) => Math.min((g + 1) * f, P),
    imputer,
    softmax,
  });
  const scores = orders.map((o, i) => {
    const a = mapOf(prep.maps, i);
    const sums = Array.from({ length: G }, (_, g) => {
      let s = 0;
      for (let t = g * f; t < Math.min((g + 1) * f, P); t++) s += a[o[t]];
      return s;
    });
    return pearson(sums, sums.map((_, g) => prep.clean.scores[i] - out.scores[i * G + g]));
  });
  return { score: mean(scores), scores };
}

/** The {@link faithfulnessEstimate} metric for the registry. */
export const faithfulnessEstimateMetric = defineMetric<FaithfulnessEstimateResult, FaithfulnessEstimateOptions>({
  name: 'faithfulness-estimate',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 1806.07538 (Alvarez-Melis and Jaakkola); Quantus FaithfulnessEstimate',
  requires: ['model', 'inputs', 'attributions'],
  defaults: FAITHFULNESS_ESTIMATE_DEFAULTS,
  run: (i, o) => faithfulnessEstimate(i.model, i.inputs, i.attributions, o),
});
