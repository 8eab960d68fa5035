import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { attributeGroups, checkPositiveInt, checkSeed } from '../core/perturbation';
import { weightedRidge } from '../core/linear-model';
import type { ShapleyOptions } from './exact-shapley';

/**
 * Settings of {@link KernelShap}.
 * @category Shapley
 */
export interface KernelShapConfig {
  /**
   * Model evaluations per sample in sampling mode, counting the empty and full coalitions (as
   * Captum's `n_samples`). At least 2.
   * @defaultValue 25 (Captum `KernelShap.attribute`, `n_samples=25`)
   */
  samples?: number;
  /**
   * Whether to enumerate all 2^M coalitions with their exact kernel weights: `'auto'` enumerates when
   * `2^M ≤ samples`, `true` always (M ≤ 20), `false` never.
   * @defaultValue 'auto'
   */
  exact?: 'auto' | boolean;
}

/**
 * Defaults of {@link KernelShap}: samples 25 (Captum `n_samples`), exact 'auto' (package choice),
 * batchSize 32 (package default; results do not depend on it), seed 0.
 * @category Shapley
 */
export const KERNEL_SHAP_DEFAULTS = Object.freeze({
  /** Default of {@link KernelShapConfig.samples}. */
  samples: 25,
  /** Default of {@link KernelShapConfig.exact}. */
  exact: 'auto' as const,
  /** Default of {@link "@lab/attribution"!AttributionOptions.batchSize | AttributionOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link "@lab/attribution"!AttributionOptions.seed | AttributionOptions.seed}. */
  seed: 0,
});

/** Enumeration ceiling for `exact: true` (2^20 evaluations per sample). */
const EXACT_CEILING = 20;

/**
 * Shapley kernel weight π(z) = (M − 1)/(C(M, |z|)·|z|·(M − |z|)) of a coalition of size `k`
 * (infinite for k = 0 or M).
 * @param m - number of players M ≥ 2
 * @param k - coalition size
 * @returns π(z)
 * @category Shapley
 */
export function shapleyKernelWeight(m: number, k: number): number {
  if (k <= 0 || k >= m) return Infinity;
  let c = 1;
  for (let j = 1; j <= k; j++) c = (c * (m - k + j)) / j;
  return (m - 1) / (c * k * (m - k));
}

/**
 * KernelSHAP: Shapley values as the solution of a weighted linear regression over coalitions.
 *
 * For coalitions z ∈ {0,1}^M with value `v(z) = f(x_z, b_rest)`, φ minimises
 * `Σ_z π(z)·(v(z) − φ_0 − Σ_j z_j φ_j)²` with `π(z) = (M − 1)/(C(M,|z|)·|z|·(M − |z|))`. The empty and
 * full coalitions (π = ∞) are imposed as exact constraints, `φ_0 = f(b)` and `Σφ = f(x) − f(b)`, by
 * eliminating the last player (as the `shap` package; Captum instead weights them 10⁶), so
 * efficiency holds exactly. With every coalition enumerated (`exact`) the result equals exact
 * Shapley values. In sampling mode, `samples − 2` coalitions are drawn from `Rng(seed)`: a size
 * k ∈ 1..M−1 with probability ∝ (M − 1)/(k(M − k)), then a uniform subset of that size, each with
 * weight 1 (the kernel is in the sampling distribution, as Captum's `kernel_shap_perturb_generator`).
 * The method holds `samples` and `exact`; target, baselines, featureMask, batchSize and seed are per call.
 * @see arXiv:1705.07874 (Lundberg & Lee, SHAP); Captum `KernelShap`.
 * @example
 * ```ts
 * const ks = new KernelShap({ samples: 200 });
 * const mask = tf.tensor3d(segmentLabels, [H, W, 1], 'int32');
 * const { attributions, delta } = await ks.attribute(model, images, { target: 2, featureMask: mask });
 * ```
 * @category Shapley
 */
export class KernelShap implements AttributionMethod<ShapleyOptions> {
  readonly name = 'kernel-shap';
  readonly signed = true;
  /** Evaluations per sample in sampling mode. */
  readonly samples: number;
  /** Enumeration mode. */
  readonly exact: 'auto' | boolean;

