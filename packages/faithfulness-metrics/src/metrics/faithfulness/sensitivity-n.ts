/**
 * Sensitivity-n (Ancona et al. 2018).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt, checkSchedule } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { Imputer } from '../../imputation/imputer';
import { subsetCorrelations } from './subset-correlation';

/** Options of {@link sensitivityN}; defaults in {@link SENSITIVITY_N_DEFAULTS}. @category Faithfulness */
export interface SensitivityNOptions extends ModelMetricOptions {
  /** Subset sizes as fractions of H·W, strictly increasing in (0, 1]; each n = max(1, round(f·HW)). @defaultValue 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8 */
  fractions?: readonly number[];
  /** Random subsets per size and sample. @defaultValue 100 */
  samples?: number;
  /** What the subset's pixels become. @defaultValue zeros */
  imputer?: Imputer;
  /** Read softmax probabilities. @defaultValue false */
  softmax?: boolean;
}

/**
 * Defaults of {@link SensitivityNOptions}: subset sizes up to 80% of the features (Quantus
 * `n_max_percentage=0.8`) on a log-like grid as Ancona et al.'s plots; 100 subsets per size and a
 * zero baseline (package choices following the paper's setup).
 * @category Faithfulness
 */
export const SENSITIVITY_N_DEFAULTS = Object.freeze({
  /** Default of {@link SensitivityNOptions.fractions}. */
  fractions: Object.freeze([0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8]) as readonly number[],
  /** Default of {@link SensitivityNOptions.samples}. */
  samples: 100,
  /** Default of {@link SensitivityNOptions.softmax}. */
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

/** Result of {@link sensitivityN}. @category Faithfulness */
export interface SensitivityNResult extends MetricResult {
  /** Mean of {@link SensitivityNResult.curve} (higher is better). */
  readonly score: number;
  /** Per sample: the mean correlation over sizes. */
  readonly scores: readonly number[];
  /** The subset sizes n. */
  readonly sizes: readonly number[];
  /** Mean Pearson correlation over samples at each n. */
  readonly curve: readonly number[];
}

/**
 * Sensitivity-n: for each subset size n, the Pearson correlation between the attribution of random
 * n-pixel subsets and the output drop when they are removed.
 *
 * `ρ_n = ρ(Σ_{p∈S} a_p, f_c(x) − f_c(x_{S←0}))` over random |S| = n, per sample, then averaged
 * over samples; a method satisfies sensitivity-n when `Σ_{p∈S} a_p = Δf` for every |S| = n (ρ = 1).
 * @param model - the classifier
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, signed)
 * @param options - see {@link SensitivityNOptions}
 * @returns the curve over n (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1711.06104 (Ancona et al., "Towards better understanding of gradient-based attribution methods"); Quantus `SensitivityN`
 * @example
 * ```ts
 * const { sizes, curve } = await sensitivityN(model, images, maps, { samples: 30 });
 * ```
 * @category Faithfulness
 */
export async function sensitivityN(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: SensitivityNOptions = {}): Promise<SensitivityNResult> {
  const fn = 'sensitivityN';
  checkOptions(fn, options, ['fractions', 'samples', 'imputer', 'softmax', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = SENSITIVITY_N_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const fractions = checkSchedule(fn, 'fractions', options.fractions ?? d.fractions, 'increasing', 1e-12, 1);
  const samples = checkInt(fn, 'samples', options.samples ?? d.samples, 2);
  const softmax = checkBool(fn, 'softmax', options.softmax ?? d.softmax);
  const imputer = options.imputer ?? new ConstantImputer({ value: 0 });
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const P = dims.height * dims.width;
  const sizes = [...new Set(fractions.map((f) => Math.min(P, Math.max(1, Math.round(f * P)))))];
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target, softmax });
  const corr = await subsetCorrelations(fn, model, prep, sizes, samples, imputer, softmax);
  const curve = sizes.map((_, s) => mean(corr.map((c) => c[s])));
  return { score: mean(curve), scores: corr.map((c) => mean(c)), sizes, curve };
}

/** The {@link sensitivityN} metric for the registry. */
export const sensitivityNMetric = defineMetric<SensitivityNResult, SensitivityNOptions>({
  name: 'sensitivity-n',
  category: 'faithfulness',
  higherIsBetter: true,
  reference: 'arXiv 1711.06104 (Ancona et al.); Quantus SensitivityN',
  requires: ['model', 'inputs', 'attributions'],
  defaults: SENSITIVITY_N_DEFAULTS,
  run: (i, o) => sensitivityN(i.model, i.inputs, i.attributions, o),
});
