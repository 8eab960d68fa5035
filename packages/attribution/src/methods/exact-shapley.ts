import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  type Baseline,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { attributeGroups, checkPositiveInt, checkSeed } from '../core/perturbation';

/**
 * Settings of {@link ExactShapley}.
 * @category Shapley
 */
export interface ExactShapleyConfig {
  /**
   * Largest number of features or groups M accepted (2^M model evaluations per sample); at most 20.
   * @defaultValue 12 (spec §2, "Exact Shapley (M ≤ 12 features or groups)")
   */
  maxFeatures?: number;
}

/**
 * Per-call options of the Shapley family ({@link ExactShapley}, {@link KernelShap},
 * {@link ShapleyValueSampling}).
 * @category Shapley
 */
export interface ShapleyOptions extends AttributionOptions {
  /** Values of absent features, see {@link Baseline}; v(S) = f(x_S, b_rest). @defaultValue 0 */
  baselines?: Baseline;
  /**
   * Integer tensor grouping the features into players (elements with equal values play together):
   * the input's rank broadcastable to the input, or one sample's rank broadcastable to one sample.
   * Every element of a group receives the group's Shapley value.
   * @defaultValue every feature alone
   */
  featureMask?: tf.Tensor;
}

/**
 * Defaults of {@link ExactShapley}: maxFeatures 12 (spec §2); batchSize 32 (package default, results
 * do not depend on it).
 * @category Shapley
 */
export const EXACT_SHAPLEY_DEFAULTS = Object.freeze({
  /** Default of {@link ExactShapleyConfig.maxFeatures}. */
  maxFeatures: 12,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/** The hard ceiling on `maxFeatures` (2^20 evaluations per sample). */
const MAX_FEATURES_CEILING = 20;

/**
 * Exact Shapley values by enumerating every coalition of the M features (or groups).
 *
 * With `v(S) = f(x_S, b_rest)`, `φ_i = Σ_{S ⊆ M∖{i}} |S|!(M − |S| − 1)!/M! · [v(S ∪ {i}) − v(S)]`.
 * Costs 2^M model evaluations per sample (`batchSize` at a time), so M is limited to `maxFeatures`.
 * Satisfies efficiency (`Σφ = f(x) − f(b)`, returned as `delta` ≈ 0), symmetry, dummy and linearity.
 * The method holds `maxFeatures`; target, baselines, featureMask and batchSize are per call.
 * @see Shapley 1953; arXiv:1705.07874 (SHAP); Captum `ShapleyValues`.
 * @example
 * ```ts
 * const shap = new ExactShapley();
 * const { attributions, delta } = await shap.attribute(model, tf.tensor2d([[1, 1, 1]]), { target: 0 });
 * ```
 * @category Shapley
 */
export class ExactShapley implements AttributionMethod<ShapleyOptions> {
  readonly name = 'exact-shapley';
  readonly signed = true;
  /** Largest M accepted. */
  readonly maxFeatures: number;

  /**
   * @param config - see {@link ExactShapleyConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys or maxFeatures outside 1..20.
   */
  constructor(config: ExactShapleyConfig = {}) {
    const fn = 'ExactShapley';
    checkOptions(fn, config, ['maxFeatures']);
    const m = checkPositiveInt(fn, 'maxFeatures', config.maxFeatures ?? EXACT_SHAPLEY_DEFAULTS.maxFeatures);
    if (m > MAX_FEATURES_CEILING) throw new InvalidValueError(`${fn}: maxFeatures must be <= ${MAX_FEATURES_CEILING}, got ${m}`);
    this.maxFeatures = m;
  }

  /**
   * Computes the exact Shapley value of every feature group of every sample.
   * @param model - the model to explain
   * @param input - a batch `[N, …]`
   * @param options - target, baselines, featureMask, batchSize (seed accepted, unused)
   * @returns attributions `[N, …]` and delta `[N]` (caller disposes both)
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when a sample has more than `maxFeatures` groups (use
   *   {@link KernelShap} or {@link ShapleyValueSampling}, or group features with `featureMask`).
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: ShapleyOptions = {}): Promise<AttributionResult> {
    const fn = 'ExactShapley.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'featureMask', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, EXACT_SHAPLEY_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    return attributeGroups(
      fn,
      model,
      input,
      options,
      batchSize,
      (groups) => {
        for (const g of groups) {
          if (g.count > this.maxFeatures) {
            throw new InvalidValueError(
              `${fn}: featureMask must define at most ${this.maxFeatures} features or groups (2^M evaluations), got ${g.count}; group features or use KernelShap / ShapleyValueSampling`,
            );
          }
        }
      },
      async (g, evaluate) => {
        const m = g.count;
        const total = 1 << m;
        const coalitions = new Uint8Array(total * m);
        for (let s = 0; s < total; s++) for (let j = 0; j < m; j++) coalitions[s * m + j] = (s >> j) & 1;
        const v = await evaluate(coalitions);
        return { phi: shapleyFromValues(v, m), vFull: v[total - 1], vEmpty: v[0] };
      },
    );
  }
}

/**
 * Shapley values from the values `v[S]` of all 2^M coalitions (bit j of S = player j present).
 * @internal
 */
export function shapleyFromValues(v: ArrayLike<number>, m: number): Float64Array {
  // weight(s) = s!(M − s − 1)!/M!
  const fact = [1];
  for (let k = 1; k <= m; k++) fact.push(fact[k - 1] * k);
  const weight = new Float64Array(m);
  for (let s = 0; s < m; s++) weight[s] = (fact[s] * fact[m - s - 1]) / fact[m];
  const size = new Uint8Array(1 << m);
  for (let s = 1; s < 1 << m; s++) size[s] = size[s >> 1] + (s & 1);
  const phi = new Float64Array(m);
  for (let s = 0; s < 1 << m; s++) {
    for (let j = 0; j < m; j++) {
      if ((s >> j) & 1) continue;
      phi[j] += weight[size[s]] * (v[s | (1 << j)] - v[s]);
    }
  }
  return phi;
}