  /**
   * @param config - see {@link KernelShapConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys, samples < 2 or a bad `exact`.
   */
  constructor(config: KernelShapConfig = {}) {
    const fn = 'KernelShap';
    checkOptions(fn, config, ['samples', 'exact']);
    this.samples = checkPositiveInt(fn, 'samples', config.samples ?? KERNEL_SHAP_DEFAULTS.samples);
    if (this.samples < 2) throw new InvalidValueError(`${fn}: samples must be >= 2 (the empty and full coalitions), got ${this.samples}`);
    const exact = config.exact ?? KERNEL_SHAP_DEFAULTS.exact;
    if (exact !== 'auto' && exact !== true && exact !== false) {
      throw new InvalidValueError(`${fn}: exact must be 'auto', true or false, got ${String(exact)}`);
    }
    this.exact = exact;
  }

  /**
   * Estimates the Shapley value of every feature group of every sample.
   * @param model - the model to explain
   * @param input - a batch `[N, …]`
   * @param options - target, baselines, featureMask, batchSize, seed
   * @returns attributions `[N, …]` and delta `[N]` (≈ 0 by construction; caller disposes both)
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for `exact: true` with more than 20 groups, or bad options.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: ShapleyOptions = {}): Promise<AttributionResult> {
    const fn = 'KernelShap.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'featureMask', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, KERNEL_SHAP_DEFAULTS.batchSize);
    const rng = new Rng(checkSeed(fn, options.seed ?? KERNEL_SHAP_DEFAULTS.seed));
    const enumerate = (m: number): boolean =>
      m < 2 || this.exact === true || (this.exact === 'auto' && m <= 30 && 2 ** m <= this.samples);
    return attributeGroups(
      fn,
      model,
      input,
      options,
      batchSize,
      (groups) => {
        for (const g of groups) {
          if (enumerate(g.count) && g.count > EXACT_CEILING) {
            throw new InvalidValueError(`${fn}: exact enumeration needs at most ${EXACT_CEILING} groups, got ${g.count}; use exact: false`);
          }
        }
      },
      async (g, evaluate) => {
        const m = g.count;
        // Coalition 0 is empty, 1 is full, the rest are regression rows.
        let rows: number;
        let coalitions: Uint8Array;
        let weights: Float64Array;
        if (enumerate(m)) {
          const total = 2 ** m;
          rows = Math.max(0, total - 2);
          coalitions = new Uint8Array((rows + 2) * m);
          coalitions.fill(1, m, 2 * m);
          weights = new Float64Array(rows);
          const size = new Uint8Array(total);
          for (let s = 1; s < total; s++) size[s] = size[s >> 1] + (s & 1);
          for (let s = 1; s < total - 1; s++) {
            for (let j = 0; j < m; j++) coalitions[(s + 1) * m + j] = (s >> j) & 1;
            weights[s - 1] = shapleyKernelWeight(m, size[s]);
          }
        } else {
          rows = this.samples - 2;
          coalitions = new Uint8Array((rows + 2) * m);
          coalitions.fill(1, m, 2 * m);
          weights = new Float64Array(rows).fill(1);
          const sizeP = new Float64Array(m + 1);
          for (let k = 1; k < m; k++) sizeP[k] = (m - 1) / (k * (m - k));
          for (let r = 0; r < rows; r++) {
            const k = rng.choice(m + 1, 1, { p: sizeP })[0];
            for (const j of rng.choice(m, k)) coalitions[(r + 2) * m + j] = 1;
          }
        }
        const v = await evaluate(coalitions);
        const vEmpty = v[0];
        const vFull = v[1];
        const total = vFull - vEmpty;
        const phi = new Float64Array(m);
        if (m === 1) {
          phi[0] = total;
          return { phi, vFull, vEmpty };
        }
        // Eliminate the last player: φ_{M−1} = total − Σ_{j<M−1} φ_j.
        const cols = m - 1;
        const z = new Float64Array(rows * cols);
        const y = new Float64Array(rows);
        for (let r = 0; r < rows; r++) {
          const off = (r + 2) * m;
          const last = coalitions[off + m - 1];
          for (let j = 0; j < cols; j++) z[r * cols + j] = coalitions[off + j] - last;
          y[r] = v[r + 2] - vEmpty - last * total;
        }
        const fit = weightedRidge(z, rows, cols, y, weights, { alpha: 0, intercept: false });
        let rest = total;
        for (let j = 0; j < cols; j++) {
          phi[j] = fit.coefficients[j];
          rest -= phi[j];
        }
        phi[m - 1] = rest;
        return { phi, vFull, vEmpty };
      },
    );
  }
}
