import * as tf from '@tensorflow/tfjs-core';
import { Rng, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { attributeGroups, checkPositiveInt, checkSeed } from '../core/perturbation';
import type { ShapleyOptions } from './exact-shapley';

/**
 * Settings of {@link ShapleyValueSampling}.
 * @category Shapley
 */
export interface ShapleyValueSamplingConfig {
  /**
   * Number of random feature orderings (permutations) per sample.
   * @defaultValue 25 (Captum `ShapleyValueSampling.attribute`, `n_samples=25`)
   */
  samples?: number;
}

/**
 * Defaults of {@link ShapleyValueSampling}: samples 25 (Captum `n_samples`), batchSize 32 (package
 * default; results do not depend on it), seed 0.
 * @category Shapley
 */
export const SHAPLEY_VALUE_SAMPLING_DEFAULTS = Object.freeze({
  /** Default of {@link ShapleyValueSamplingConfig.samples}. */
  samples: 25,
  /** Default of {@link "@lab/attribution"!AttributionOptions.batchSize | AttributionOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link "@lab/attribution"!AttributionOptions.seed | AttributionOptions.seed}. */
  seed: 0,
});

/**
 * Shapley value sampling: the average marginal contribution of each feature over random orderings.
 *
 * For orderings π_1..π_S drawn uniformly from `Rng(seed)`, with `P_i^π` the features before i in π,
 * `φ_i = (1/S) Σ_s [v(P_i^{π_s} ∪ {i}) − v(P_i^{π_s})]`, `v(S) = f(x_S, b_rest)`. Unbiased for the
 * Shapley value with standard error `σ_i/√S` (σ_i: standard deviation of the marginal contribution
 * over orderings); exact for additive models; efficiency holds exactly for every S (the marginals of
 * one ordering telescope). Costs 2 + S·(M − 1) evaluations per sample, `batchSize` at a time.
 * The method holds `samples`; target, baselines, featureMask, batchSize and seed are per call.
 * @see Castro et al. 2009 (doi:10.1016/j.cor.2008.04.004); arXiv:1705.07874; Captum `ShapleyValueSampling`.
 * @example
 * ```ts
 * const svs = new ShapleyValueSampling({ samples: 100 });
 * const { attributions, delta } = await svs.attribute(model, x, { target: 0, seed: 3 });
 * ```
 * @category Shapley
 */
export class ShapleyValueSampling implements AttributionMethod<ShapleyOptions> {
  readonly name = 'shapley-value-sampling';
  readonly signed = true;
  /** Orderings per sample. */
  readonly samples: number;

  /**
   * @param config - see {@link ShapleyValueSamplingConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys or a non-positive sample count.
   */
  constructor(config: ShapleyValueSamplingConfig = {}) {
    const fn = 'ShapleyValueSampling';
    checkOptions(fn, config, ['samples']);
    this.samples = checkPositiveInt(fn, 'samples', config.samples ?? SHAPLEY_VALUE_SAMPLING_DEFAULTS.samples);
  }

  /**
   * Estimates the Shapley value of every feature group of every sample.
   * @param model - the model to explain
   * @param input - a batch `[N, …]`
   * @param options - target, baselines, featureMask, batchSize, seed
   * @returns attributions `[N, …]` and delta `[N]` (caller disposes both)
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options; {@link "@lab/tensor"!ShapeError | ShapeError} for a mask that does not broadcast.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: ShapleyOptions = {}): Promise<AttributionResult> {
    const fn = 'ShapleyValueSampling.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'featureMask', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, SHAPLEY_VALUE_SAMPLING_DEFAULTS.batchSize);
    const rng = new Rng(checkSeed(fn, options.seed ?? SHAPLEY_VALUE_SAMPLING_DEFAULTS.seed));
    const s = this.samples;
    return attributeGroups(fn, model, input, options, batchSize, () => {}, async (g, evaluate) => {
      const m = g.count;
      const perms: Int32Array[] = [];
      for (let k = 0; k < s; k++) perms.push(rng.permutation(m));
      // Row 0: empty, row 1: full, then for each ordering its prefixes of length 1..M−1.
      const inner = m - 1;
      const coalitions = new Uint8Array((2 + s * inner) * m);
      coalitions.fill(1, m, 2 * m);
      for (let k = 0; k < s; k++) {
        for (let len = 1; len <= inner; len++) {
          const off = (2 + k * inner + len - 1) * m;
          for (let p = 0; p < len; p++) coalitions[off + perms[k][p]] = 1;
        }
      }
      const v = await evaluate(coalitions);
      const vEmpty = v[0];
      const vFull = v[1];
      const phi = new Float64Array(m);
      for (let k = 0; k < s; k++) {
        let prev = vEmpty;
        for (let len = 1; len <= m; len++) {
          const cur = len === m ? vFull : v[2 + k * inner + len - 1];
          phi[perms[k][len - 1]] += cur - prev;
          prev = cur;
        }
      }
      for (let j = 0; j < m; j++) phi[j] /= s;
      return { phi, vFull, vEmpty };
    });
  }
}
