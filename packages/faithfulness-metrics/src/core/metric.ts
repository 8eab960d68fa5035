/**
 * The one base contract of every metric ({@link Metric}) and the options every metric shares,
 * declared and documented once here.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AttributionMethod, AttributionModel, AttributionWorkers } from '@lab/attribution';
import type { Module } from '@lab/tensor';

/**
 * What a metric measures (the Quantus grouping).
 * @category Contract
 */
export type MetricCategory = 'faithfulness' | 'localisation' | 'complexity' | 'robustness' | 'randomisation' | 'axiomatic';

/**
 * How a signed attribution map is made non-negative before scoring, applied after the channel
 * sum and before normalisation: `keep` leaves the sign (metrics that need non-negative maps then
 * reject a map with a negative value), `abs` takes `|a|`, `positive` takes `max(a, 0)`, `negative`
 * takes `max(−a, 0)`. Never implicit.
 * @category Contract
 */
export type SignConversion = 'keep' | 'abs' | 'positive' | 'negative';

/**
 * Per-sample normalisation of a map, applied after the sign conversion: `none`; `max` divides by
 * `max_i |a_i|` (Quantus `normalise_by_max`); `sum` divides by `Σ_i |a_i|`. A map whose
 * denominator is 0 (all zeros) is left unchanged, never divided by zero.
 * @category Contract
 */
export type Normalisation = 'none' | 'max' | 'sum';

/**
 * Options of every metric that reads attribution maps. The order of the map transforms is fixed:
 * (1) channels are summed to one value per pixel (a map `[N, H, W, C]` becomes `[N, H, W]`);
 * (2) {@link SignConversion}; (3) {@link Normalisation}. Each metric documents its defaults.
 * @category Contract
 */
export interface MapOptions {
  /** Sign conversion, see {@link SignConversion}. @defaultValue metric-specific, usually `'keep'` */
  sign?: SignConversion;
  /** Normalisation, see {@link Normalisation}. @defaultValue metric-specific, usually `'none'` */
  normalise?: Normalisation;
}

/**
 * Options of every metric that evaluates a model: the map options plus the explained class,
 * batching and the seed.
 * @category Contract
 */
export interface ModelMetricOptions extends MapOptions {
  /**
   * The explained class (and, for accuracy-based metrics, the label): one index for every sample
   * or one per sample. Scores are the model's raw target outputs unless a metric says otherwise.
   * @defaultValue the class the model predicts on each clean input
   */
  target?: number | readonly number[];
  /**
   * How many images one model call may hold (perturbed copies of the inputs are evaluated in
   * batches of this size). Bounds memory; results do not depend on it (tested).
   * @defaultValue 32
   */
  batchSize?: number;
  /** Seed of every random choice (tie-breaking, imputation noise, random subsets). @defaultValue 0 */
  seed?: number;
  /**
   * Run the model calls on these workers, which hold a copy of `model` (`createAttributionWorkers`
   * of `@lab/attribution`); perturbed images are still built here, in order, so the scores are
   * bit-identical to the single-thread path. Accepted by the perturbation-curve metrics (deletion,
   * insertion, pixel flipping, region perturbation, ROAD, IROF); others reject it as unknown.
   * @defaultValue undefined (this thread)
   */
  workers?: AttributionWorkers;
}

/**
 * Everything a metric may read, as one object. Each metric lists the fields it needs in
 * {@link Metric.requires}; `evaluate` throws `InvalidValueError` naming a missing field.
 * @category Contract
 */
export interface MetricInput {
  /** The model under evaluation (`[N, H, W, C] → [N, K]`). */
  readonly model?: AttributionModel;
  /** Images `[N, H, W, C]`, NHWC. */
  readonly inputs?: tf.Tensor;
  /** Attribution maps of the inputs' shape or `[N, H, W, 1]`. */
  readonly attributions?: tf.Tensor;
  /** Ground-truth masks `[N, H, W, 1]` (localisation); signed for AttributionLab. */
  readonly mask?: tf.Tensor;
  /** The attribution method, for metrics that re-explain perturbed inputs or models. */
  readonly method?: AttributionMethod<any>;
  /** Extra options passed to every `method.attribute` call (`target` is set by the metric). */
  readonly methodOptions?: Readonly<Record<string, unknown>>;
  /** Builds a fresh model of the same architecture (randomisation metrics). */
  readonly createModel?: () => Module;
}

/**
 * Fields of every metric result: the aggregate score and one score per sample (their mean,
 * unless the metric documents a dataset-level aggregate).
 * @category Contract
 */
export interface MetricResult {
  /** The aggregate score (see the metric's definition). */
  readonly score: number;
  /** One score per sample, `[N]`. */
  readonly scores: readonly number[];
}

/**
 * The contract of every metric: metadata a report can sort and plot by, and one `evaluate`.
 * Each metric is also a plain function (e.g. {@link soundness}); the registry entry calls it.
 * @typeParam R - the result type
 * @typeParam O - the options type
 * @category Contract
 */
export interface Metric<R extends MetricResult = MetricResult, O extends object = object> {
  /** Registry key, lowercase kebab-case (`soundness`, `monotonicity-arya`). */
  readonly name: string;
  /** What the metric measures. */
  readonly category: MetricCategory;
  /** Whether a larger {@link MetricResult.score} is better. */
  readonly higherIsBetter: boolean;
  /** The paper (arXiv id) and reference implementation the definition follows. */
  readonly reference: string;
  /** The {@link MetricInput} fields the metric reads. */
  readonly requires: readonly (keyof MetricInput)[];
  /** The frozen defaults of the metric's options. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /**
   * Computes the metric.
   * @param input - the fields listed in {@link Metric.requires}
   * @param options - the metric's options
   * @returns the result; it holds no tensors
   */
  evaluate(input: MetricInput, options?: O): Promise<R>;
}
