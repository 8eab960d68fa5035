/**
 * Non-sensitivity (Nguyen and Rodríguez Martínez 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkInt, checkNumber } from '../../core/checks';
import { removalCurves } from '../../core/curve';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { ConstantImputer } from '../../imputation/constant-imputer';
import { Imputer } from '../../imputation/imputer';

/** Options of {@link nonSensitivity}; defaults in {@link NON_SENSITIVITY_DEFAULTS}. @category Axiomatic */
export interface NonSensitivityOptions extends Omit<ModelMetricOptions, 'sign' | 'normalise'> {
  /** `|Δf| < eps` marks a group the model ignores; `Σ|a| < eps` one the map ignores. @defaultValue 1e-5 */
  eps?: number;
  /** Pixels per group (consecutive in raster order). @defaultValue 1 */
  featuresInStep?: number;
  /** What a group's pixels become. @defaultValue zeros ("black") */
  imputer?: Imputer;
}

/** Defaults of {@link NonSensitivityOptions}: Quantus `NonSensitivity` (`eps=1e-5`, `features_in_step=1`, black baseline). @category Axiomatic */
export const NON_SENSITIVITY_DEFAULTS = Object.freeze({
  /** Default of {@link NonSensitivityOptions.eps}. */
  eps: 1e-5,
  /** Default of {@link NonSensitivityOptions.featuresInStep}. */
  featuresInStep: 1,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link nonSensitivity}. @category Axiomatic */
export interface NonSensitivityResult extends MetricResult {
  /** Mean violation count (lower is better; 0 satisfies the axiom). */
  readonly score: number;
  /** Per sample: the size of the symmetric difference between the groups the model ignores and those the map ignores. */
  readonly scores: readonly number[];
}

/**
 * Non-sensitivity: features the model does not depend on should get zero attribution, and only
 * those. With `Z_f = {g : |f_c(x) − f_c(x_{g←baseline})| < eps}` and `Z_a = {g : Σ_{p∈g}|a_p| < eps}`
 * over groups g, the violation count is `|Z_f △ Z_a|`. Checked on the raw map.
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - raw maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link NonSensitivityOptions}
 * @returns violation counts (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 2007.07584 (Nguyen and Rodríguez Martínez); Quantus `NonSensitivity`
 * @example
 * ```ts
 * const { score } = await nonSensitivity(model, images, maps);
 * ```
 * @category Axiomatic
 */
export async function nonSensitivity(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: NonSensitivityOptions = {}): Promise<NonSensitivityResult> {
  const fn = 'nonSensitivity';
  checkOptions(fn, options, ['eps', 'featuresInStep', 'imputer', 'target', 'batchSize', 'seed']);
  const d = NON_SENSITIVITY_DEFAULTS;
  const shared = resolveShared(fn, options, { ...d, sign: 'keep', normalise: 'none' });
  const eps = checkNumber(fn, 'eps', options.eps ?? d.eps, 0);
  const imputer = options.imputer ?? new ConstantImputer({ value: 0 });
  if (!(imputer instanceof Imputer)) throw new InvalidValueError(`${fn}: imputer must be an Imputer, got ${typeof imputer}`);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const P = dims.height * dims.width;
  const f = checkInt(fn, 'featuresInStep', options.featuresInStep ?? d.featuresInStep, 1, P);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target });
  const G = Math.ceil(P / f);
  const raster = Int32Array.from({ length: P }, (_, p) => p);
  const out = await removalCurves(fn, model, prep, { steps: G, order: () => raster, removedFrom: (_i, g) => g * f, removedCount: (_i, g) => Math.min((g + 1) * f, P), imputer });
  const scores = Array.from({ length: prep.count }, (_, i) => {
    const a = mapOf(prep.maps, i);
    let violations = 0;
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let p = g * f; p < Math.min((g + 1) * f, P); p++) s += Math.abs(a[p]);
      const modelIgnores = Math.abs(prep.clean.scores[i] - out.scores[i * G + g]) < eps;
      const mapIgnores = s < eps;
      if (modelIgnores !== mapIgnores) violations++;
    }
    return violations;
  });
  return { score: mean(scores), scores };
}

/** The {@link nonSensitivity} metric for the registry. */
export const nonSensitivityMetric = defineMetric<NonSensitivityResult, NonSensitivityOptions>({
  name: 'non-sensitivity',
  category: 'axiomatic',
  higherIsBetter: false,
  reference: 'arXiv 2007.07584 (Nguyen and Rodríguez Martínez); Quantus NonSensitivity',
  requires: ['model', 'inputs', 'attributions'],
  defaults: NON_SENSITIVITY_DEFAULTS,
  run: (i, o) => nonSensitivity(i.model, i.inputs, i.attributions, o),
});
