/**
 * Faithfulness correlation (Bhatt et al. 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { Imputer } from '../../imputation/imputer';
import { subsetCorrelations } from './subset-correlation';

/** Options of {@link faithfulnessCorrelation}; defaults in {@link FAITHFULNESS_CORRELATION_DEFAULTS}. @category Faithfulness */
export interface FaithfulnessCorrelationOptions extends ModelMetricOptions {
  /** Random subsets per sample. @defaultValue 100 */
  runs?: number;
  /** Pixels per subset (at most H·W). @defaultValue 224 */
  subsetSize?: number;
  /** What the subset's pixels become. @defaultValue `new ConstantImputer({ value: 0 })` ("black") */
  imputer?: Imputer;
  /** Read softmax probabilities. @defaultValue false */
  softmax?: boolean;
}

/** Defaults of {@link FaithfulnessCorrelationOptions}: Quantus `FaithfulnessCorrelation` (`nr_runs=100`, `subset_size=224`, black baseline, Pearson, no softmax). @category Faithfulness */
export const FAITHFULNESS_CORRELATION_DEFAULTS = Object.freeze({
  /** Default of {@link FaithfulnessCorrelationOptions.runs}. */
  runs: 100,
  /** Default of {@link FaithfulnessCorrelationOptions.subsetSize}. */
  subsetSize: 224,
  /** Default of {@link FaithfulnessCorrelationOptions.softmax}. */
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

/** Result of {@link faithfulnessCorrelation}. @category Faithfulness */
export interface FaithfulnessCorrelationResult extends MetricResult {
  /** Mean correlation over samples (higher is better). */
  readonly score: number;
  /** Pearson correlation per sample, in [−1, 1]; 0 when either series is constant. */
  readonly scores: readonly number[];
}

/**
 * Faithfulness correlation: the Pearson correlation, over random pixel subsets, between the
 * attribution a subset carries and the output drop when it is removed.
 *
 * For r = 1…R draw a random subset S_r of |S| pixels and set `A_r = Σ_{p∈S_r} a_p`,
 * `Δ_r = f_c(x) − f_c(x_{S_r ← baseline})`; the score is `ρ(A, Δ)` (Pearson), per sample. A constant
 * series (e.g. a constant map) has no defined correlation and scores 0.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, signed)
 * @param options - see {@link FaithfulnessCorrelationOptions}
 * @returns correlations (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options (`subsetSize > H·W`)
 * @see arXiv 2005.00631 (Bhatt et al., "Evaluating and aggregating feature-based model explanations"); Quantus `FaithfulnessCorrelation`
 * @example
 * ```ts
 * const { score } = await faithfulnessCorrelation(model, images, maps, { runs: 50, subsetSize: 16 });
 * ```
 * @category Faithfulness
 */
export async function faithfulnessCorrelation(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: FaithfulnessCorrelationOptions = {}): Promise<FaithfulnessCorrelationResult> {
  const fn = 'faithfulnessCorrelation';
  checkOptions(fn, options, ['runs', 'subsetSize', 'imputer', 'softmax', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = FAITHFULNESS_CORRELATION_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const runs = checkInt(fn, 'runs', options.runs ?? d.runs, 2);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const imputer = options.imputer ?? new ConstantImputer({ value: 0 });
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const subsetSize = checkInt(fn, 'subsetSize', options.subsetSize ?? d.subsetSize, 1, dims.height * dims.width);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const scores = (await subsetCorrelations(fn, model, prep, [subsetSize], runs, imputer, softmax)).map((c) => c[0]);
  return { score: mean(scores), scores };
}

/** The {@link faithfulnessCorrelation} metric for the registry. */
export const faithfulnessCorrelationMetric = defineMetric<FaithfulnessCorrelationResult, FaithfulnessCorrelationOptions>({
  name: 'faithfulness-correlation',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2005.00631 (Bhatt et al.); Quantus FaithfulnessCorrelation',
  requires: ['model', 'inputs', 'attributions'],
  defaults: FAITHFULNESS_CORRELATION_DEFAULTS,
  run: (i, o) => faithfulnessCorrelation(i.model, i.inputs, i.attributions, o),
});
