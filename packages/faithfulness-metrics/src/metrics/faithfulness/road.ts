/**
 * ROAD: RemOve And Debias (arXiv 2202.00449), MoRF and LeRF.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkChoice, checkSchedule } from '../../core/checks';
import { meanCurve, perSample, removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { type OrderDirection, rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, normalisedAuc, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { Imputer } from '../../imputation/imputer';
import { NoisyLinearImputer } from '../../imputation/noisy-linear-imputer';

/** Options of {@link road}; defaults in {@link ROAD_DEFAULTS}. @category Faithfulness */
export interface RoadOptions extends ModelMetricOptions {
  /** Fractions of pixels removed, strictly increasing in [0, 1]. @defaultValue 0.1, 0.2, …, 0.9 */
  percentages?: readonly number[];
  /** `morf` removes the most relevant pixels first (lower accuracy is better), `lerf` the least (higher is better). @defaultValue 'morf' */
  direction?: OrderDirection;
  /** Fills the removed pixels. @defaultValue `new NoisyLinearImputer()` (ROAD's debiased imputation) */
  imputer?: Imputer;
}

/**
 * Defaults of {@link RoadOptions}: soco `configs/_base_/metrics/road_morf.yaml` / `road_lerf.yaml`
 * (mask ratios 0.1…0.9 by area, ROAD imputation with noise 0.01). `batchSize` 32 and `seed` 0 are
 * package choices; the map needs no sign (only its order matters).
 * @category Faithfulness
 */
export const ROAD_DEFAULTS = Object.freeze({
  /** Default of {@link RoadOptions.percentages}. */
  percentages: Object.freeze(Array.from({ length: 9 }, (_, j) => Math.round((0.1 + 0.1 * j) * 1e5) / 1e5)) as readonly number[],
  /** Default of {@link RoadOptions.direction}. */
  direction: 'morf' as OrderDirection,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link road}. @category Faithfulness */
export interface RoadResult extends MetricResult {
  /** Normalised area under the accuracy curve over the removed fraction. */
  readonly score: number;
  /** Per sample: normalised area under the indicator "still predicted as the target". */
  readonly scores: readonly number[];
  /** The removed fractions the accuracy was evaluated at. */
  readonly percentages: readonly number[];
  /** The removal order (MoRF or LeRF). */
  readonly direction: OrderDirection;
  /** Accuracy (prediction = target) at each percentage. */
  readonly accuracy: readonly number[];
  /** Mean raw target score at each percentage. */
  readonly curve: readonly number[];
  /** Name of the imputer that filled the removed pixels. */
  readonly imputer: string;
}

/**
 * ROAD: accuracy after removing a growing fraction of pixels in attribution order and filling
 * them by noisy linear imputation, which leaks no information about the removal mask.
 *
 * For each fraction `r`, remove `⌊r·HW⌋` pixels from the front of the seeded MoRF (or LeRF)
 * ordering, impute, and record `acc(r) = mean_i [argmax f(x̃_i) = c_i]`. The score is the
 * normalised area under `acc(r)`: low for MoRF and high for LeRF means faithful.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed; only the order matters)
 * @param options - see {@link RoadOptions}
 * @returns curves and scores (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 2202.00449 (Rong et al., ROAD); tleemann/road_evaluation; sandylaker/soco `road*.yaml`
 * @example
 * ```ts
 * const morf = await road(model, images, maps, { direction: 'morf', target: labels });
 * ```
 * @category Faithfulness
 */
export async function road(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: RoadOptions = {}): Promise<RoadResult> {
  const fn = 'road';
  checkOptions(fn, options, ['percentages', 'direction', 'imputer', 'sign', 'normalise', 'target', 'batchSize', 'seed', 'workers']);
  const d = ROAD_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const percentages = checkSchedule(fn, 'percentages', options.percentages ?? d.percentages, 'increasing', 0, 1);
  const direction = checkChoice(fn, 'direction', options.direction ?? d.direction, ['morf', 'lerf'] as const);
  const imputer = options.imputer ?? new NoisyLinearImputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  checkModelMetricInputs(fn, model, inputs, attributions);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target });
  const P = prep.maps.pixels;
  const T = percentages.length;
  const out = await removalCurves(fn, model, prep, {
    steps: T,
    order: (i) => rankPixels(mapOf(prep.maps, i), direction, rngFor(prep.seed, STREAM.ordering, i)),
    removedCount: (_i, j) => Math.trunc(P * percentages[j]),
    imputer,
  });
  const hits = Array.from(out.predictions, (p, k) => (p === prep.classes[Math.floor(k / T)] ? 1 : 0));
  const hitCurves = perSample(hits, prep.count, T);
  const accuracy = meanCurve(hitCurves);
  return {
    score: normalisedAuc(percentages, accuracy),
    scores: hitCurves.map((c) => normalisedAuc(percentages, c)),
    percentages,
    direction,
    accuracy,
    curve: meanCurve(perSample(out.scores, prep.count, T)),
    imputer: imputer.name,
  };
}

/** ROAD, most relevant first, for the registry (lower is better). */
export const roadMorfMetric = defineMetric<RoadResult, Omit<RoadOptions, 'direction'>>({
  name: 'road-morf',
  category: 'faithfulness',
  higherIsBetter: false,
  reference: 'arXiv 2202.00449 (ROAD); sandylaker/soco road_morf.yaml',
  requires: ['model', 'inputs', 'attributions'],
  defaults: ROAD_DEFAULTS,
  run: (i, o) => road(i.model, i.inputs, i.attributions, { ...o, direction: 'morf' }),
});

/** ROAD, least relevant first, for the registry (higher is better). */
export const roadLerfMetric = defineMetric<RoadResult, Omit<RoadOptions, 'direction'>>({
  name: 'road-lerf',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2202.00449 (ROAD); sandylaker/soco road_lerf.yaml',
  requires: ['model', 'inputs', 'attributions'],
  defaults: { ...ROAD_DEFAULTS, direction: 'lerf' },
  run: (i, o) => road(i.model, i.inputs, i.attributions, { ...o, direction: 'lerf' }),
});
