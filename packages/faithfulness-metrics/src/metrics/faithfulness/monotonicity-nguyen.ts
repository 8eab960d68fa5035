/**
 * Monotonicity correlation (Nguyen and Rodríguez Martínez 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt, checkNumber } from '../../core/checks';
import { removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { spearman } from '../../core/stats';
import { Imputer } from '../../imputation/imputer';
import { UniformImputer } from '../../imputation/uniform-imputer';

/** Options of {@link monotonicityNguyen}; defaults in {@link MONOTONICITY_NGUYEN_DEFAULTS}. @category Faithfulness */
export interface MonotonicityNguyenOptions extends ModelMetricOptions {
  /** Pixels per group. @defaultValue 1 */
  featuresInStep?: number;
  /** Random perturbations of each group. @defaultValue 100 */
  samples?: number;
  /** The perturbation of a group's pixels (a random imputer, fresh draws per sample). @defaultValue `new UniformImputer()` */
  imputer?: Imputer;
  /** Read softmax probabilities. @defaultValue false */
  softmax?: boolean;
  /** Below this |f_c(x)| the variance is not divided by `f_c(x)²`. @defaultValue 1e-5 */
  eps?: number;
}

/** Defaults of {@link MonotonicityNguyenOptions}: Quantus `MonotonicityCorrelation` (`nr_samples=100`, `features_in_step=1`, uniform baseline, Spearman, `eps=1e-5`). @category Faithfulness */
export const MONOTONICITY_NGUYEN_DEFAULTS = Object.freeze({
  /** Default of {@link MonotonicityNguyenOptions.featuresInStep}. */
  featuresInStep: 1,
  /** Default of {@link MonotonicityNguyenOptions.samples}. */
  samples: 100,
  /** Default of {@link MonotonicityNguyenOptions.softmax}. */
  softmax: false,
  /** Default of {@link MonotonicityNguyenOptions.eps}. */
  eps: 1e-5,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link monotonicityNguyen}. @category Faithfulness */
export interface MonotonicityNguyenResult extends MetricResult {
  /** Mean Spearman correlation (higher is better). */
  readonly score: number;
  /** Spearman correlation per sample; 0 when a series is constant. */
  readonly scores: readonly number[];
}

/**
 * Monotonicity correlation (Nguyen and Rodríguez Martínez): the Spearman correlation between
 * each feature group's attribution and the variance of the output when that group is perturbed.
 *
 * For each group `G_k` of the seeded ascending ordering, `v_k = (1/S) Σ_s (f_c(x_{G_k ← u_s}) −
 * f_c(x))² / f_c(x)²` (the division only when `|f_c(x)| ≥ eps`) over S random perturbations;
 * the score is `ρ_Spearman(Σ_{p∈G_k} a_p, v_k)`. Distinct from {@link monotonicityArya}.
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link MonotonicityNguyenOptions}
 * @returns correlations (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 2007.07584 (Nguyen and Rodríguez Martínez, "On quantitative aspects of model interpretability"); Quantus `MonotonicityCorrelation`
 * @example
 * ```ts
 * const { score } = await monotonicityNguyen(model, images, maps, { featuresInStep: 16, samples: 10 });
 * ```
 * @category Faithfulness
 */
export async function monotonicityNguyen(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: MonotonicityNguyenOptions = {}): Promise<MonotonicityNguyenResult> {
  const fn = 'monotonicityNguyen';
  checkOptions(fn, options, ['featuresInStep', 'samples', 'imputer', 'softmax', 'eps', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = MONOTONICITY_NGUYEN_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const S = checkInt(fn, 'samples', options.samples ?? d.samples, 1);
  const eps = checkNumber(fn, 'eps', options.eps ?? d.eps, 0);
  const imputer = options.imputer ?? new UniformImputer();
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const P = dims.height * dims.width;
  const f = checkInt(fn, 'featuresInStep', options.featuresInStep ?? d.featuresInStep, 1, P);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const G = Math.ceil(P / f);
  const orders = Array.from({ length: prep.count }, (_, i) => rankPixels(mapOf(prep.maps, i), 'lerf', rngFor(prep.seed, STREAM.ordering, i)));
  const out = await removalCurves(fn, model, prep, {
    steps: G * S,
    order: (i) => orders[i],
    removedFrom: (_i, j) => Math.floor(j / S) * f,
    removedCount: (_i, j) => Math.min((Math.floor(j / S) + 1) * f, P),
    imputer,
    softmax,
  });
  const scores = orders.map((o, i) => {
    const a = mapOf(prep.maps, i);
    const y = prep.clean.scores[i];
    const inv = Math.abs(y) >= eps ? 1 / (y * y) : 1;
    const sums: number[] = [];
    const vars: number[] = [];
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let t = g * f; t < Math.min((g + 1) * f, P); t++) s += a[o[t]];
      sums.push(s);
      let v = 0;
      for (let r = 0; r < S; r++) v += (out.scores[i * G * S + g * S + r] - y) ** 2;
      vars.push((v / S) * inv);
    }
    return spearman(sums, vars);
  });
  return { score: mean(scores), scores };
}

/** The {@link monotonicityNguyen} metric for the registry. */
export const monotonicityNguyenMetric = defineMetric<MonotonicityNguyenResult, MonotonicityNguyenOptions>({
  name: 'monotonicity-nguyen',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 2007.07584 (Nguyen and Rodríguez Martínez); Quantus MonotonicityCorrelation',
  requires: ['model', 'inputs', 'attributions'],
  defaults: MONOTONICITY_NGUYEN_DEFAULTS,
  run: (i, o) => monotonicityNguyen(i.model, i.inputs, i.attributions, o),
});
